"""The project library as JSON: leads, moves, follow-ups, capital, contacts, watch lists."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from core import personal
from core.accounts import User
from core.db import china_today, require_id
from enterprises.projects import (
    evaluation,
    lead_contacts,
    lead_duplicates,
    lead_intake,
    lead_search,
    lead_watch,
    leads,
)
from enterprises.projects.evaluation import Evaluation
from enterprises.projects.lead_intake import IntakeFields
from enterprises.projects.lead_watch import Flagged
from enterprises.projects.leads import Lead, LeadFields, LeadStage
from web.deps import CurrentUser, PathId, QueryId, SessionDep, Version, lead_reader
from web.downloads import table_download
from web.filters import LeadQueryDep

# The limits an admin may set (stall:<key>, stale:<stage>), declared so the schema names them.
LimitKey = StrEnum("LimitKey", {key: key for key in lead_watch.defaults()})  # type: ignore[misc]
LimitDays = Annotated[int, Field(ge=1, le=3650)]

router = APIRouter(prefix="/leads", tags=["leads"], dependencies=[Depends(lead_reader)])


class ContactOut(BaseModel):
    """A contact; the phone is masked (POST …/contacts/{id}/phone shows it whole, logged)."""

    id: int
    name: str
    title: str
    phone: str


class LeadOut(LeadFields):
    """A lead as the API shows it."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int
    stage: LeadStage
    stage_label: str
    stage_since: date
    resume_stage: LeadStage | None
    drop_reason: str
    team_id: int | None
    site_on: date | None
    registered_on: date | None
    enterprise_id: int | None
    capital_arrived: float
    last_followup_on: date | None
    next_step: str
    next_due: date | None
    created_on: date
    backfilled: bool = False
    version: int
    contacts: list[ContactOut] = []


class LeadPage(BaseModel):
    """One page of leads; `total` is the cap when `total_is_lower_bound`."""

    total: int
    total_is_lower_bound: bool = False
    has_next: bool = False
    page: int
    page_size: int
    items: list[LeadOut]


class DuplicateOut(BaseModel):
    """A lead or firm that may be the same investor (a lead the reader may not see: no id)."""

    kind: str
    id: int | None
    name: str
    detail: str
    visible: bool


class CreatedOut(BaseModel):
    """The new lead and the possible duplicates it was logged beside."""

    lead: LeadOut
    duplicates: list[DuplicateOut]


class LeadUpdateIn(LeadFields):
    """An edit; send the version you read."""

    version: Version


class ColumnOut(BaseModel):
    """A board column."""

    stage: LeadStage
    label: str
    count: int
    amount: float
    cards: list[LeadOut]


class FlaggedOut(BaseModel):
    """A lead on a watch list."""

    lead_id: int
    name: str
    stage: LeadStage
    reason: str
    since: date
    days_over: int


def lead_out(lead: Lead, contacts: list[ContactOut] | None = None) -> LeadOut:
    """The API view of a lead."""
    return LeadOut(
        **lead.model_dump(exclude={"stage_label", "contacts"}),
        stage_label=leads.stage_label(lead),
        contacts=contacts or [],
    )


def lead_with_contacts(session: SessionDep, user: User, lead: Lead) -> LeadOut:
    people = lead_contacts.contacts(session=session, lead_id=require_id(lead))
    shown = [
        ContactOut(
            id=require_id(c),
            name=c.name,
            title=c.title,
            phone=personal.mask_phone(c.phone),
        )
        for c in people
    ]
    return lead_out(lead, shown)


def _flagged(items: list[Flagged]) -> list[FlaggedOut]:
    return [
        FlaggedOut(
            lead_id=require_id(f.lead),
            name=f.lead.name,
            stage=LeadStage(f.lead.stage),
            reason=f.reason,
            since=f.since,
            days_over=f.days_over,
        )
        for f in items
    ]


@router.get("")
def list_leads(
    session: SessionDep,
    user: CurrentUser,
    query: LeadQueryDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = lead_search.PAGE_SIZE,
) -> LeadPage:
    """Leads the user may see, filtered, most recently changed first."""
    result = lead_search.search(
        session=session,
        user=user,
        flt=query.to_filter(session, user),
        page=page,
        page_size=page_size,
    )
    return LeadPage(
        total=result.total,
        total_is_lower_bound=result.total_is_lower_bound,
        has_next=result.has_next,
        page=result.page,
        page_size=page_size,
        items=[lead_out(r) for r in result.items],
    )


