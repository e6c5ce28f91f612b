"""What the leaders' dashboard and the monthly report show: targets, parks, chains, changes."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from chains import service as chain_service
from core import permissions
from core.accounts import User
from core.orgs import Park, ParkKind
from enterprises import target_status, targets
from enterprises.designations import Designation
from enterprises.leads import LANDED, Lead, LeadStage, visible
from enterprises.models import Enterprise
from enterprises.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.target_status import Progress
from enterprises.targets import Plan, Target

HIGH_GROWTH = "003-high-growth"
HIGH_TECH = "003-high-tech"
ANCHORS = "003-anchor"


def month_bounds(month: str | None, today: date) -> tuple[date, date]:
    """The first and last day of a month given as 2026-10 (default: the current month)."""
    first = date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def progress(*, session: Session, day: date, headline_only: bool = False) -> list[Progress]:
    """Every target's standing on `day`, plan by plan."""
    stmt = select(Target, Plan).join(Plan).order_by(col(Plan.position), col(Target.position))
    if headline_only:
        stmt = stmt.where(col(Target.headline))
    return [
        target_status.assess(session=session, target=t, plan=p, today=day)
        for t, p in session.exec(stmt)
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


def _counting(session: Session, code: str) -> tuple[Target, Plan] | None:
    target = session.exec(select(Target).where(Target.code == code)).first()
    plan = session.get(Plan, target.plan_id) if target else None
    return (target, plan) if target and plan else None


def park_table(*, session: Session, day: date, year_start: date) -> list[ParkRow]:
    """The parks ranked by high-growth firms, with firms, titles and projects."""
    parks = session.exec(
        select(Park).where(Park.kind == ParkKind.park).order_by(col(Park.position))
    )
    rows = {p.id or 0: ParkRow(p.id or 0, p.name) for p in parks}
    sizes = select(
        Enterprise.park_id, func.count(), func.sum(case((col(Enterprise.above_size), 1), else_=0))
    )
    for park, n, above in session.exec(sizes.group_by(col(Enterprise.park_id))):
        if park in rows:
            rows[park].firms, rows[park].above_size = int(n), int(above or 0)
    for code, name in (
        (HIGH_GROWTH, "high_growth"),
        (HIGH_TECH, "high_tech"),
        (ANCHORS, "anchors"),
    ):
        found = _counting(session, code)
        if found:
            for where, value in targets.by_park(
                session=session, target=found[0], plan=found[1], day=day
            ).items():
                if where in rows:
                    setattr(rows[where], name, value)
    open_stages = [s for s in LeadStage if s not in (LeadStage.dropped, *LANDED)]
    for park, n in session.exec(
        select(Lead.park_id, func.count())
        .where(col(Lead.stage).in_(open_stages))
        .group_by(col(Lead.park_id))
    ):
        if park in rows:
            rows[park].open_leads = int(n)
    for park, n, amount in session.exec(
        select(Lead.park_id, func.count(), func.sum(Lead.planned_investment))
        .where(col(Lead.registered_on) >= year_start, col(Lead.registered_on) <= day)
        .group_by(col(Lead.park_id))
    ):
        if park in rows:
            rows[park].landed, rows[park].landed_investment = int(n), float(amount or 0)
    return sorted(rows.values(), key=lambda r: (-r.high_growth, -r.high_tech, r.park_id))


def chain_table(*, session: Session, day: date, year_start: date) -> list[ChainRow]:
    """The ten chains side by side."""
    chains = chain_service.get_all(session=session)
    counts = chain_service.chain_counts(session=session)
    rows = {c.id or 0: ChainRow(c.id or 0, c.code, c.name) for c in chains}
    for chain_id, row in rows.items():
        row.firms = counts.get(chain_id, (0, 0, 0))[1]
    for code, name in ((HIGH_GROWTH, "high_growth"), (HIGH_TECH, "high_tech")):
        found = _counting(session, code)
        if found:
            for which, value in targets.by_chain(
                session=session, target=found[0], plan=found[1], day=day
            ).items():
                if which in rows:
                    setattr(rows[which], name, value)
    open_stages = [s for s in LeadStage if s not in (LeadStage.dropped, *LANDED)]
    for chain, n in session.exec(
        select(Lead.chain_id, func.count())
        .where(col(Lead.stage).in_(open_stages))
        .group_by(col(Lead.chain_id))
    ):
        if chain in rows:
            rows[chain].open_leads = int(n)
    for chain, n, amount in session.exec(
        select(Lead.chain_id, func.count(), func.sum(Lead.planned_investment))
        .where(col(Lead.registered_on) >= year_start, col(Lead.registered_on) <= day)
        .group_by(col(Lead.chain_id))
    ):
        if chain in rows:
            rows[chain].landed, rows[chain].landed_investment = int(n), float(amount or 0)
    return list(rows.values())


@dataclass
class Changes:
    """What happened in a period: recognitions, new leads, landed projects."""

    first: date
    last: date
    recognitions: list[tuple[date, int, str, str]] = field(default_factory=list)
    new_leads: list[Lead] = field(default_factory=list)
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
    found.new_leads = list(
        session.exec(
            select(Lead)
            .where(col(Lead.created_on) >= first, col(Lead.created_on) <= last, seen)
            .order_by(col(Lead.created_on).desc())
            .limit(limit)
        )
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
