"""Uploading lists, previewing every row's fate, committing, and undoing imports."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from core import permissions
from core.accounts import User
from core.errors import Conflict, FieldErrors
from enterprises import designations, import_commit, imports, tabular
from enterprises.imports import IMPORT_FIELDS, PREVIEW_ROWS, ImportBatch
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render
from web.statuses import message_for

router = APIRouter(prefix="/imports")


def read_upload(upload: Any) -> tuple[str, bytes]:
    """Return an upload's name and bytes, reading at most one byte past the size limit."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldErrors({"file": "请选择要导入的文件"})
    return upload.filename, upload.file.read(tabular.MAX_BYTES + 1)


def _history(session: Session, user: User) -> list[ImportBatch]:
    stmt = select(ImportBatch).order_by(col(ImportBatch.created_at).desc()).limit(50)
    if not permissions.sees_every_import(user):
        stmt = stmt.where(ImportBatch.actor_id == user.id)
    return list(session.exec(stmt))


def _upload_page(request: Request, session: Session, user: User, error: str = "") -> Response:
    return render(
        request,
        "imports/list.html",
        {
            "batches": _history(session, user),
            "designations": designations.get_all(session=session, include_inactive=False),
            "error": error,
            "max_mb": tabular.MAX_BYTES >> 20,
            "max_rows": tabular.MAX_ROWS,
        },
        status_code=422 if error else 200,
    )


@router.get("")
def upload_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The upload form and the user's earlier imports."""
    return _upload_page(request, session, user)


# A plain def: parsing a large file takes seconds and must run off the event loop.
@router.post("")
def upload(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Keep the file as a pending batch and show its preview."""
    code = str(form.get("designation") or "")
    try:
        filename, content = read_upload(form.get("file"))
        designation_id = designations.get_by_code(session=session, code=code).id if code else None
        batch = imports.stage(
            session=session,
            actor=user,
            filename=filename,
            content=content,
            designation_id=designation_id,
        )
    except FieldErrors as exc:
        return _upload_page(request, session, user, message_for(exc))
    return RedirectResponse(f"/imports/{batch.id}", status_code=303)


def _preview_page(
    request: Request, session: Session, user: User, batch: ImportBatch, error: str = ""
) -> Response:
    result = imports.preview(session=session, batch=batch)
    designation = (
        session.get(designations.Designation, batch.designation_id)
        if batch.designation_id
        else None
    )
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "result": result,
            "shown": [r for r in result.rows if r.status != "same"][:PREVIEW_ROWS],
            "fields": {k: v[0] for k, v in IMPORT_FIELDS.items()},
            "designation": designation,
            "error": error,
        },
        status_code=422 if error else 200,
    )


@router.get("/{batch_id}")
def preview(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every row's fate: new, update (with the changed fields), unchanged, or error."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    return _preview_page(request, session, user, batch)


def _mapping(form: Any) -> dict[int, str | None]:
    return {
        int(key[4:]): (str(value) or None)
        for key, value in form.items()
        if key.startswith("col-") and key[4:].isdigit()
    }


@router.post("/{batch_id}/mapping")
def remap(batch_id: int, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Keep the corrected column mapping of a pending batch."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    if batch.status != imports.ImportStatus.pending:
        raise Conflict("已提交的批次不能再修改列对应关系")
    batch.mapping = {str(k): v or "" for k, v in _mapping(form).items()}
    return RedirectResponse(f"/imports/{batch_id}", status_code=303)


@router.post("/{batch_id}/commit")
def commit(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Import every row, or nothing if any row has an error."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    try:
        import_commit.commit(session=session, actor=user, batch=batch, mapping=None)
    except (FieldErrors, Conflict) as exc:
        return _preview_page(request, session, user, batch, message_for(exc))
    return RedirectResponse(f"/imports/{batch_id}", status_code=303)


@router.post("/{batch_id}/undo")
def undo(batch_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Reverse a committed import as a whole."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    import_commit.undo(session=session, actor=user, batch=batch)
    return RedirectResponse("/imports", status_code=303)
