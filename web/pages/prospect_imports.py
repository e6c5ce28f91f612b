"""Importing lists of target firms: upload, preview every row's fate, correct columns, commit."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.errors import FieldErrors
from enterprises.prospects import imports, matching
from enterprises.prospects.imports import FIELDS, PREVIEW_ROWS
from enterprises.prospects.models import PROSPECT_LABELS, ImportState, ProspectImport
from enterprises.spreadsheets import tabular
from web.deps import CurrentUser, FormDep, SessionDep
from web.pages.imports import read_upload
from web.render import render
from web.statuses import message_for

router = APIRouter(prefix="/prospects/imports")


def _upload_page(request: Request, session: Session, error: str = "") -> Response:
    context = {
        "batches": imports.recent(session=session),
        "error": error,
        "max_mb": tabular.MAX_BYTES >> 20,
        "max_rows": tabular.MAX_ROWS,
        "fields": {k: PROSPECT_LABELS[k] for k in FIELDS},
    }
    return render(request, "prospects/imports.html", context, status_code=422 if error else 200)


@router.get("")
def upload_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The upload form and earlier imports (for those who keep the library: 403 else)."""
    permissions.ensure_can_edit_prospects(user)
    return _upload_page(request, session)


@router.post("")
def upload(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Keep the list as a pending batch and show its preview."""
    permissions.ensure_can_edit_prospects(user)
    try:
        filename, content = read_upload(form.get("file"))
        batch = imports.stage(
            session=session,
            actor=user,
            filename=filename,
            content=content,
            source_list=str(form.get("source_list") or ""),
        )
    except FieldErrors as exc:
        return _upload_page(request, session, message_for(exc))
    return RedirectResponse(f"/prospects/imports/{batch.id}", status_code=303)


def _preview_page(
    request: Request, session: Session, batch: ProspectImport, error: str = "", status: int = 200
) -> Response:
    try:
        result = imports.preview(session=session, batch=batch)
    except FieldErrors as exc:
        result, error, status = None, message_for(exc), 422
    context = {
        "batch": batch,
        "result": result,
        "shown": [r for r in result.rows if r.status != "same"][:PREVIEW_ROWS] if result else [],
        "fields": {k: PROSPECT_LABELS[k] for k in FIELDS},
        "error": error,
    }
    return render(request, "prospects/import_preview.html", context, status_code=status)


@router.get("/{prospect_batch_id:int}")
def preview(
    prospect_batch_id: int, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Every row's fate: new, update of a target already held, unchanged, or error."""
    batch = imports.get(session=session, user=user, batch_id=prospect_batch_id)
    return _preview_page(request, session, batch)


@router.post("/{prospect_batch_id:int}/mapping")
def remap(
    prospect_batch_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Keep the corrected column mapping of a pending batch."""
    batch = imports.get(session=session, user=user, batch_id=prospect_batch_id)
    mapping = {
        key[4:]: str(value)
        for key, value in form.items()
        if key.startswith("col-") and key[4:].isdigit()
    }
    try:
        imports.set_mapping(session=session, batch=batch, mapping=mapping)
    except FieldErrors as exc:
        return _preview_page(request, session, batch, message_for(exc), 422)
    return RedirectResponse(f"/prospects/imports/{prospect_batch_id}", status_code=303)


def commit_batch(session: Session, user: User, batch: ProspectImport) -> None:
    """Commit a batch and suggest segments for the firms it created or changed."""
    result = imports.commit(session=session, actor=user, batch=batch)
    matching.refresh_prospects(session=session, prospect_ids=imports.changed_ids(result))


@router.post("/{prospect_batch_id:int}/commit")
def commit(
    prospect_batch_id: int, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Import every row, or none if any has an error (the preview shows it again)."""
    batch = imports.get(session=session, user=user, batch_id=prospect_batch_id)
    if batch.status == ImportState.pending:
        try:
            commit_batch(session, user, batch)
        except FieldErrors as exc:
            return _preview_page(request, session, batch, message_for(exc), 422)
    return RedirectResponse(f"/prospects/imports/{prospect_batch_id}", status_code=303)
