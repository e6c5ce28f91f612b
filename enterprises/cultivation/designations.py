"""The catalogue of designations (认定称号), their tiers and screening criteria — data, not code.

Policy changes the ladder every few years; an admin adds a designation, a tier or a criterion
here and recognitions made under an older ladder keep their designation rows, so they keep
counting toward the targets set under it.
"""

from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, bounds, locking
from core.accounts import User
from core.db import enum_column, require_id
from core.errors import FieldErrors, NotFound
from core.text import refuse_control
from core.validation import Input


class DesignationFields(Input):
    """Fields an admin sets on a designation."""

    name: str = Field(min_length=2, max_length=60)
    description: str = Field(default="", max_length=1000)
    validity_years: int | None = Field(default=None, ge=1, le=20)
    remind_days: int = Field(default=90, ge=0, le=730)
    high_growth: bool = Field(default=False, description="counts as a high-growth firm (高成长)")
    per_chain: bool = Field(default=False, description="recognised for a chain, like 链主")
    active: bool = True
    position: int = Field(default=0, ge=-bounds.POSITION, le=bounds.POSITION)

    @field_validator("name", "description", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


DESIGNATION_LABELS = {
    "code": "代码",
    "name": "称号名称",
    "description": "说明",
    "validity_years": "有效期（年）",
    "remind_days": "到期提醒（天）",
    "high_growth": "计入高成长企业",
    "per_chain": "按产业链认定",
    "active": "启用",
    "position": "排序",
}


class Designation(DesignationFields, table=True):
    """A designation a firm can be recognised with (高新技术企业, 瞪羚, 单打冠军, 独角兽, 链主)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)


class Tier(SQLModel, table=True):
    """A rung within a designation, lowest rank first (种子 → 潜在 → 独角兽)."""

    __table_args__ = (UniqueConstraint("designation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    designation_id: int = Field(foreign_key="designation.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    name: str = Field(max_length=40)
    rank: int


class Metric(StrEnum):
    """What a screening criterion measures, from the enterprise and its annual figures."""

    age_years_max = "age_years_max"
    revenue_min = "revenue_min"
    revenue_growth_3y_min = "revenue_growth_3y_min"
    rd_ratio_min = "rd_ratio_min"
    employees_min = "employees_min"
    invention_patents_min = "invention_patents_min"


METRIC_LABELS = {
    Metric.age_years_max: "成立年限不超过（年）",
    Metric.revenue_min: "最近年度营业收入不低于（万元）",
    Metric.revenue_growth_3y_min: "近三年营业收入年均增长不低于（%）",
    Metric.rd_ratio_min: "研发投入占营业收入不低于（%）",
    Metric.employees_min: "从业人数不少于",
    Metric.invention_patents_min: "发明专利不少于（件）",
}


# The largest threshold of each metric (see core.bounds); none is below 0.
CRITERION_HIGH = {
    Metric.age_years_max: 200.0,
    Metric.revenue_min: bounds.MONEY_WAN,
    Metric.revenue_growth_3y_min: 10_000.0,
    Metric.rd_ratio_min: 100.0,
    Metric.employees_min: float(bounds.PEOPLE),
    Metric.invention_patents_min: float(bounds.PATENTS),
}


def check_criterion(metric: Metric, value: float) -> float:
    """Return a threshold within its metric's bounds, or raise FieldErrors naming the metric."""
    high = CRITERION_HIGH[metric]
    return bounds.check(value, low=0, high=high, key=metric.value, label=METRIC_LABELS[metric])


class Criterion(SQLModel, table=True):
    """A screening threshold of a designation, used to discover candidates."""

    __table_args__ = (UniqueConstraint("designation_id", "metric"),)

    id: int | None = Field(default=None, primary_key=True)
    designation_id: int = Field(foreign_key="designation.id", index=True, ondelete="CASCADE")
    metric: Metric = Field(sa_type=enum_column(Metric, 40))
    value: float


def get_all(*, session: Session, include_inactive: bool = True) -> list[Designation]:
    """Return the designations in their stated order."""
    stmt = select(Designation).order_by(col(Designation.position), col(Designation.id))
    if not include_inactive:
        stmt = stmt.where(col(Designation.active))
    return list(session.exec(stmt))


def get_by_code(*, session: Session, code: str) -> Designation:
    """Return the designation with this code or raise NotFound."""
    found = session.exec(select(Designation).where(Designation.code == code)).first()
    if found is None:
        raise NotFound(f"认定称号“{code}”不存在")
    return found


def tiers_of(*, session: Session, designation_id: int) -> list[Tier]:
    """Return a designation's tiers, lowest first."""
    stmt = select(Tier).where(Tier.designation_id == designation_id).order_by(col(Tier.rank))
    return list(session.exec(stmt))


def criteria_of(*, session: Session, designation_id: int) -> list[Criterion]:
    """Return a designation's screening criteria."""
    stmt = select(Criterion).where(Criterion.designation_id == designation_id)
    return list(session.exec(stmt))


def update(
    *, session: Session, actor: User, designation: Designation, data: DesignationFields
) -> Designation:
    """Change a designation's name, validity, reminder, flags or order."""
    locking.lock(session, designation)
    audit.update(
        session=session,
        actor=actor,
        obj=designation,
        label=designation.name,
        values=data.model_dump(),
    )
    return designation


def create(*, session: Session, actor: User, code: str, data: DesignationFields) -> Designation:
    """Add a designation; its code is fixed once made, since imports and targets refer to it."""
    code = code.strip().lower()
    if not code.replace("-", "").isalnum() or not code.isascii():
        raise FieldErrors({"code": "代码只能由英文字母、数字和连字符组成"})
    if session.exec(select(Designation.id).where(Designation.code == code)).first():
        raise FieldErrors({"code": f"代码“{code}”已被使用"})
    designation = Designation(code=code, **data.model_dump())
    session.add(designation)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=designation,
        label=designation.name,
        after=audit.snapshot(designation),
    )
    return designation


