"""A computed target's value on any date, from the registry's history.

A computed target's definition is data (JSON), not code per target:

- ``{"measure": "recognised", "designations": [...], "since": "2021-01-01"}`` counts the firms
  recognised (any tier) for one of the designations between `since` and the day — cumulative,
  so a recognition that lapsed later still counts;
- ``{"measure": "holding", "designations": [...], "above_size": true}`` counts the firms that
  hold a valid recognition on the day (optionally only those above designated size);
- ``{"measure": "output_share"}`` is the ten chains' share (%) of the industrial output of firms
  above designated size (revenue ≥ 2,000 万元) in the latest year with figures up to the day.

Values on past days come from the cultivation event log and the annual figures, never from
snapshots, so they can be recomputed for any date.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from chains.models import Segment
from core.db import listed_in
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.registry.figures import EnterpriseFigure
from enterprises.registry.models import Enterprise, Membership
from enterprises.registry.models import counted as confirmed_place
from plans.targets import Plan, Target

ABOVE_SIZE_REVENUE = 2000.0  # 万元: 规上 is annual main revenue of 20 million yuan or more


def _designation_ids(session: Session, codes: list[str]) -> list[int]:
    stmt = select(Designation.id).where(col(Designation.code).in_(codes))
    return [i for i in session.exec(stmt) if i is not None]


def _recognised_since(session: Session, definition: dict[str, Any], day: date, start: date) -> Any:
    """Firms recognised for the designations between `since` (or the plan's start) and `day`."""
    since = date.fromisoformat(definition.get("since") or start.isoformat())
    return (
        select(Cultivation.enterprise_id)
        .join(CultivationEvent, col(CultivationEvent.cultivation_id) == Cultivation.id)
        .where(
            col(Cultivation.designation_id).in_(
                _designation_ids(session, definition["designations"])
            ),
            CultivationEvent.to_stage == Stage.recognised,
            col(CultivationEvent.on) >= since,
            col(CultivationEvent.on) <= day,
        )
    )


def _holding(session: Session, definition: dict[str, Any], day: date) -> Any:
    """Firms whose last move on or before `day` recognised them, still valid on that day."""
    following = (
        func.lead(col(CultivationEvent.on), type_=sa.Date)
        .over(
            partition_by=col(CultivationEvent.cultivation_id),
            order_by=(col(CultivationEvent.on), col(CultivationEvent.id)),
        )
        .label("until")
    )
    moves: Any = (
        sa.select(
            col(Cultivation.enterprise_id).label("enterprise_id"),
            col(CultivationEvent.to_stage).label("stage"),
            col(CultivationEvent.valid_until).label("valid_until"),
            following,
        )
        .join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id)
        .where(
            col(Cultivation.designation_id).in_(
                _designation_ids(session, definition["designations"])
            ),
            col(CultivationEvent.on) <= day,
        )
    )
    if definition.get("above_size"):
        moves = moves.join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id).where(
            col(Enterprise.above_size)
        )
    last = moves.subquery()
    # The move with no later one (up to `day`) is the state on that day.
    return sa.select(last.c.enterprise_id).where(
        last.c.until.is_(None),
        last.c.stage == Stage.recognised.value,
        or_(last.c.valid_until.is_(None), last.c.valid_until >= day),
    )


def firms_of(*, session: Session, definition: dict[str, Any], day: date, start: date) -> Any:
    """The subquery of firm ids a counting definition selects on `day` (counting from `start`)."""
    if definition.get("measure") == "recognised":
        return _recognised_since(session, definition, day, start)
    if definition.get("measure") == "holding":
        return _holding(session, definition, day)
    raise ValueError(f"{definition.get('measure')} 不是按企业计数的口径")


def firms(*, session: Session, target: Target, plan: Plan, day: date) -> Any:
    """The subquery of firm ids a counting target's definition selects on `day`."""
    if (target.definition or {}).get("measure") not in ("recognised", "holding"):
        raise ValueError(f"目标 {target.code} 不是按企业计数的目标")
    return firms_of(
        session=session, definition=target.definition or {}, day=day, start=plan.period_start
    )


