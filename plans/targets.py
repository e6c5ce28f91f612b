"""Plans and their targets; a computed target's value on any date, from the registry's history.

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

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import JSON, Column, func, or_
from sqlmodel import Field, Session, SQLModel, col, select

from chains.models import Segment
from core import audit, bounds, permissions, versions
from core.accounts import User
from core.db import china_today, enum_column, listed_in, require_id, utcnow
from core.errors import FieldErrors, NotFound
from core.validation import Input
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.registry.figures import EnterpriseFigure
from enterprises.registry.models import Enterprise, Membership
from enterprises.registry.models import counted as confirmed_place

ABOVE_SIZE_REVENUE = 2000.0  # 万元: 规上 is annual main revenue of 20 million yuan or more


class TargetKind(StrEnum):
    """Whether a target's value is computed from the registry or reported by someone."""

    computed = "computed"
    reported = "reported"


class Comparator(StrEnum):
    """How the value is compared with the target."""

    ge = "ge"
    gt = "gt"
    le = "le"
    approx = "approx"


COMPARATOR_LABELS = {
    Comparator.ge: "≥",
    Comparator.gt: ">",
    Comparator.le: "≤",
    Comparator.approx: "≈",
}
KIND_LABELS = {TargetKind.computed: "系统计算", TargetKind.reported: "填报"}


class TargetForm(StrEnum):
    """What a target asks for: a level, a range, a multiple of a base value, or a milestone.

    A range (1—2家) holds its bounds in target_value and target_high and is met from its lower
    bound; a relative target (在“十二五”末基础上翻一番) holds the multiple in target_value and
    the base day and value in baseline_on / baseline_value; a milestone (2025年基本建成) is done
    or not by its deadline, reported as 1 (done) or 0.
    """

    level = "level"
    range = "range"
    relative = "relative"
    milestone = "milestone"


FORM_LABELS = {
    TargetForm.level: "数值",
    TargetForm.range: "区间",
    TargetForm.relative: "相对基期",
    TargetForm.milestone: "里程碑",
}


class Plan(SQLModel, table=True):
    """A policy document that sets targets."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    issuer: str = Field(default="", max_length=200)
    document_number: str = Field(default="", max_length=100)
    issued_on: date | None = None
    period_start: date
    period_end: date
    source: str = Field(default="", max_length=200, description="the source text it was read from")
    source_text: str = Field(
        default="",
        sa_type=sa.Text,
        sa_column_kwargs={"server_default": ""},
        description="the plan's own words, as pasted when it was entered",
    )
    demo: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="demo data (演示), removed with the demo",
    )
    position: int = 0

    def in_force(self, today: date) -> bool:
        """Whether the plan's period covers today's year."""
        return self.period_start.year <= today.year <= self.period_end.year


class Target(SQLModel, table=True):
    """One quantified target of a plan."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=20)
    baseline_value: float | None = None
    baseline_on: date | None = None
    target_value: float
    target_high: float | None = Field(default=None, description="a range's upper bound")
    form: TargetForm = Field(
        default=TargetForm.level,
        sa_type=enum_column(TargetForm, 10),
        sa_column_kwargs={"server_default": TargetForm.level.value},
    )
    comparator: Comparator = Field(default=Comparator.ge, sa_type=enum_column(Comparator, 10))
    deadline: date
    milestones: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON))
    lead_units: str = Field(default="", max_length=300)
    cooperating_units: str = Field(default="", max_length=500)
    kind: TargetKind = Field(default=TargetKind.reported, sa_type=enum_column(TargetKind, 10))
    definition: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    headline: bool = Field(default=False, description="shown on the leaders' dashboard")
    quote: str = Field(default="", max_length=500, description="the sentence of the plan")
    position: int = 0


def goal(target: Target) -> float | None:
    """The value the target asks for; None for a relative target whose base is not known yet."""
    if target.form == TargetForm.milestone:
        return 1.0
    if target.form == TargetForm.relative:
        if target.baseline_value is None:
            return None
        return target.target_value * target.baseline_value
    return target.target_value


def goal_text(target: Target) -> str:
    """The target as the plan states it: ≥ 15 家, 1—2 家, 基期值的 2 倍, 到期完成."""
    unit = f" {target.unit}" if target.unit else ""
    if target.form == TargetForm.milestone:
        return f"{target.deadline} 前完成"
    if target.form == TargetForm.range and target.target_high is not None:
        return f"{target.target_value:g}—{target.target_high:g}{unit}"
    if target.form == TargetForm.relative:
        base = f"{target.baseline_on} 的值" if target.baseline_on else "基期值"
        known = "" if target.baseline_value is None else f"（{target.baseline_value:g}{unit}）"
        return f"{base}{known}的 {target.target_value:g} 倍"
    return f"{COMPARATOR_LABELS[Comparator(target.comparator)]} {target.target_value:g}{unit}"


class ReportedValue(SQLModel, table=True):
    """A value of a reported target on a date, with its evidence; rows are only added."""

    __tablename__ = "reported_value"

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True, ondelete="CASCADE")
    value: float
    as_of: date
    source: str = Field(default="", max_length=300)
    evidence_url: str = Field(default="", max_length=500)
    reporter_id: int | None = Field(default=None, foreign_key="app_user.id")
    reporter_name: str = Field(default="", max_length=60)
    recorded_at: datetime = Field(default_factory=utcnow)


def get_by_code(*, session: Session, code: str) -> Target:
    """Return a target by code or raise NotFound."""
    target = session.exec(select(Target).where(Target.code == code)).first()
    if target is None:
        raise NotFound(f"目标 {code} 不存在")
    return target


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


class ReportFields(Input):
    """A reported value with its date and evidence."""

    web_addresses: ClassVar[frozenset[str]] = frozenset({"evidence_url"})

    value: float = Field(ge=-bounds.FIGURE, le=bounds.FIGURE)
    as_of: date
    source: str = Field(min_length=1, max_length=300)
    evidence_url: str = Field(default="", max_length=500)


REPORT_LABELS = {
    "value": "数值",
    "as_of": "数据日期",
    "source": "数据来源",
    "evidence_url": "佐证链接",
}


def report(*, session: Session, actor: User, target: Target, data: ReportFields) -> ReportedValue:
    """Enter a value of a reported target (admins)."""
    permissions.ensure_can_report_targets(actor)
    if target.kind != TargetKind.reported:
        raise FieldErrors({"value": f"“{target.name}”由系统根据企业库计算，无需填报"})
    if data.as_of > china_today():
        raise FieldErrors({"as_of": "数据日期不能晚于今天"})
    if target.form == TargetForm.milestone and data.value not in (0, 1):
        raise FieldErrors({"value": f"“{target.name}”是里程碑目标：已完成填 1，未完成填 0"})
    row = ReportedValue(
        target_id=require_id(target),
        reporter_id=actor.id,
        reporter_name=actor.display_name or actor.username,
        **data.model_dump(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=row,
        label=f"{target.name} 填报",
        after=audit.snapshot(row, list(ReportFields.model_fields)),
    )
    return row


def history(*, session: Session, target: Target) -> list[ReportedValue]:
    """A reported target's values, newest first."""
    stmt = (
        select(ReportedValue)
        .where(ReportedValue.target_id == target.id)
        .order_by(col(ReportedValue.as_of).desc(), col(ReportedValue.id).desc())
    )
    return list(session.exec(stmt))


versions.track(Plan, Target, ReportedValue)
