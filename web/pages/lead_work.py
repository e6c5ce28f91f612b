"""What is done to a lead from its page or a board card: moves, follow-ups, capital, carriers."""

from dataclasses import fields
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from core.db import china_today
from core.errors import DomainError, FieldErrors
from core.validation import parse
from enterprises.projects import (
    carriers,
    followups,
    lead_contacts,
    lead_move_dates,
    lead_search,
    lead_stages,
    leads,
)
from enterprises.projects.followups import FOLLOW_UP_LABELS, FollowUpFields
from enterprises.projects.lead_contacts import CONTACT_LABELS, ContactFields
from enterprises.projects.lead_move_dates import MOVE_DATE_LABELS, MoveDateFields
from enterprises.projects.lead_stages import (
    ARRIVAL_LABELS,
    MOVE_LABELS,
    ArrivalFields,
    LeadMoveFields,
)
from web.deps import CurrentUser, FormDep, SessionDep, lead_reader
from web.filters import LeadQuery
from web.pages import lead_landing
from web.pages.leads import _board_page, detail_page
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter(prefix="/leads/{lead_id:int}", dependencies=[Depends(lead_reader)])


def _values(form: FormData, names: Any) -> dict[str, str]:
    """The submitted fields of a model; blank ones are left out so defaults apply."""
    return {k: str(form[k]).strip() for k in names if str(form.get(k) or "").strip()}


def _back_to_board(form: FormData) -> dict[str, str] | None:
    """The board filters a card's form carries, or None when it came from the lead page."""
    if form.get("back") != "board":
        return None
    return {f.name: str(form[f.name]) for f in fields(LeadQuery) if form.get(f.name)}


@router.post("/move")
def move(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Move the lead; a refusal shows beside the form (on the board: above it)."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    board = _back_to_board(form)
    version = str(form.get("version") or "")
    try:
        data = parse(LeadMoveFields, _values(form, LeadMoveFields.model_fields), MOVE_LABELS)
        if lead_landing.needs_firm(lead, data):  # 注册落地 asks which firm registered
            return lead_landing.to_landing_form(request, lead_id)
        passed = lead_stages.skipped(lead, data.to_stage)
        if passed and data.note.strip() and form.get("confirm_jump") != "on":
            raise FieldErrors({"confirm_jump": "一次跨越多个阶段须勾选确认"})
        with session.begin_nested():  # a refusal leaves nothing half-written
            lead_stages.move(
                session=session,
                actor=user,
                lead=lead,
                data=data,
                version=int(version) if version.isdigit() else None,
                by_hand=True,
            )
    except DomainError as exc:
        if board is None:
            lead = leads.get(session=session, user=user, lead_id=lead_id)
            return detail_page(
                request, session, user, lead, {"move": message_for(exc)}, status_for(exc)
            )
        query = LeadQuery(**board)
        columns = lead_search.board(session=session, user=user, flt=query.to_filter(session, user))
        error = f"“{lead.name}”未移动：{message_for(exc)}"
        return _board_page(
            request, session, user, query, columns, error=error, status=status_for(exc)
        )
    if board is not None:
        params = urlencode(board | {"moved": lead.name})
        return RedirectResponse(f"/leads/board?{params}", status_code=303)
    return RedirectResponse(f"/leads/{lead_id}#stage", status_code=303)


def _on_lead_page(
    request: Request,
    lead_id: int,
    session: SessionDep,
    user: CurrentUser,
    section: str,
    action: Any,
) -> Response:
    """Run an action on the lead; on a refusal show the page with the error by its form."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    try:
        with session.begin_nested():  # a refusal leaves nothing half-written
            action(lead)
    except DomainError as exc:
        lead = leads.get(session=session, user=user, lead_id=lead_id)
        return detail_page(
            request, session, user, lead, {section: message_for(exc)}, status_for(exc)
        )
    return RedirectResponse(f"/leads/{lead_id}#{section}", status_code=303)


@router.post("/moves/{move_id:int}/date")
def correct_move_date(
    request: Request,
    lead_id: int,
    move_id: int,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Correct a move's effective date (admins, with a reason)."""
    version = str(form.get("version") or "")

    def action(lead: leads.Lead) -> None:
        values = _values(form, MoveDateFields.model_fields)
        data = parse(MoveDateFields, values, MOVE_DATE_LABELS)
        lead_move_dates.correct_date(
            session=session,
            actor=user,
            lead=lead,
            move_id=move_id,
            data=data,
            version=int(version) if version.isdigit() else None,
        )

    return _on_lead_page(request, lead_id, session, user, "moves", action)


@router.post("/followups")
def log_follow_up(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add to the follow-up log."""

    def action(lead: leads.Lead) -> None:
        values = _values(form, FollowUpFields.model_fields)
        data = parse(FollowUpFields, values, FOLLOW_UP_LABELS)
        followups.log(session=session, actor=user, lead=lead, data=data)

    return _on_lead_page(request, lead_id, session, user, "followup", action)


@router.post("/arrivals")
def add_arrival(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Record capital that arrived."""

    def action(lead: leads.Lead) -> None:
        values = _values(form, ArrivalFields.model_fields)
        data = parse(ArrivalFields, values, ARRIVAL_LABELS)
        lead_stages.add_arrival(session=session, actor=user, lead=lead, data=data)

    return _on_lead_page(request, lead_id, session, user, "arrival", action)


@router.post("/contacts")
def add_contact(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a contact person."""

    def action(lead: leads.Lead) -> None:
        data = parse(ContactFields, _values(form, ContactFields.model_fields), CONTACT_LABELS)
        lead_contacts.add_contact(session=session, actor=user, lead=lead, data=data)

    return _on_lead_page(request, lead_id, session, user, "contacts", action)


@router.post("/contacts/{contact_id:int}/delete")
def remove_contact(
    request: Request, lead_id: int, contact_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """Remove a contact person."""

    def action(lead: leads.Lead) -> None:
        lead_contacts.remove_contact(session=session, actor=user, lead=lead, contact_id=contact_id)

    return _on_lead_page(request, lead_id, session, user, "contacts", action)


@router.post("/contacts/{contact_id:int}/phone")
def reveal_phone(
    request: Request, lead_id: int, contact_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """A contact's whole phone (logged), swapped in for the masked one."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    phone = lead_contacts.reveal_phone(
        session=session, actor=user, lead=lead, contact_id=contact_id
    )
    return render(request, "_phone.html", {"phone": phone})


@router.post("/carriers/{carrier_id:int}/reserve")
def reserve(
    request: Request, lead_id: int, carrier_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """Reserve a carrier for the signed project."""

    def action(lead: leads.Lead) -> None:
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        carriers.reserve(session=session, actor=user, carrier=carrier, lead=lead, on=china_today())

    return _on_lead_page(request, lead_id, session, user, "carriers", action)


@router.post("/carriers/{carrier_id:int}/release")
def release(
    request: Request, lead_id: int, carrier_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """Give a reserved carrier back."""

    def action(lead: leads.Lead) -> None:
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        carriers.release(session=session, actor=user, carrier=carrier, lead=lead)

    return _on_lead_page(request, lead_id, session, user, "carriers", action)
