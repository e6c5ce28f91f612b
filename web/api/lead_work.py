"""The JSON API of the work on one project: stage moves, follow-ups, capital arrivals,
contacts (and revealing a contact's phone), fitting carriers."""

from datetime import date, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from core.db import require_id
from enterprises.projects import (
    carriers,
    followups,
    lead_contacts,
    lead_move_dates,
    lead_stages,
    leads,
)
from enterprises.projects.followups import FollowUpFields, FollowUpKind
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_move_dates import MoveDateFields
from enterprises.projects.lead_stages import ArrivalFields, LeadMoveFields
from enterprises.projects.leads import LeadStage
from web.api.leads import LeadOut, lead_with_contacts
from web.deps import CurrentUser, PathId, SessionDep, Version, lead_reader

router = APIRouter(prefix="/leads", tags=["leads"], dependencies=[Depends(lead_reader)])


class MoveIn(LeadMoveFields):
    """A stage move; send the version you read to be refused (409) if it changed since."""

    version: Version | None = None


class MoveOut(BaseModel):
    """One stage move: `on` is the day it took effect, `recorded_at` when it was entered."""

    id: int
    on: date
    recorded_at: datetime
    date_corrected_at: datetime | None
    date_correction: str
    actor_name: str
    from_stage: LeadStage | None
    to_stage: LeadStage
    drop_reason: str
    note: str


class FollowUpOut(FollowUpFields):
    """One follow-up."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int
    kind: FollowUpKind
    actor_name: str


class ArrivalOut(ArrivalFields):
    """Capital that arrived."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int


@router.get("/{lead_id:int}/moves")
def list_moves(lead_id: PathId, session: SessionDep, user: CurrentUser) -> list[MoveOut]:
    """The lead's stage moves, newest first."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    moves = lead_stages.moves(session=session, lead_id=require_id(lead))
    return [MoveOut.model_validate(m, from_attributes=True) for m in moves]


@router.post("/{lead_id:int}/moves", status_code=201)
def move(lead_id: PathId, session: SessionDep, user: CurrentUser, data: MoveIn) -> LeadOut:
    """Move the lead; refused moves answer 409 with the rule that refused them (a move past
    stages needs a `note`)."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    fields = LeadMoveFields.model_validate(data.model_dump(exclude={"version"}))
    lead_stages.move(
        session=session, actor=user, lead=lead, data=fields, version=data.version, by_hand=True
    )
    return lead_with_contacts(session, user, lead)


class MoveDateIn(MoveDateFields):
    """A corrected effective date; send the lead's version you read to be refused if stale."""

    version: Version | None = None


@router.put("/{lead_id:int}/moves/{move_id:int}/date")
def correct_move_date(
    lead_id: PathId, move_id: PathId, session: SessionDep, user: CurrentUser, data: MoveDateIn
) -> MoveOut:
    """Correct the effective date of a move (admins, with a reason; audited)."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    fields = MoveDateFields.model_validate(data.model_dump(exclude={"version"}))
    moved = lead_move_dates.correct_date(
        session=session,
        actor=user,
        lead=lead,
        move_id=move_id,
        data=fields,
        version=data.version,
    )
    return MoveOut.model_validate(moved, from_attributes=True)


@router.get("/{lead_id:int}/followups")
def list_follow_ups(lead_id: PathId, session: SessionDep, user: CurrentUser) -> list[FollowUpOut]:
    """The follow-up log, newest first."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    entries = followups.of_lead(session=session, lead_id=require_id(lead))
    return [FollowUpOut.model_validate(e, from_attributes=True) for e in entries]


@router.post("/{lead_id:int}/followups", status_code=201)
def log_follow_up(
    lead_id: PathId, session: SessionDep, user: CurrentUser, data: FollowUpFields
) -> FollowUpOut:
    """Add to the follow-up log."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    entry = followups.log(session=session, actor=user, lead=lead, data=data)
    return FollowUpOut.model_validate(entry, from_attributes=True)


@router.get("/{lead_id:int}/arrivals")
def list_arrivals(lead_id: PathId, session: SessionDep, user: CurrentUser) -> list[ArrivalOut]:
    """Capital arrivals, newest first."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    rows = lead_stages.arrivals(session=session, lead_id=require_id(lead))
    return [ArrivalOut.model_validate(a, from_attributes=True) for a in rows]


@router.post("/{lead_id:int}/arrivals", status_code=201)
def add_arrival(
    lead_id: PathId, session: SessionDep, user: CurrentUser, data: ArrivalFields
) -> ArrivalOut:
    """Record capital that arrived for a signed project."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    arrival = lead_stages.add_arrival(session=session, actor=user, lead=lead, data=data)
    return ArrivalOut.model_validate(arrival, from_attributes=True)


@router.post("/{lead_id:int}/contacts", status_code=201)
def add_contact(
    lead_id: PathId, session: SessionDep, user: CurrentUser, data: ContactFields
) -> LeadOut:
    """Add a contact person."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    lead_contacts.add_contact(session=session, actor=user, lead=lead, data=data)
    return lead_with_contacts(session, user, lead)


@router.delete("/{lead_id:int}/contacts/{contact_id:int}", status_code=204)
def remove_contact(
    lead_id: PathId, contact_id: PathId, session: SessionDep, user: CurrentUser
) -> None:
    """Remove a contact person."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    lead_contacts.remove_contact(session=session, actor=user, lead=lead, contact_id=contact_id)


class PhoneOut(BaseModel):
    """A contact's whole phone; every look is in the audit log."""

    phone: str


@router.post("/{lead_id:int}/contacts/{contact_id:int}/phone", response_model=PhoneOut)
def reveal_phone(
    lead_id: PathId, contact_id: PathId, session: SessionDep, user: CurrentUser
) -> PhoneOut:
    """A contact's whole phone, for the project's team and admins."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    return PhoneOut(
        phone=lead_contacts.reveal_phone(
            session=session, actor=user, lead=lead, contact_id=contact_id
        )
    )


class CarrierMatchOut(BaseModel):
    """A carrier that fits the lead's park and space need."""

    id: int
    name: str
    park_id: int
    kind: str
    available_area: float = Field(description="m²")


@router.get("/{lead_id:int}/carriers")
def fitting_carriers(
    lead_id: PathId, session: SessionDep, user: CurrentUser
) -> list[CarrierMatchOut]:
    """Available carriers that fit the lead, tightest first."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    return [
        CarrierMatchOut.model_validate(c, from_attributes=True)
        for c in carriers.fitting(session=session, lead=lead)
    ]
