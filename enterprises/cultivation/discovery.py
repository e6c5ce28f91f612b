"""Discovery: the firms whose yearly figures meet a designation's criteria (candidates)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from core.db import require_id
from enterprises.cultivation import designations, standing
from enterprises.cultivation.designations import Criterion, Designation, Metric
from enterprises.registry.figures import EnterpriseFigure
from enterprises.registry.models import Enterprise


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
        exclude=standing.enterprise_ids_in(session=session, designation=designation),
        park_id=park_id,
        today=today,
        limit=limit,
    )
