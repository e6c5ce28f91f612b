"""Plans and their targets: what each target asks for, and the values reported for it.

A computed target's value comes from the registry's history (plans.target_values).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, bounds, permissions, versions
from core.accounts import User
from core.db import china_today, enum_column, require_id, utcnow
from core.errors import FieldErrors, NotFound
from core.validation import Input


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
