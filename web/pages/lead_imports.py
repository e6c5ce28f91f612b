"""Importing a project ledger (项目台账) from the browser: upload, preview with the column
mapping, commit, undo, and the template to fill."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.errors import Conflict, DomainError, FieldErrors
from enterprises.projects import ledger_import
from enterprises.projects.ledger_rows import LEDGER_FIELDS
from enterprises.spreadsheets import tabular
from enterprises.spreadsheets.imports import ImportBatch
from web.api.lead_imports import template as template_download
from web.deps import CurrentUser, FormDep, SessionDep
from web.pages.imports import column_mapping, read_upload
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter(prefix="/leads/imports")
SHOWN_ROWS = 300


def _list_page(request: Request, session: Session, user: User, error: str = "") -> Response:
    context = {
        "batches": ledger_import.batches(session=session, actor=user),
        "fields": LEDGER_FIELDS,
        "error": error,
        "max_mb": tabular.MAX_BYTES >> 20,
        "max_rows": ledger_import.MAX_ROWS,
    }
    return render(request, "leads/imports.html", context, status_code=422 if error else 200)


@router.get("")
def upload_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The upload form and the user's earlier ledger imports."""
    permissions.ensure_can_create_lead(user)
    return _list_page(request, session, user)


@router.get("/template.xlsx")
def template(user: CurrentUser) -> Response:
    """The empty ledger to fill."""
    return template_download(user)


@router.post("")
def upload(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Keep the ledger as a pending batch and show its preview."""
    try:
        filename, content = read_upload(form.get("file"))
        batch = ledger_import.stage(session=session, actor=user, filename=filename, content=content)
    except FieldErrors as exc:
        return _list_page(request, session, user, message_for(exc))
    return RedirectResponse(f"/leads/imports/{batch.id}", status_code=303)


def _preview_page(
    request: Request,
    session: Session,
    user: User,
    batch: ImportBatch,
    error: str = "",
    status_code: int = 200,
) -> Response:
    try:
        ledger = ledger_import.preview(session=session, actor=user, batch=batch)
    except FieldErrors as exc:
        ledger, error, status_code = None, message_for(exc), 422
    context = {
        "batch": batch,
        "ledger": ledger,
        "rows": ledger.rows[:SHOWN_ROWS] if ledger else [],
        "fields": LEDGER_FIELDS,
        "error": error,
    }
    return render(request, "leads/import.html", context, status_code=status_code)


@router.get("/{batch_id:int}")
def preview(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every row's fate: new, duplicate (left out) or error naming row and column."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    return _preview_page(request, session, user, batch)


@router.post("/{batch_id:int}/mapping")
def remap(
    batch_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Keep the corrected column mapping of a pending batch."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    if batch.status != "pending":
        raise Conflict("已提交的批次不能再修改列对应关系")
    try:
        with session.begin_nested():
            ledger_import.preview(
                session=session, actor=user, batch=batch, mapping=column_mapping(form)
            )
    except FieldErrors as exc:
        return _preview_page(request, session, user, batch, message_for(exc), 422)
    return RedirectResponse(f"/leads/imports/{batch_id}", status_code=303)


@router.post("/{batch_id:int}/commit")
def commit(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Import every new row with its history, or nothing (the page says why)."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    try:
        with session.begin_nested():  # a refusal leaves nothing half-written
            ledger_import.commit(session=session, actor=user, batch=batch)
    except DomainError as exc:
        batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
        return _preview_page(request, session, user, batch, message_for(exc), status_for(exc))
    return RedirectResponse(f"/leads/imports/{batch_id}", status_code=303)


@router.post("/{batch_id:int}/undo")
def undo(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Remove the projects the batch created, or say which changed since (and remove none)."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    try:
        with session.begin_nested():
            ledger_import.undo(session=session, actor=user, batch=batch)
    except DomainError as exc:
        batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
        return _preview_page(request, session, user, batch, message_for(exc), status_for(exc))
    return RedirectResponse("/leads/imports", status_code=303)