def output_shares(
    *, session: Session, days: list[date], park_id: int | None = None
) -> list[float | None]:
    """The chains' share (%) of 规上 output on each day: the latest year of figures by then."""
    in_chain = (
        select(Membership.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(confirmed_place())  # as the chain map counts
    )
    counted: list[Any] = [col(EnterpriseFigure.revenue) >= ABOVE_SIZE_REVENUE]
    if park_id is not None:
        counted.append(col(Enterprise.park_id) == park_id)
    output = col(EnterpriseFigure.output)
    members = listed_in(session, col(EnterpriseFigure.enterprise_id), in_chain)
    in_chains = members.held
    # One pass over the figures gives every year (a day takes the latest year it has seen,
    # whoever filed it); the sums count only the 规上 firms (of the park).
    stmt = sa.select(
        col(EnterpriseFigure.year),
        func.sum(sa.case((sa.and_(*counted), output), else_=0)),
        func.sum(sa.case((sa.and_(*counted, in_chains), output), else_=0)),
    ).group_by(col(EnterpriseFigure.year))
    stmt = members.joined(stmt)
    if park_id is not None:
        stmt = stmt.join(Enterprise, col(Enterprise.id) == EnterpriseFigure.enterprise_id)
    sums = {year: (total, chains) for year, total, chains in session.execute(stmt)}
    shares: list[float | None] = []
    for day in days:
        year = max((y for y in sums if y <= day.year), default=None)
        total, chains = sums[year] if year is not None else (None, None)
        shares.append(round(100 * (chains or 0) / total, 1) if total else None)
    return shares


def value_on(
    *, session: Session, target: Target, plan: Plan, day: date, park_id: int | None = None
) -> float | None:
    """A computed target's value at the end of `day` (optionally for one park)."""
    definition = target.definition or {}
    if definition.get("measure") == "output_share":
        return output_shares(session=session, days=[day], park_id=park_id)[0]
    ids = firms(session=session, target=target, plan=plan, day=day).subquery()
    stmt = select(func.count(func.distinct(ids.c.enterprise_id)))
    if park_id is not None:
        stmt = stmt.join(Enterprise, col(Enterprise.id) == ids.c.enterprise_id).where(
            col(Enterprise.park_id) == park_id
        )
    else:
        stmt = stmt.select_from(ids)
    return float(session.exec(stmt).one())


def by_park(*, session: Session, target: Target, plan: Plan, day: date) -> dict[int | None, float]:
    """A counting target's value per park on `day`."""
    return count_by_park(
        session=session, ids=firms(session=session, target=target, plan=plan, day=day)
    )


def count_by_park(*, session: Session, ids: Any) -> dict[int | None, float]:
    """Distinct firms of a firm-id query, per park."""
    ids = ids.subquery()
    stmt = (
        select(Enterprise.park_id, func.count(func.distinct(ids.c.enterprise_id)))
        .join(Enterprise, col(Enterprise.id) == ids.c.enterprise_id)
        .group_by(col(Enterprise.park_id))
    )
    return {park: float(n) for park, n in session.exec(stmt)}


def by_chain(*, session: Session, target: Target, plan: Plan, day: date) -> dict[int, float]:
    """A counting target's value per chain on `day` (a firm counts in each chain it is in)."""
    return count_by_chain(
        session=session, ids=firms(session=session, target=target, plan=plan, day=day)
    )


def count_by_chain(*, session: Session, ids: Any) -> dict[int, float]:
    """Distinct firms of a firm-id query, per chain (a firm counts in each chain it is in)."""
    ids = ids.subquery()
    stmt = (
        select(Segment.chain_id, func.count(func.distinct(ids.c.enterprise_id)))
        .join(Membership, col(Membership.enterprise_id) == ids.c.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(confirmed_place())
        .group_by(col(Segment.chain_id))
    )
    return {chain: float(n) for chain, n in session.exec(stmt)}