def add_tier(
    *, session: Session, actor: User, designation: Designation, code: str, name: str
) -> Tier:
    """Add a tier above the designation's current top tier."""
    locking.lock(session, designation)  # two admins adding one tier: the second finds it
    name, code = name.strip(), code.strip().lower()
    refuse_control({"name": name, "code": code}, {"name": "梯次名称", "code": "梯次代码"})
    if not name:
        raise FieldErrors({"name": "梯次名称不能为空"})
    tiers = tiers_of(session=session, designation_id=require_id(designation))
    if any(t.code == code or t.name == name for t in tiers):
        raise FieldErrors({"name": f"“{designation.name}”已有梯次“{name}”"})
    tier = Tier(
        designation_id=require_id(designation),
        code=code,
        name=name,
        rank=max((t.rank for t in tiers), default=0) + 1,
    )
    session.add(tier)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=tier,
        label=f"{designation.name}/{name}",
        after=audit.snapshot(tier),
    )
    return tier


def set_criterion(
    *, session: Session, actor: User, designation: Designation, metric: Metric, value: float | None
) -> None:
    """Set (or, with None, remove) one screening threshold of a designation."""
    if value is not None:
        check_criterion(metric, value)
    locking.lock(session, designation)
    found = session.exec(
        select(Criterion).where(
            Criterion.designation_id == designation.id, Criterion.metric == metric
        )
    ).first()
    label = f"{designation.name}/{METRIC_LABELS[metric]}"
    if value is None:
        if found is not None:
            audit.record(
                session=session,
                actor=actor,
                action="delete",
                obj=found,
                label=label,
                before=audit.snapshot(found),
            )
            session.delete(found)
            session.flush()
        return
    if found is None:
        found = Criterion(designation_id=require_id(designation), metric=metric, value=value)
        session.add(found)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="create",
            obj=found,
            label=label,
            after=audit.snapshot(found),
        )
        return
    audit.update(session=session, actor=actor, obj=found, label=label, values={"value": value})
