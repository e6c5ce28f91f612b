"""One park's progress: its share of each counting target, its pipeline, projects and carriers."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import figure_cache
from enterprises.projects.carriers import Carrier, CarrierStatus
from enterprises.projects.leads import LANDED, Lead, LeadStage
from plans import target_shares, target_values
from plans.target_status import meets
from plans.targets import Comparator, Plan, Target, TargetKind


@dataclass(frozen=True)
class ParkTarget:
    """A counting target as it stands in one park."""

    target: Target
    plan: Plan
    value: float
    share: float | None
    met: bool | None


@dataclass(frozen=True)
class ParkProjects:
    """A park's open and landed projects and its carriers."""

    open_leads: int
    landed_this_year: int
    landed_investment: float
    carriers: int
    available_area: float


def _counting(session: Session, today: date) -> list[tuple[Target, Plan]]:
    """The computed targets that count firms, of the plans in force today, in plan order."""
    stmt = (
        select(Target, Plan)
        .join(Plan)
        .where(Target.kind == TargetKind.computed)
        .order_by(col(Plan.position), col(Target.position))
    )
    return [
        (target, plan)
        for target, plan in session.exec(stmt)
        if (target.definition or {}).get("measure") in ("recognised", "holding")
        and plan.in_force(today)
    ]


def targets_in(*, session: Session, park_id: int, today: date) -> list[ParkTarget]:
    """Every counting target of the plans in force: its value in the park, against its share."""

    def compute(own: Session) -> dict[int, float]:
        # Counted from the whole event log: cached until the registry changes.
        return {
            target.id or 0: target_values.value_on(
                session=own,
                target=target,
                plan=plan,
                day=min(today, target.deadline),
                park_id=park_id,
            )
            or 0.0
            for target, plan in _counting(own, today)
        }

    values = figure_cache.cached(
        session=session, what=f"park-targets:{park_id}:{today}", compute=compute
    )
    found = []
    for target, plan in _counting(session, today):
        value = values[target.id or 0]
        share = target_shares.shares_of(session=session, target=target)[0].get(park_id)
        met = None if share is None else meets(value, share, Comparator(target.comparator))
        found.append(ParkTarget(target, plan, value, share, met))
    return found


def projects_in(*, session: Session, park_id: int, today: date) -> ParkProjects:
    """The park's open projects, this year's landed ones, and its carriers."""
    open_stages = [s for s in LeadStage if s not in (LeadStage.dropped, *LANDED)]
    open_leads = session.exec(
        select(func.count()).where(Lead.park_id == park_id, col(Lead.stage).in_(open_stages))
    ).one()
    landed, amount = session.exec(
        select(func.count(), func.sum(Lead.planned_investment)).where(
            Lead.park_id == park_id,
            col(Lead.registered_on) >= today.replace(month=1, day=1),
            col(Lead.registered_on) <= today,
        )
    ).one()
    carriers, area = session.exec(
        select(func.count(), func.sum(Carrier.available_area)).where(
            Carrier.park_id == park_id, Carrier.status == CarrierStatus.available
        )
    ).one()
    return ParkProjects(
        int(open_leads), int(landed), float(amount or 0), int(carriers), float(area or 0)
    )
