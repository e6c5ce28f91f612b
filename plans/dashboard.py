"""What the leaders' dashboard and the monthly report show: targets, parks, chains, changes."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core import figure_cache, permissions
from core.accounts import User
from core.orgs import Park, ParkKind
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.projects.leads import LANDED, Lead, LeadStage, visible
from enterprises.registry.models import Enterprise
from plans import figures, target_status
from plans.target_status import Progress, Status
from plans.targets import Plan, Target


def month_bounds(month: str | None, today: date) -> tuple[date, date]:
    """The first and last day of a month given as 2026-10 (default: the current month)."""
    first = date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def standings(*, session: Session, day: date) -> list[tuple[Progress, list[tuple[date, float]]]]:
    """Every target's standing on `day` with its trend, plan by plan; cached per registry version.

    The cached targets and plans are detached copies, safe to share between requests.
    """

    def compute(own: Session) -> list[tuple[Progress, list[tuple[date, float]]]]:
        stmt = select(Target, Plan).join(Plan).order_by(col(Plan.position), col(Target.position))
        found = []
        for target, plan in own.exec(stmt):
            progress, trend = target_status.standing(
                session=own, target=target, plan=plan, today=day, with_trend=True
            )
            copy = replace(
                progress, target=Target(**target.model_dump()), plan=Plan(**plan.model_dump())
            )
            found.append((copy, trend))
        return found

    return figure_cache.cached(session=session, what=f"standings:{day}", compute=compute)


def in_force(
    items: list[tuple[Progress, list[tuple[date, float]]]], day: date
) -> list[tuple[Progress, list[tuple[date, float]]]]:
    """The standings of the plans in force on `day` (their period covers its year)."""
    return [(p, t) for p, t in items if p.plan.in_force(day)]


@dataclass(frozen=True)
class PlanStanding:
    """An ended plan's final standing: how many of its targets were met by their deadlines."""

    plan: Plan
    targets: int
    achieved: int
    behind: int
    no_data: int


def history(*, session: Session, day: date) -> list[PlanStanding]:
    """The ended plans (历史规划), newest first, with their targets' standing at the deadlines."""
    by_plan: dict[int, list[Progress]] = {}
    plans: dict[int, Plan] = {}
    for item, _ in standings(session=session, day=day):
        if item.plan.period_end.year >= day.year:
            continue  # in force, or not begun
        by_plan.setdefault(item.plan.id or 0, []).append(item)
        plans[item.plan.id or 0] = item.plan
    found = [
        PlanStanding(
            plan=plans[pid],
            targets=len(items),
            achieved=sum(i.status == Status.achieved for i in items),
            behind=sum(i.status == Status.behind for i in items),
            no_data=sum(i.status == Status.no_data for i in items),
        )
        for pid, items in by_plan.items()
    ]
    return sorted(found, key=lambda s: (s.plan.period_end, s.plan.id or 0), reverse=True)


def progress(
    *, session: Session, day: date, headline_only: bool = False, current_only: bool = False
) -> list[Progress]:
    """Every target's standing on `day` (only headline ones; only plans in force on `day`)."""
    return [
        item
        for item, _ in standings(session=session, day=day)
        if (item.target.headline or not headline_only)
        and (item.plan.in_force(day) or not current_only)
    ]


@dataclass
class ParkRow:
    """One park's figures."""

    park_id: int
    name: str
    firms: int = 0
    above_size: int = 0
    high_growth: float = 0
    high_tech: float = 0
    anchors: float = 0
    open_leads: int = 0
    landed: int = 0
    landed_investment: float = 0


@dataclass
class ChainRow:
    """One chain's figures."""

    chain_id: int
    code: str
    name: str
    firms: int = 0
    high_growth: float = 0
    high_tech: float = 0
    open_leads: int = 0
    landed: int = 0
    landed_investment: float = 0


def _park_rows(session: Session, day: date) -> list[ParkRow]:
    """The parks' registry figures (firms, titles); cached per registry version."""

    def compute(own: Session) -> list[ParkRow]:
        parks = own.exec(
            select(Park).where(Park.kind == ParkKind.park).order_by(col(Park.position))
        )
        rows = {p.id or 0: ParkRow(p.id or 0, p.name) for p in parks}
        sizes = select(
            Enterprise.park_id,
            func.count(),
            func.sum(case((col(Enterprise.above_size), 1), else_=0)),
        )
        for park, n, above in own.exec(sizes.group_by(col(Enterprise.park_id))):
            if park in rows:
                rows[park].firms, rows[park].above_size = int(n), int(above or 0)
        names = {"high-growth": "high_growth", "high-tech": "high_tech", "anchor": "anchors"}
        for code, counts in figures.by_park(session=own, day=day).items():
            for where, value in counts.items():
                if where in rows:
                    setattr(rows[where], names[code], value)
        return list(rows.values())

    return figure_cache.cached(session=session, what=f"park-rows:{day}", compute=compute)


