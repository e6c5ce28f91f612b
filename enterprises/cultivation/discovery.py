"""Discovery: the firms whose yearly figures meet a designation's criteria (candidates)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from core.accounts import User
from core.db import require_id
from core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from enterprises.cultivation import designations, pipeline, standing
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


@dataclass(frozen=True)
class ParkDiscovery:
    """A designation's discovered candidates among one park's firms."""

    designation: Designation
    found: list[Qualifying]


def in_park(*, session: Session, park_id: int, today: date, limit: int = 20) -> list[ParkDiscovery]:
    """Discovery for each active designation with criteria, among one park's firms.

    Per-chain designations are left out: a candidate for one needs its chain chosen by hand.
    """
    shown = []
    for designation in designations.get_all(session=session, include_inactive=False):
        if designation.per_chain:
            continue
        found = candidates(
            session=session, designation=designation, park_id=park_id, today=today, limit=limit
        )
        if found:
            shown.append(ParkDiscovery(designation, found))
    return shown


def add_candidates(
    *,
    session: Session,
    actor: User,
    designation: Designation,
    park_id: int,
    enterprise_ids: list[int],
    today: date,
) -> int:
    """Make the chosen firms of a park candidates (候选) of a designation, all or none.

    Each start is the pipeline's own (its permission check, event and audit entry); a firm
    outside the park, or one already in the pipeline, refuses the whole request.
    """
    ids = sorted(set(enterprise_ids))
    if not ids:
        raise FieldErrors({"ids": "请至少选择一家企业"})
    if designation.per_chain:
        raise FieldErrors(
            {"designation": f"“{designation.name}”按产业链认定，请在企业页选择产业链"}
        )
    with session.begin_nested():
        for enterprise_id in ids:
            firm = session.get(Enterprise, enterprise_id)
            if firm is None or firm.park_id != park_id:
                raise FieldErrors({"ids": f"企业 {enterprise_id} 不属于本园区（全部未加入）"})
            try:
                pipeline.start(
                    session=session,
                    actor=actor,
                    enterprise_id=enterprise_id,
                    designation=designation,
                    chain_id=None,
                    on=today,
                    note="按认定条件发现，加入候选",
                )
            except DomainError as exc:
                message = f"{firm.name}：{exc.message}（全部未加入）"
                if isinstance(exc, PermissionDenied | Conflict):  # a refusal stays one
                    raise type(exc)(message) from exc
                raise FieldErrors({"ids": message}) from exc
    return len(ids)
