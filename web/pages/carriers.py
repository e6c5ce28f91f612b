"""The carrier library pages: list by park, kind and status; add and edit."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from core import permissions
from core.accounts import User
from core.errors import Conflict, FieldErrors
from core.orgs import Landmark, get_park_by_code, list_parks, park_names
from core.validation import parse
from enterprises.projects import carriers
from enterprises.projects.carriers import (
    CARRIER_KIND_LABELS,
    CARRIER_LABELS,
    CARRIER_STATUS_LABELS,
    Carrier,
    CarrierFields,
    CarrierKind,
    CarrierStatus,
)
from enterprises.projects.leads import Lead
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render

router = APIRouter(prefix="/carriers")
LABELS = {"kind_labels": CARRIER_KIND_LABELS, "status_labels": CARRIER_STATUS_LABELS}


@router.get("")
def carrier_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    park: str = "",
    kind: str = "",
    status: str = "",
) -> Response:
    """Every carrier with its space, price and who it is reserved for."""
    park_id = get_park_by_code(session=session, code=park).id if park else None
    rows = carriers.get_all(
        session=session,
        park_id=park_id,
        kind=CarrierKind(kind) if kind in CarrierKind.__members__ else None,
        status=CarrierStatus(status) if status in CarrierStatus.__members__ else None,
    )
    reserved_ids = [c.reserved_lead_id for c in rows if c.reserved_lead_id]
    reserved = {
        lead.id: lead.name
        for lead in session.exec(select(Lead).where(col(Lead.id).in_(reserved_ids)))
    }
    context = {
        "rows": rows,
        "reserved": reserved,
        "park_names": park_names(session=session),
        "parks": [p for p in list_parks(session=session) if p.kind == "park"],
        "params": {"park": park, "kind": kind, "status": status},
        "can_add": any(
            permissions.can_edit_carrier(user, p.id) for p in list_parks(session=session)
        ),
        **LABELS,
    }
    return render(request, "carriers/list.html", context)


def _values(form: FormData) -> dict[str, Any]:
    return {
        k: str(form[k]).strip()
        for k in CarrierFields.model_fields
        if str(form.get(k) or "").strip()
    }


def _form(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str],
    carrier: Carrier | None,
    status: int = 200,
) -> Response:
    parks = [p for p in list_parks(session=session) if permissions.can_edit_carrier(user, p.id)]
    context = {
        "values": values,
        "errors": errors,
        "carrier": carrier,
        "labels": CARRIER_LABELS,
        "park_options": [(p.id, p.name) for p in parks],
        "landmark_options": [
            (m.id, m.name) for m in session.exec(select(Landmark).order_by(col(Landmark.position)))
        ],
        **LABELS,
    }
    return render(request, "carriers/form.html", context, status_code=status)


@router.get("/new")
def new_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """An empty carrier form."""
    permissions.ensure_can_edit_carrier(user, user.park_id)
    return _form(request, session, user, {"park_id": user.park_id}, {}, None)


@router.post("/new")
def create(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Add the carrier."""
    values = _values(form)
    try:
        data = parse(CarrierFields, values, CARRIER_LABELS)
        carriers.create(session=session, actor=user, data=data)
    except FieldErrors as exc:
        return _form(request, session, user, values, exc.errors, None, status=422)
    return RedirectResponse("/carriers", status_code=303)


@router.get("/{carrier_id:int}/edit")
def edit_form(
    request: Request, carrier_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """The carrier form filled with the carrier."""
    carrier = carriers.get(session=session, carrier_id=carrier_id)
    permissions.ensure_can_edit_carrier(user, carrier.park_id)
    values = carrier.model_dump(include=set(CarrierFields.model_fields) | {"version"})
    return _form(request, session, user, values, {}, carrier)


@router.post("/{carrier_id:int}/edit")
def edit(
    request: Request, carrier_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save an edit of the carrier."""
    carrier = carriers.get(session=session, carrier_id=carrier_id)
    values = _values(form)
    version = str(form.get("version") or "")
    try:
        data = parse(CarrierFields, values, CARRIER_LABELS)
        carriers.update(
            session=session,
            actor=user,
            carrier=carrier,
            data=data,
            version=int(version) if version.isdigit() else 0,
        )
    except FieldErrors as exc:
        values["version"] = version
        return _form(request, session, user, values, exc.errors, carrier, status=422)
    except Conflict as exc:
        values["version"] = carrier.version
        return _form(request, session, user, values, {"version": exc.message}, carrier, status=409)
    return RedirectResponse("/carriers", status_code=303)
