"""Adding, changing and removing the items of a chain's dossier from the browser."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from chainmaps import figures as chain_figures
from chains import dossier as dossier_service
from chains.models import DOSSIER_FIELD_LABELS, DOSSIER_LABELS, Chain, DossierItemFields
from core.errors import Conflict, FieldErrors
from core.validation import parse
from web.deps import CurrentUser, EditableChain, FormDep, SessionDep
from web.render import render

router = APIRouter(prefix="/chains/{code}/dossier")


def _form_page(
    request: Request,
    session: Session,
    chain: Chain,
    values: dict[str, Any],
    item_id: int | None,
    errors: dict[str, str] | None = None,
    status: int = 422,
) -> Response:
    return render(
        request,
        "chains/dossier_form.html",
        {
            "chain": chain_figures.detail(session=session, code=chain.code),
            "values": values,
            "item_id": item_id,
            "errors": errors or {},
            "labels": DOSSIER_FIELD_LABELS,
            "dossier_labels": DOSSIER_LABELS,
        },
        status_code=status if errors else 200,
    )


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: str(form.get(name) or "").strip() for name in DossierItemFields.model_fields
    }
    values["issued_date"] = values["issued_date"] or None
    values["position"] = values["position"] or 0
    return values


def _back(chain: Chain, kind: str) -> Response:
    return RedirectResponse(f"/chains/{chain.code}/dossier#{kind}", status_code=303)


@router.get("/new")
def new_item(
    chain: EditableChain, request: Request, session: SessionDep, kind: str = "project"
) -> Response:
    """An empty dossier item form of the chosen kind."""
    values = {"kind": kind if kind in DOSSIER_LABELS else "project", "position": 0}
    return _form_page(request, session, chain, values, None)


@router.post("/new")
def create_item(
    chain: EditableChain, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add the item, or show the form again with its errors."""
    values = _values(form)
    try:
        data = parse(DossierItemFields, values, DOSSIER_FIELD_LABELS)
        dossier_service.create(session=session, actor=user, chain=chain, data=data)
    except FieldErrors as exc:
        return _form_page(request, session, chain, values, None, exc.errors)
    return _back(chain, data.kind)


@router.get("/{item_id}/edit")
def edit_item(
    item_id: int, chain: EditableChain, request: Request, session: SessionDep
) -> Response:
    """The dossier item form filled with the item's values."""
    item = dossier_service.get(session=session, chain=chain, item_id=item_id)
    return _form_page(request, session, chain, item.model_dump(), item_id)


@router.post("/{item_id}/edit")
def update_item(
    item_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Save the item, or show the form again with its errors."""
    item = dossier_service.get(session=session, chain=chain, item_id=item_id)
    values = _values(form)
    version = str(form.get("version") or "")
    try:
        data = parse(DossierItemFields, values, DOSSIER_FIELD_LABELS)
        dossier_service.update(
            session=session,
            actor=user,
            chain=chain,
            item=item,
            data=data,
            version=int(version) if version.isdigit() else None,
        )
    except FieldErrors as exc:
        values["version"] = version
        return _form_page(request, session, chain, values, item_id, exc.errors)
    except Conflict as exc:
        # Keep what this user typed, drawn anew from the current version: a resave is deliberate.
        values["version"] = item.version
        errors = {"version": exc.message}
        return _form_page(request, session, chain, values, item_id, errors, 409)
    return _back(chain, data.kind)


@router.post("/{item_id}/delete")
def delete_item(
    item_id: int, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> Response:
    """Remove the item."""
    item = dossier_service.get(session=session, chain=chain, item_id=item_id)
    kind = str(item.kind)
    dossier_service.delete(session=session, actor=user, chain=chain, item=item)
    return _back(chain, kind)
