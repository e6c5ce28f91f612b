"""Logging a new lead: one form for the lead, its first contact and its first next step, and
the segment choice that follows the chosen chain."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from chains import service as chain_service
from core import permissions
from core.db import china_today
from core.errors import FieldErrors
from core.validation import parse
from enterprises.projects import lead_duplicates, lead_intake
from enterprises.projects.followups import FollowUpKind
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_intake import INTAKE_LABELS, FirstStepFields, IntakeFields
from enterprises.projects.leads import LeadFields
from web.deps import CurrentUser, FormDep, SessionDep, lead_reader
from web.pages.leads import form_page, form_values
from web.render import render

router = APIRouter(prefix="/leads", dependencies=[Depends(lead_reader)])

# The form's names of the nested parts, as the API names them ("contact.phone").
NESTED = {"contact": ContactFields, "next_step": FirstStepFields}


def intake_values(form: FormData) -> dict[str, Any]:
    """The lead form's values plus its contact and first step, left out when blank."""
    values = form_values(form)
    if created_on := str(form.get("created_on") or "").strip():
        values["created_on"] = created_on
    for part, model in NESTED.items():
        given = {
            name: str(form[f"{part}.{name}"]).strip()
            for name in model.model_fields
            if str(form.get(f"{part}.{name}") or "").strip()
        }
        if set(given) - {"kind"}:  # a step's kind alone is the select's default, not an entry
            values[part] = given
    return values


def _flat(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the form's fields are named, to fill the form again."""
    flat = {k: v for k, v in values.items() if k not in NESTED}
    for part in NESTED:
        flat |= {f"{part}.{k}": v for k, v in (values.get(part) or {}).items()}
    return flat


def _intake_page(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    duplicates: list[lead_duplicates.Duplicate] | None = None,
    status: int = 200,
) -> Response:
    extra = {"labels": INTAKE_LABELS, "today": china_today().isoformat()}
    return form_page(request, session, values, errors, None, duplicates, status, extra)


@router.get("/new")
def new_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """An empty lead form with its contact and first step."""
    permissions.ensure_can_create_lead(user)
    defaults = LeadFields.model_construct().model_dump()
    values = {k: v for k, v in defaults.items() if v is not None} | {
        "owner_id": user.id,
        "created_on": china_today().isoformat(),
    }
    values["next_step.kind"] = FollowUpKind.call  # the lead came by phone, as a rule
    return _intake_page(request, session, values, {})


@router.post("/new")
def create(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Log the lead with its contact and next step; a possible duplicate is confirmed first."""
    values = intake_values(form)
    try:
        data = parse(IntakeFields, values, INTAKE_LABELS)
        found = lead_duplicates.duplicates(
            session=session,
            user=user,
            investor_name=data.investor_name,
            credit=data.investor_credit_code,
            exclude=None,
        )
        if found and form.get("confirm_duplicate") != "on":
            return _intake_page(request, session, _flat(values), {}, found, status=409)
        intake = lead_intake.create(session=session, actor=user, data=data)
    except FieldErrors as exc:
        return _intake_page(request, session, _flat(values), exc.errors, status=422)
    return RedirectResponse(f"/leads/{intake.lead.id}", status_code=303)


@router.get("/segment-options")
def segment_options(
    request: Request, session: SessionDep, chain_id: str = "", segment_id: str = ""
) -> Response:
    """The 目标环节 select for the chosen chain (htmx swaps it when the chain changes).

    No chain, or one that does not exist, gives every segment grouped by chain, as the page
    shows without JavaScript.
    """
    grouped = chain_service.segments_by_chain(session=session)
    chosen = [(c, segs) for c, segs in grouped if str(c.id) == chain_id.strip()]
    context = {
        "segments_by_chain": chosen or grouped,
        "values": {"segment_id": segment_id},
        "errors": {},
        "labels": INTAKE_LABELS,
    }
    return render(request, "leads/_segment_select.html", context)
