"""Writing plans: a new plan, its targets with yearly milestones, a copy into a new period.

A computed target names one of the zone's figures (plans.figures), so its value is counted the
same way everywhere; a reported target is entered by hand (targets.report). Importing targets
from a sheet is plans.target_import. Admins and leaders write; everyone reads.
"""

from datetime import date
from typing import Any

from pydantic import field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, col, select

from core import audit, bounds, permissions
from core.accounts import User
from core.db import require_id
from core.errors import FieldErrors, NotFound
from core.validation import Input
from plans import figures
from plans.targets import Comparator, Plan, Target, TargetKind

FIRST_YEAR, LAST_YEAR = 2000, 2100
SOURCE_TEXT_MAX = 20_000


class PlanFields(Input):
    """A plan as people enter it: its name, issuer, period (years) and source text."""

    name: str = Field(min_length=1, max_length=200)
    issuer: str = Field(default="", max_length=200)
    document_number: str = Field(default="", max_length=100)
    period_start_year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    period_end_year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    source_text: str = Field(default="", max_length=SOURCE_TEXT_MAX)


PLAN_LABELS = {
    "name": "规划名称",
    "issuer": "发布单位",
    "document_number": "文号",
    "period_start_year": "起始年份",
    "period_end_year": "截止年份",
    "source_text": "规划原文",
}


class TargetFields(Input):
    """A target as people enter it: computed from a figure, or reported; yearly milestones."""

    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(default="", max_length=20)
    kind: TargetKind = TargetKind.reported
    figure: str = Field(default="", max_length=40, description="the figure a computed target is")
    target_value: float = Field(ge=-bounds.FIGURE, le=bounds.FIGURE)
    comparator: Comparator = Comparator.ge
    deadline_year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)
    milestones: dict[int, float] = Field(default_factory=dict)
    lead_units: str = Field(default="", max_length=300)
    headline: bool = False
    quote: str = Field(default="", max_length=500)

    @field_validator("milestones")
    @classmethod
    def _finite_milestones(cls, value: dict[int, float]) -> dict[int, float]:
        for year, number in value.items():
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(f"年份 {year} 超出范围")
            if not -bounds.FIGURE <= number <= bounds.FIGURE:
                raise ValueError(f"{year} 年的值超出范围")
        return value


TARGET_LABELS = {
    "name": "目标名称",
    "unit": "单位",
    "kind": "类型",
    "figure": "计算口径",
    "target_value": "目标值",
    "comparator": "比较方式",
    "deadline_year": "期限年份",
    "milestones": "年度目标",
    "lead_units": "牵头单位",
    "headline": "驾驶舱显示",
    "quote": "规划原文表述",
}


def get(*, session: Session, plan_id: int) -> Plan:
    """Return a plan by id or raise NotFound."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"规划 {plan_id} 不存在")
    return plan


def get_all(*, session: Session) -> list[Plan]:
    """Every plan, in the order they are shown."""
    return list(session.exec(select(Plan).order_by(col(Plan.position), col(Plan.id))))


def targets_of(*, session: Session, plan: Plan) -> list[Target]:
    """A plan's targets in order."""
    stmt = select(Target).where(Target.plan_id == plan.id).order_by(col(Target.position))
    return list(session.exec(stmt))


def _new_code(session: Session, start_year: int) -> str:
    """A plan code no other plan has: P2024, then P2024-2, …"""
    taken = set(session.exec(select(Plan.code).where(col(Plan.code).startswith(f"P{start_year}"))))
    code, n = f"P{start_year}", 1
    while code in taken:
        n += 1
        code = f"P{start_year}-{n}"
    return code


def _check_period(start: int, end: int) -> None:
    if end < start:
        raise FieldErrors({"period_end_year": "截止年份不能早于起始年份"})


def create(*, session: Session, actor: User, data: PlanFields, demo: bool = False) -> Plan:
    """Create a plan (admins and leaders)."""
    permissions.ensure_can_edit_plans(actor)
    _check_period(data.period_start_year, data.period_end_year)
    last = session.exec(select(func.max(Plan.position))).one()
    plan = Plan(
        code=_new_code(session, data.period_start_year),
        name=data.name,
        issuer=data.issuer,
        document_number=data.document_number,
        period_start=date(data.period_start_year, 1, 1),
        period_end=date(data.period_end_year, 12, 31),
        source_text=data.source_text,
        demo=demo,
        position=(last or 0) + 1,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=plan,
        label=plan.name,
        after=audit.snapshot(plan, ["code", "name", "issuer", "period_start", "period_end"]),
    )
    return plan


