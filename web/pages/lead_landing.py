"""Landing a project (注册落地) with its registered firm, and filling in a pending credit code."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from core import permissions
from core.db import china_today
from core.errors import DomainError, FieldErrors, PermissionDenied
from core.validation import parse
from enterprises.projects import landing, lead_stages, leads
from enterprises.projects.lead_stages import MOVE_LABELS, LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from enterprises.registry.models import Enterprise
from web.deps import CurrentUser, FormDep, SessionDep, lead_reader
from web.pages.leads import detail_page
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter(prefix="/leads/{lead_id:int}", dependencies=[Depends(lead_reader)])

LAND_FIELDS = ["on", "note", "enterprise_id", "registered_name", "registered_credit_code"]


def landing_url(lead_id: int) -> str:
    """Where a move to 注册落地 without its firm is sent."""
    return f"/leads/{lead_id}/land"


def needs_firm(lead: Lead, data: LeadMoveFields) -> bool:
    """A move to 注册落地 that names no registered firm, for a lead not linked to one yet."""
    return (
        data.to_stage == LeadStage.registered
        and lead.enterprise_id is None
        and data.enterprise_id is None
        and not data.registered_name.strip()
        and not lead_stages.refusal(lead, data)
    )


def to_landing_form(request: Request, lead_id: int) -> Response:
    """Send the user to the landing form (htmx follows HX-Redirect, a browser the 303)."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": landing_url(lead_id)})
    return RedirectResponse(landing_url(lead_id), status_code=303)


def _land_page(
    request: Request,
    session: SessionDep,
    lead: Lead,
    *,
    term: str = "",
    values: dict[str, Any] | None = None,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "lead": lead,
        "term": term,
        "choices": landing.firm_choices(session=session, term=term),
        "values": values or {},
        "error": error,
        "field_errors": field_errors or {},
        "today": china_today().isoformat(),
        "landed": session.get(Enterprise, lead.enterprise_id) if lead.enterprise_id else None,
    }
    return render(
        request,
        "leads/land.html",
        context,
        fragment="leads/_land_choices.html",
        status_code=status,
    )


def _editable_lead(session: SessionDep, user: CurrentUser, lead_id: int) -> Lead:
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    if not permissions.can_edit_lead(user, lead.owner_id):
        raise PermissionDenied("只有项目负责人、其团队负责人或管理员可以办理注册落地")
    return lead


@router.get("/land")
def land_form(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, q: str = ""
) -> Response:
    """The landing form: choose the registered firm from the registry, or enter it."""
    lead = _editable_lead(session, user, lead_id)
    return _land_page(request, session, lead, term=q[:100])


@router.post("/land")
def land(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Move the lead to 注册落地 with its registered firm; a refusal shows on the form."""
    lead = _editable_lead(session, user, lead_id)
    values = {k: str(form[k]).strip() for k in LAND_FIELDS if str(form.get(k) or "").strip()}
    pending = form.get("registered_code_pending") == "on"
    version = str(form.get("version") or "")
    try:
        data = parse(
            LeadMoveFields,
            values | {"to_stage": LeadStage.registered, "registered_code_pending": pending},
            MOVE_LABELS,
        )
        with session.begin_nested():  # a refusal leaves nothing half-written
            lead_stages.move(
                session=session,
                actor=user,
                lead=lead,
                data=data,
                version=int(version) if version.isdigit() else None,
            )
    except DomainError as exc:
        lead = leads.get(session=session, user=user, lead_id=lead_id)
        fields = exc.errors if isinstance(exc, FieldErrors) else {}
        return _land_page(
            request,
            session,
            lead,
            term=str(form.get("q") or "")[:100],
            values=values | {"registered_code_pending": pending},
            error=message_for(exc),
            field_errors=fields,
            status=status_for(exc),
        )
    return RedirectResponse(f"/leads/{lead_id}#stage", status_code=303)


@router.post("/firm-code")
def fill_firm_code(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Fill in the credit code of the landed firm registered with its code pending."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    try:
        with session.begin_nested():
            code = str(form.get("credit_code") or "")
            landing.fill_code(session=session, actor=user, lead=lead, code=code)
    except DomainError as exc:
        lead = leads.get(session=session, user=user, lead_id=lead_id)
        return detail_page(
            request, session, user, lead, {"firm": message_for(exc)}, status_for(exc)
        )
    return RedirectResponse(f"/leads/{lead_id}#stage", status_code=303)
