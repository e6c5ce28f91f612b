"""Enterprises' annual figures, and the discovery of firms that meet a designation's criteria."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, col, select

from core import audit, bounds, locking, permissions, versions
from core.accounts import User
from core.db import require_id
from core.validation import Input
from enterprises import designations, pipeline
from enterprises.designations import Criterion, Designation, Metric
from enterprises.models import Enterprise


class FigureFields(Input):
    """One year's figures of an enterprise; amounts in 万元."""

    year: int = Field(ge=1949, le=2100)
    revenue: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    output: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    tax: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    rd_spend: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    employees: int | None = Field(default=None, ge=0, le=bounds.PEOPLE)
    invention_patents: int | None = Field(default=None, ge=0, le=bounds.PATENTS)


FIGURE_LABELS = {
    "year": "年度",
    "revenue": "营业收入（万元）",
    "output": "工业总产值（万元）",
    "tax": "税收（万元）",
    "rd_spend": "研发投入（万元）",
    "employees": "从业人数",
    "invention_patents": "发明专利（件）",
}


class EnterpriseFigure(FigureFields, table=True):
    """An enterprise's figures for one year."""

    __tablename__ = "enterprise_figure"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")


versions.track(EnterpriseFigure)


def of(*, session: Session, enterprise_id: int) -> list[EnterpriseFigure]:
    """Return an enterprise's figures, latest year first."""
    stmt = (
        select(EnterpriseFigure)
        .where(EnterpriseFigure.enterprise_id == enterprise_id)
        .order_by(col(EnterpriseFigure.year).desc())
    )
    return list(session.exec(stmt))


def put(
    *, session: Session, actor: User, enterprise: Enterprise, data: FigureFields
) -> EnterpriseFigure:
    """Enter or correct one year's figures of an enterprise."""
    permissions.ensure_can_edit_enterprise(actor, enterprise.park_id)
    locking.lock(session, enterprise)  # two entries of one year: the second corrects the first
    found = session.exec(
        select(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == enterprise.id, EnterpriseFigure.year == data.year
        )
    ).first()
    label = f"{enterprise.name}/{data.year}年"
    if found is None:
        found = EnterpriseFigure(enterprise_id=require_id(enterprise), **data.model_dump())
        session.add(found)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="create",
            obj=found,
            label=label,
            after=audit.snapshot(found, list(FigureFields.model_fields)),
        )
        return found
    audit.update(session=session, actor=actor, obj=found, label=label, values=data.model_dump())
    return found


@dataclass(frozen=True)
class Qualifying:
    """A firm that meets every criterion of a designation, with the values that qualify it."""

    enterprise: Enterprise
    values: dict[Metric, float]


def measure(
    enterprise: Enterprise, figures: list[EnterpriseFigure], today: date
) -> dict[Metric, float]:
    """Return each metric's value for a firm from its latest figures (missing ones left out)."""
    values: dict[Metric, float] = {}
    if enterprise.founded_date:
        values[Metric.age_years_max] = (today - enterprise.founded_date).days / 365.25
    if not figures:
        return values
    latest = max(figures, key=lambda f: f.year)
    if latest.revenue is not None:
        values[Metric.revenue_min] = latest.revenue
        if latest.rd_spend is not None and latest.revenue > 0:
            values[Metric.rd_ratio_min] = 100 * latest.rd_spend / latest.revenue
    if latest.employees is not None:
        values[Metric.employees_min] = latest.employees
    if latest.invention_patents is not None:
        values[Metric.invention_patents_min] = latest.invention_patents
    base = next((f for f in figures if f.year == latest.year - 3), None)
    if base and base.revenue and latest.revenue is not None:
        values[Metric.revenue_growth_3y_min] = 100 * (
            (latest.revenue / base.revenue) ** (1 / 3) - 1
        )
    return values


def meets(values: dict[Metric, float], criteria: list[Criterion]) -> bool:
    """Whether measured values satisfy every criterion (an unmeasured one is not satisfied)."""
    for criterion in criteria:
        metric = Metric(criterion.metric)
        if metric not in values:
            return False
        value = values[metric]
        if metric == Metric.age_years_max:
            if value > criterion.value:
                return False
        elif value < criterion.value:
            return False
    return True


def discover(
    *,
    session: Session,
    criteria: list[Criterion],
    exclude: set[int],
    park_id: int | None,
    today: date,
    limit: int = 200,
) -> list[Qualifying]:
    """Return firms meeting every criterion that are not in `exclude`, best revenue first."""
    if not criteria:
        return []
    stmt = select(Enterprise).where(
        col(Enterprise.id).in_(select(EnterpriseFigure.enterprise_id).distinct())
    )
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    firms = [f for f in session.exec(stmt) if f.id not in exclude]
    # The same park condition as a join, not a list of ids: SQLite caps bound parameters.
    rows = select(EnterpriseFigure).join(
        Enterprise, col(Enterprise.id) == EnterpriseFigure.enterprise_id
    )
    if park_id is not None:
        rows = rows.where(Enterprise.park_id == park_id)
    figures: dict[int, list[EnterpriseFigure]] = {}
    for row in session.exec(rows):
        figures.setdefault(row.enterprise_id, []).append(row)
    found = []
    for firm in firms:
        values = measure(firm, figures.get(require_id(firm), []), today)
        if meets(values, criteria):
            found.append(Qualifying(firm, values))
    found.sort(key=lambda q: -q.values.get(Metric.revenue_min, 0))
    return found[:limit]


def candidates(
    *,
    session: Session,
    designation: Designation,
    park_id: int | None,
    today: date,
    limit: int = 200,
) -> list[Qualifying]:
    """Firms meeting a designation's criteria that are not yet in its pipeline."""
    return discover(
        session=session,
        criteria=designations.criteria_of(session=session, designation_id=require_id(designation)),
        exclude=pipeline.enterprise_ids_in(session=session, designation=designation),
        park_id=park_id,
        today=today,
        limit=limit,
    )