def _definition(data: TargetFields) -> dict[str, Any] | None:
    if data.kind == TargetKind.reported:
        if data.figure:
            raise FieldErrors({"figure": "填报目标不需要计算口径；系统计算的目标才选择口径"})
        return None
    if data.figure not in figures.FIGURES:
        raise FieldErrors({"figure": "系统计算的目标须选择一个计算口径"})
    return dict(figures.FIGURES[data.figure].definition)


def _check_years(plan: Plan, data: TargetFields) -> int:
    """The deadline year, checked with the milestones against the plan's period."""
    first, last = plan.period_start.year, plan.period_end.year
    deadline_year = data.deadline_year or last
    if not first <= deadline_year <= last:
        raise FieldErrors({"deadline_year": f"期限须在规划期 {first}—{last} 年内"})
    for year in data.milestones:
        if not first <= year <= deadline_year:
            raise FieldErrors(
                {"milestones": f"年度目标 {year} 年不在规划期 {first}—{deadline_year} 年内"}
            )
    return deadline_year


def check_target(*, plan: Plan, data: TargetFields) -> tuple[dict[str, Any] | None, int]:
    """A target's definition and deadline year, or FieldErrors naming the field at fault."""
    return _definition(data), _check_years(plan, data)


def _target_code(session: Session, plan: Plan) -> str:
    prefix = f"{plan.code}-"
    taken = set(session.exec(select(Target.code).where(col(Target.code).startswith(prefix))))
    n = len(taken) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def add_target(*, session: Session, actor: User, plan: Plan, data: TargetFields) -> Target:
    """Add a target to a plan (admins and leaders)."""
    permissions.ensure_can_edit_plans(actor)
    definition, deadline_year = check_target(plan=plan, data=data)
    last = session.exec(select(func.max(Target.position)).where(Target.plan_id == plan.id)).one()
    target = Target(
        plan_id=require_id(plan),
        code=_target_code(session, plan),
        name=data.name,
        unit=data.unit,
        kind=data.kind,
        definition=definition,
        target_value=data.target_value,
        comparator=data.comparator,
        deadline=date(deadline_year, 12, 31),
        milestones={str(y): v for y, v in sorted(data.milestones.items())},
        lead_units=data.lead_units,
        headline=data.headline,
        quote=data.quote,
        position=(last if last is not None else -1) + 1,
    )
    session.add(target)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=target,
        label=f"{plan.name}/{target.name}",
        after=audit.snapshot(target, ["code", "name", "kind", "target_value", "deadline"]),
    )
    return target


def _shifted(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def copy(*, session: Session, actor: User, plan: Plan, start_year: int, name: str = "") -> Plan:
    """Copy a plan into the period starting `start_year`: same length, targets and milestones
    shifted by the same number of years; reported values, baselines' values and shares stay.
    """
    permissions.ensure_can_edit_plans(actor)
    if not FIRST_YEAR <= start_year <= LAST_YEAR:
        raise FieldErrors({"start_year": f"起始年份须在 {FIRST_YEAR}—{LAST_YEAR} 之间"})
    years = start_year - plan.period_start.year
    if years == 0:
        raise FieldErrors({"start_year": "新规划期须与原规划期不同"})
    span = plan.period_end.year - plan.period_start.year
    fields = PlanFields(
        name=name or f"{plan.name}（{start_year}—{start_year + span}）",
        issuer=plan.issuer,
        period_start_year=start_year,
        period_end_year=start_year + span,
        source_text=plan.source_text,
    )
    new = create(session=session, actor=actor, data=fields, demo=plan.demo)
    for number, old in enumerate(targets_of(session=session, plan=plan), start=1):
        definition = dict(old.definition) if old.definition else None
        if definition and definition.get("since"):
            since = _shifted(date.fromisoformat(definition["since"]), years)
            definition["since"] = since.isoformat() if since else None
        deadline = _shifted(old.deadline, years)
        assert deadline is not None
        session.add(
            Target(
                **old.model_dump(
                    exclude={"id", "plan_id", "code", "definition", "deadline", "milestones"}
                    | {"baseline_value", "baseline_on"}
                ),
                plan_id=require_id(new),
                code=f"{new.code}-{number}",
                definition=definition,
                deadline=deadline,
                baseline_on=_shifted(old.baseline_on, years),
                milestones={str(int(y) + years): v for y, v in (old.milestones or {}).items()},
            )
        )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="copy",
        obj=new,
        label=new.name,
        after={"from_plan": plan.code, "years": years},
    )
    return new
