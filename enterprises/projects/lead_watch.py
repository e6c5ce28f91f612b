"""Watch lists: stalled projects, overdue next steps and leads nobody followed up.

Provincial project systems flag a signed project that has not moved to its next milestone in
time (签约未注册, 注册未供地, 供地未开工, 开工未投产, 投产未达产). The limits here are
the zone's defaults; an admin may change each one, and the change is audited.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, permissions
from core.accounts import User
from core.errors import FieldErrors, PermissionDenied
from enterprises.projects.leads import Lead, LeadStage, visible


@dataclass(frozen=True)
class Stall:
    """A milestone a signed project must reach within a limit."""

    key: str
    label: str
    stage: LeadStage
    site: bool | None  # for the registered stage: whether a site is secured
    default_days: int


STALLS = [
    Stall("signed_unregistered", "签约未注册", LeadStage.signed, None, 90),
    Stall("registered_no_site", "注册未供地", LeadStage.registered, False, 180),
    Stall("site_not_started", "供地未开工", LeadStage.registered, True, 180),
    Stall("started_not_producing", "开工未投产", LeadStage.construction, None, 540),
    Stall("producing_not_capacity", "投产未达产", LeadStage.production, None, 730),
]
STALE_DEFAULTS = {
    LeadStage.lead: 30,
    LeadStage.contact: 30,
    LeadStage.visit: 21,
    LeadStage.negotiation: 14,
    LeadStage.signed: 30,
    LeadStage.registered: 60,
    LeadStage.construction: 60,
    LeadStage.production: 90,
    LeadStage.on_hold: 90,
}
OPEN_STAGES = list(STALE_DEFAULTS)


class TimeLimit(SQLModel, table=True):
    """An admin's setting of one limit, in days; absent keys keep the default."""

    __tablename__ = "lead_time_limit"

    key: str = Field(primary_key=True, max_length=40)
    days: int


def defaults() -> dict[str, int]:
    """Every limit key with its default: stall:<key> and stale:<stage>."""
    limits = {f"stall:{s.key}": s.default_days for s in STALLS}
    return limits | {f"stale:{stage}": days for stage, days in STALE_DEFAULTS.items()}


def limits(*, session: Session) -> dict[str, int]:
    """The limits in force."""
    return defaults() | {row.key: row.days for row in session.exec(select(TimeLimit))}


def set_limits(*, session: Session, actor: User, values: dict[str, int]) -> None:
    """Change limits; each must be a known key and 1 to 3650 days."""
    if not permissions.can_set_time_limits(actor):
        raise PermissionDenied("只有管理员可以修改项目时限")
    known = defaults()
    errors = {k: "须为 1 到 3650 之间的天数" for k, v in values.items() if not 0 < v <= 3650}
    errors |= {k: "不是可设置的时限" for k in values if k not in known}
    if errors:
        raise FieldErrors(errors)
    for key, days in values.items():
        row = session.get(TimeLimit, key)
        before = row.days if row else known[key]
        if before == days:
            continue
        row = row or TimeLimit(key=key, days=days)
        row.days = days
        session.add(row)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="update",
            obj=row,
            label=f"项目时限 {key}",
            before={"days": before},
            after={"days": days},
        )


@dataclass(frozen=True)
class Flagged:
    """A lead on a watch list, with what is wrong and by how many days."""

    lead: Lead
    reason: str
    since: date
    days_over: int


def _scoped(session: Session, user: User, extra: list[Any]) -> Any:
    scope = permissions.lead_scope(session=session, user=user)
    return select(Lead).where(visible(scope), *extra)


def _filters(park_id: int | None, team_id: int | None, owner_id: int | None) -> list[Any]:
    result = []
    if park_id is not None:
        result.append(col(Lead.park_id) == park_id)
    if team_id is not None:
        result.append(col(Lead.team_id) == team_id)
    if owner_id is not None:
        result.append(col(Lead.owner_id) == owner_id)
    return result


def stalled(
    *,
    session: Session,
    user: User,
    today: date,
    park_id: int | None = None,
    team_id: int | None = None,
    owner_id: int | None = None,
) -> list[Flagged]:
    """Signed projects past the limit of their next milestone, most overdue first."""
    limit = limits(session=session)
    found: list[Flagged] = []
    for stall in STALLS:
        cutoff = today - timedelta(days=limit[f"stall:{stall.key}"])
        clock = col(Lead.site_on) if stall.site else col(Lead.stage_since)
        conditions = [col(Lead.stage) == stall.stage, clock <= cutoff]
        if stall.site is not None:
            site = col(Lead.site_on)
            conditions.append(site.is_not(None) if stall.site else site.is_(None))
        stmt = _scoped(session, user, conditions + _filters(park_id, team_id, owner_id))
        for lead in session.exec(stmt):
            since = lead.site_on if stall.site and lead.site_on else lead.stage_since
            found.append(Flagged(lead, stall.label, since, (cutoff - since).days))
    return sorted(found, key=lambda f: -f.days_over)


def overdue_steps(
    *, session: Session, user: User, today: date, owner_id: int | None = None
) -> list[Flagged]:
    """Open leads whose next step is past its due date."""
    conditions = [
        col(Lead.next_due) < today,
        col(Lead.stage).in_(OPEN_STAGES),
        *_filters(None, None, owner_id),
    ]
    stmt = _scoped(session, user, conditions).order_by(col(Lead.next_due))
    return [
        Flagged(lead, lead.next_step, lead.next_due, (today - lead.next_due).days)
        for lead in session.exec(stmt)
        if lead.next_due is not None
    ]


def stale(
    *, session: Session, user: User, today: date, owner_id: int | None = None
) -> list[Flagged]:
    """Open leads with no follow-up for longer than their stage allows, longest first."""
    limit = limits(session=session)
    last = func.coalesce(col(Lead.last_followup_on), col(Lead.created_on))
    found: list[Flagged] = []
    for stage in OPEN_STAGES:
        cutoff = today - timedelta(days=limit[f"stale:{stage}"])
        conditions = [col(Lead.stage) == stage, last < cutoff, *_filters(None, None, owner_id)]
        for lead in session.exec(_scoped(session, user, conditions)):
            since = lead.last_followup_on or lead.created_on
            found.append(Flagged(lead, "久未跟进", since, (cutoff - since).days))
    return sorted(found, key=lambda f: -f.days_over)
