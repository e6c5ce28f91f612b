"""Lists and counts of firms in cultivation: the park bureau's work page and zone-wide views."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, or_
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from core import figure_cache
from core.db import contains_text
from core.orgs import park_names
from enterprises.cultivation.designations import Designation, Tier
from enterprises.cultivation.pipeline import Cultivation, Stage, effective_stage
from enterprises.cultivation.standing import stages_on
from enterprises.registry.models import Enterprise, Membership, counted

PAGE_SIZE = 100


@dataclass(frozen=True)
class RosterFilter:
    """What a cultivation list is narrowed by; every field optional."""

    designation_id: int | None = None
    stage: Stage | None = None
    park_id: int | None = None
    chain_id: int | None = None
    segment_id: int | None = None
    due_soon: bool = False
    q: str = ""
    enterprise_id: int | None = None


@dataclass(frozen=True)
class RosterRow:
    """A firm's cultivation toward one designation, as lists show it."""

    cultivation_id: int
    version: int
    enterprise_id: int
    enterprise_name: str
    park: str
    designation: str
    designation_code: str
    tier: str | None
    stage: Stage
    batch: str
    recognised_on: date | None
    valid_until: date | None
    due_soon: bool


def _due_soon(session: Session, today: date) -> Any:
    """Valid recognitions that end within their designation's reminder window."""
    windows = [
        and_(
            col(Cultivation.designation_id) == d.id,
            col(Cultivation.valid_until) <= today + timedelta(days=d.remind_days),
        )
        for d in session.exec(select(Designation))
    ]
    return and_(
        col(Cultivation.stage) == Stage.recognised,
        col(Cultivation.valid_until) >= today,
        or_(false(), *windows),
    )


def _conditions(session: Session, flt: RosterFilter, today: date) -> list[Any]:
    conds: list[Any] = []
    if flt.designation_id is not None:
        conds.append(Cultivation.designation_id == flt.designation_id)
    if flt.park_id is not None:
        conds.append(Enterprise.park_id == flt.park_id)
    if flt.enterprise_id is not None:
        conds.append(Cultivation.enterprise_id == flt.enterprise_id)
    if flt.q.strip():
        conds.append(contains_text(Enterprise.name, flt.q.strip()))
    if flt.stage == Stage.lapsed:
        conds.append(
            or_(
                col(Cultivation.stage) == Stage.lapsed,
                and_(
                    col(Cultivation.stage) == Stage.recognised,
                    col(Cultivation.valid_until) < today,
                ),
            )
        )
    elif flt.stage == Stage.recognised:
        conds.append(Cultivation.stage == Stage.recognised)
        conds.append(
            or_(col(Cultivation.valid_until).is_(None), col(Cultivation.valid_until) >= today)
        )
    elif flt.stage is not None:
        conds.append(Cultivation.stage == flt.stage)
    if flt.due_soon:
        conds.append(_due_soon(session, today))
    if flt.segment_id is not None or flt.chain_id is not None:
        member = (
            select(Membership.enterprise_id)
            .join(Segment, col(Segment.id) == Membership.segment_id)
            .where(counted())  # as the chain map counts: confirmed places only
        )
        if flt.segment_id is not None:
            member = member.where(Membership.segment_id == flt.segment_id)
        if flt.chain_id is not None:
            member = member.where(Segment.chain_id == flt.chain_id)
        conds.append(col(Enterprise.id).in_(member))
    return conds