@router.post("", status_code=201)
def create_lead(session: SessionDep, user: CurrentUser, data: IntakeFields) -> CreatedOut:
    """Log a lead, with its first contact and first next step if given (all or nothing).

    `contact` ({name, title, phone}) becomes its first contact; `next_step` ({kind, notes,
    step, due}) its first follow-up. Possible duplicates are returned with it (check
    /leads/duplicates first). Errors name the field: `contact.phone`, `next_step.due`, ….
    """
    found = lead_duplicates.duplicates(
        session=session,
        user=user,
        investor_name=data.investor_name,
        credit=data.investor_credit_code,
        exclude=None,
    )
    lead = lead_intake.create(session=session, actor=user, data=data).lead
    return CreatedOut(
        lead=lead_with_contacts(session, user, lead),
        duplicates=[DuplicateOut(**d.__dict__) for d in found],
    )


@router.get("/duplicates")
def duplicates(
    session: SessionDep, user: CurrentUser, investor_name: str = "", investor_credit_code: str = ""
) -> list[DuplicateOut]:
    """Leads and firms that may be the same investor."""
    found = lead_duplicates.duplicates(
        session=session,
        user=user,
        investor_name=investor_name,
        credit=investor_credit_code.strip().upper() or None,
        exclude=None,
    )
    return [DuplicateOut(**d.__dict__) for d in found]


@router.get("/board")
def board(session: SessionDep, user: CurrentUser, query: LeadQueryDep) -> list[ColumnOut]:
    """Every stage with its count, planned investment and most recently changed leads."""
    columns = lead_search.board(session=session, user=user, flt=query.to_filter(session, user))
    return [
        ColumnOut(
            stage=c.stage,
            label=c.label,
            count=c.count,
            amount=c.amount,
            cards=[lead_out(x) for x in c.cards],
        )
        for c in columns
    ]


@router.get("/stalled")
def stalled(
    session: SessionDep, user: CurrentUser, park_id: QueryId = None, team_id: QueryId = None
) -> list[FlaggedOut]:
    """Signed projects past the limit of their next milestone."""
    found = lead_watch.stalled(
        session=session, user=user, today=china_today(), park_id=park_id, team_id=team_id
    )
    return _flagged(found)


@router.get("/overdue")
def overdue(session: SessionDep, user: CurrentUser, mine: bool = False) -> list[FlaggedOut]:
    """Open leads whose next step is past due (mine=true: the user's own)."""
    owner = user.id if mine else None
    return _flagged(
        lead_watch.overdue_steps(session=session, user=user, today=china_today(), owner_id=owner)
    )


@router.get("/stale")
def stale(session: SessionDep, user: CurrentUser, mine: bool = False) -> list[FlaggedOut]:
    """Open leads with no follow-up for longer than their stage allows."""
    owner = user.id if mine else None
    return _flagged(
        lead_watch.stale(session=session, user=user, today=china_today(), owner_id=owner)
    )


@router.get("/evaluation")
def evaluation_figures(
    session: SessionDep, user: CurrentUser, start: date, end: date
) -> Evaluation:
    """Funnel, conversion, median days per stage and landed investment for a period."""
    return evaluation.evaluate(session=session, user=user, start=start, end=end)


@router.get("/limits")
def get_limits(session: SessionDep, user: CurrentUser) -> dict[str, int]:
    """The stall (stall:…) and staleness (stale:…) limits in days."""
    return lead_watch.limits(session=session)


@router.put("/limits")
def put_limits(
    session: SessionDep, user: CurrentUser, values: dict[LimitKey, LimitDays]
) -> dict[str, int]:
    """Change limits (admins): known keys only, each 1 to 3650 days."""
    plain = {key.value: days for key, days in values.items()}
    lead_watch.set_limits(session=session, actor=user, values=plain)
    return lead_watch.limits(session=session)


@router.get("/export.{fmt}")
def export(fmt: str, session: SessionDep, user: CurrentUser, query: LeadQueryDep) -> Response:
    """The filtered leads as .xlsx or .csv; phones only where the exporter may see them."""
    _, rows = lead_search.export_rows(
        session=session, user=user, flt=query.to_filter(session, user)
    )
    return table_download(
        fmt,
        f"招商项目-{china_today():%Y%m%d}",
        lead_search.EXPORT_HEADERS,
        rows,
        lead_search.EXPORT_WIDTHS,
        session=session,
        actor=user,
    )


@router.get("/{lead_id:int}")
def get_lead(lead_id: PathId, session: SessionDep, user: CurrentUser) -> LeadOut:
    """One lead with its contacts."""
    return lead_with_contacts(session, user, leads.get(session=session, user=user, lead_id=lead_id))


@router.put("/{lead_id:int}")
def update_lead(
    lead_id: PathId, session: SessionDep, user: CurrentUser, data: LeadUpdateIn
) -> LeadOut:
    """Edit a lead (its owner or an admin); a stale version is refused with 409."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    fields = LeadFields.model_validate(data.model_dump(exclude={"version"}))
    leads.update(session=session, actor=user, lead=lead, data=fields, version=data.version)
    return lead_with_contacts(session, user, lead)