def _chain_rows(session: Session, day: date) -> list[ChainRow]:
    """The chains' registry figures (firms, titles); cached per registry version."""

    def compute(own: Session) -> list[ChainRow]:
        counts = chain_figures.chain_counts(session=own)
        rows = {
            c.id or 0: ChainRow(
                c.id or 0, c.code, c.name, firms=counts.get(c.id or 0, (0, 0, 0))[1]
            )
            for c in chain_service.get_all(session=own)
        }
        names = {"high-growth": "high_growth", "high-tech": "high_tech"}
        for code, per_chain in figures.by_chain(session=own, day=day).items():
            for which, value in per_chain.items():
                if which in rows and code in names:
                    setattr(rows[which], names[code], value)
        return list(rows.values())

    return figure_cache.cached(session=session, what=f"chain-rows:{day}", compute=compute)


def _lead_figures(
    session: Session, column: Any, day: date, year_start: date
) -> tuple[dict[Any, int], dict[Any, tuple[int, float]]]:
    """Open projects, and projects landed since `year_start`, per park or chain (read live)."""
    open_stages = [s for s in LeadStage if s not in (LeadStage.dropped, *LANDED)]
    open_leads = {
        key: int(n)
        for key, n in session.execute(
            sa.select(column, func.count()).where(col(Lead.stage).in_(open_stages)).group_by(column)
        )
    }
    landed = {
        key: (int(n), float(amount or 0))
        for key, n, amount in session.execute(
            sa.select(column, func.count(), func.sum(col(Lead.planned_investment)))
            .where(col(Lead.registered_on) >= year_start, col(Lead.registered_on) <= day)
            .group_by(column)
        )
    }
    return open_leads, landed


def park_table(*, session: Session, day: date, year_start: date) -> list[ParkRow]:
    """The parks ranked by high-growth firms, with firms, titles and projects."""
    open_leads, landed = _lead_figures(session, col(Lead.park_id), day, year_start)
    rows = [
        replace(
            row,
            open_leads=open_leads.get(row.park_id, 0),
            landed=landed.get(row.park_id, (0, 0.0))[0],
            landed_investment=landed.get(row.park_id, (0, 0.0))[1],
        )
        for row in _park_rows(session, day)
    ]
    return sorted(rows, key=lambda r: (-r.high_growth, -r.high_tech, r.park_id))


def chain_table(*, session: Session, day: date, year_start: date) -> list[ChainRow]:
    """The ten chains side by side."""
    open_leads, landed = _lead_figures(session, col(Lead.chain_id), day, year_start)
    return [
        replace(
            row,
            open_leads=open_leads.get(row.chain_id, 0),
            landed=landed.get(row.chain_id, (0, 0.0))[0],
            landed_investment=landed.get(row.chain_id, (0, 0.0))[1],
        )
        for row in _chain_rows(session, day)
    ]


@dataclass
class Changes:
    """What happened in a period: recognitions, new leads, landed projects."""

    first: date
    last: date
    recognitions: list[tuple[date, int, str, str]] = field(default_factory=list)
    new_leads: list[Lead] = field(default_factory=list)
    backfilled_leads: list[Lead] = field(default_factory=list)  # 补录: entered after the month
    landed: list[Lead] = field(default_factory=list)


def changes(*, session: Session, user: User, first: date, last: date, limit: int = 50) -> Changes:
    """Recognitions, new leads and landed projects between two days (newest first).

    Leads are listed only as far as the user may see them.
    """
    found = Changes(first, last)
    seen = visible(permissions.lead_scope(session=session, user=user))
    stmt = (
        sa.select(
            col(CultivationEvent.on),
            col(Enterprise.id),
            col(Enterprise.name),
            col(Designation.name),
        )
        .join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id)
        .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
        .join(Designation, col(Designation.id) == Cultivation.designation_id)
        .where(
            col(CultivationEvent.to_stage) == Stage.recognised,
            col(CultivationEvent.on) >= first,
            col(CultivationEvent.on) <= last,
        )
        .order_by(col(CultivationEvent.on).desc(), col(CultivationEvent.id).desc())
        .limit(limit)
    )
    found.recognitions = [
        (on, int(eid or 0), name, title) for on, eid, name, title in session.execute(stmt)
    ]
    # A lead counts in the month of its 登记日期; one entered later (补录) is shown apart.
    registered = [col(Lead.created_on) >= first, col(Lead.created_on) <= last, seen]
    found.new_leads, found.backfilled_leads = (
        list(
            session.exec(
                select(Lead)
                .where(*registered, col(Lead.backfilled).is_(flag))
                .order_by(col(Lead.created_on).desc())
                .limit(limit)
            )
        )
        for flag in (False, True)
    )
    found.landed = list(
        session.exec(
            select(Lead)
            .where(col(Lead.registered_on) >= first, col(Lead.registered_on) <= last, seen)
            .order_by(col(Lead.registered_on).desc())
            .limit(limit)
        )
    )
    return found