def search(
    *, session: Session, flt: RosterFilter, today: date, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[int, list[RosterRow]]:
    """Return (total, one page of rows) of cultivations matching the filter, by firm name."""
    conds = _conditions(session, flt, today)
    offset = (max(page, 1) - 1) * page_size
    return _total(session, flt, today, conds), _rows(session, conds, today, page_size, offset)


def _total(session: Session, flt: RosterFilter, today: date, conds: list[Any]) -> int:
    by_counts = RosterFilter(
        designation_id=flt.designation_id, stage=flt.stage, park_id=flt.park_id
    )
    if flt == by_counts:
        # Narrowed at most by designation, stage and park: the cached stage counts hold the
        # total (a park's whole list counted live took 150 ms at 200,000 firms).
        counts = stage_counts(session=session, today=today, park_id=flt.park_id)
        return sum(
            n
            for (designation, stage), n in counts.items()
            if flt.designation_id in (None, designation) and flt.stage in (None, stage)
        )
    total = session.exec(
        select(func.count())
        .select_from(Cultivation)
        .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
        .where(*conds)
    ).one()
    return int(total)


def row(*, session: Session, cultivation_id: int, today: date) -> RosterRow:
    """Return one cultivation as lists show it."""
    return _rows(session, [col(Cultivation.id) == cultivation_id], today, 1, 0)[0]


def _rows(
    session: Session, conds: list[Any], today: date, limit: int, offset: int
) -> list[RosterRow]:
    base = (
        select(Cultivation, Enterprise, Designation, Tier.name)
        .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
        .join(Designation, col(Designation.id) == Cultivation.designation_id)
        .outerjoin(Tier, col(Tier.id) == Cultivation.tier_id)
        .where(*conds)
    )
    parks = park_names(session=session)
    rows = []
    for cultivation, firm, designation, tier in session.exec(
        base.order_by(col(Enterprise.name), col(Designation.position), col(Cultivation.id))
        .offset(offset)
        .limit(limit)
    ):
        stage = effective_stage(cultivation, today)
        until = cultivation.valid_until
        due = (
            stage == Stage.recognised
            and until is not None
            and until <= today + timedelta(days=designation.remind_days)
        )
        rows.append(
            RosterRow(
                cultivation_id=cultivation.id or 0,
                version=cultivation.version,
                enterprise_id=firm.id or 0,
                enterprise_name=firm.name,
                park=parks.get(firm.park_id or 0, "未定园区"),
                designation=designation.name,
                designation_code=designation.code,
                tier=tier,
                stage=stage,
                batch=cultivation.batch,
                recognised_on=cultivation.recognised_on,
                valid_until=until,
                due_soon=due,
            )
        )
    return rows


def stage_counts(
    *, session: Session, today: date, park_id: int | None = None
) -> dict[tuple[int, Stage], int]:
    """Return {(designation id, stage as of today): firms} (optionally for one park)."""

    def compute(own: Session) -> dict[tuple[int, Stage], int]:
        # The same rule as pipeline.effective_stage, counted in the database.
        stage = case(
            (
                and_(
                    col(Cultivation.stage) == Stage.recognised,
                    col(Cultivation.valid_until) < today,
                ),
                Stage.lapsed.value,
            ),
            else_=col(Cultivation.stage),
        )
        stmt = (
            select(Cultivation.designation_id, stage, func.count())
            .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
            .group_by(col(Cultivation.designation_id), stage)
        )
        if park_id is not None:
            stmt = stmt.where(Enterprise.park_id == park_id)
        return {(did, Stage(st)): int(n) for did, st, n in own.exec(stmt)}

    return figure_cache.cached(
        session=session, what=f"stage-counts:{park_id}:{today}", compute=compute
    )


def breakdown(
    *, session: Session, designation: Designation, day: date
) -> tuple[dict[str, Counter[Stage]], dict[str, Counter[Stage]]]:
    """Return firms of a designation by stage as of `day`, per park and per chain."""
    states = stages_on(session=session, day=day, designation_ids=[designation.id or 0])
    if not states:
        return {}, {}
    parks = park_names(session=session)
    firm_of = dict(
        session.exec(
            select(Cultivation.id, Enterprise.park_id)
            .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
            .where(col(Cultivation.id).in_(list(states)))
        ).all()
    )
    by_park: dict[str, Counter[Stage]] = {}
    for cid, (stage, _) in states.items():
        by_park.setdefault(parks.get(firm_of.get(cid) or 0, "未定园区"), Counter())[stage] += 1
    chain_rows = session.exec(
        select(Cultivation.id, Chain.name)
        .join(Membership, col(Membership.enterprise_id) == Cultivation.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(col(Cultivation.id).in_(list(states)))
        .distinct()
    )
    by_chain: dict[str, Counter[Stage]] = {}
    for row_id, chain_name in chain_rows:
        by_chain.setdefault(chain_name, Counter())[states[row_id or 0][0]] += 1
    return by_park, by_chain
