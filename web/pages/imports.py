"""Uploading lists, previewing every row's fate, committing, and undoing imports."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from core import permissions, progress
from core.accounts import User
from core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from core.progress import Reporter
from enterprises.cultivation import designations
from enterprises.cultivation.pipeline import ORDER, STAGE_LABELS
from enterprises.spreadsheets import import_commit, imports, tabular
from enterprises.spreadsheets.import_headers import IMPORT_FIELDS
from enterprises.spreadsheets.imports import PREVIEW_ROWS, ImportBatch
from web.deps import CurrentUser, FormDep, SessionDep, own_transactions, steps
from web.render import render
from web.statuses import message_for

router = APIRouter(prefix="/imports")


def read_upload(upload: Any) -> tuple[str, bytes]:
    """Return an upload's name and bytes, reading at most one byte past the size limit."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldErrors({"file": "请选择要导入的文件"})
    return upload.filename, upload.file.read(tabular.MAX_BYTES + 1)


def _history(session: Session, user: User) -> list[ImportBatch]:
    stmt = (
        select(ImportBatch)
        .where(ImportBatch.kind == "firms")
        .order_by(col(ImportBatch.created_at).desc())
        .limit(50)
    )
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
            "stages": [(s.value, STAGE_LABELS[s]) for s in reversed(ORDER)],
            "error": error,
            "max_mb": tabular.MAX_BYTES >> 20,
            "max_rows": tabular.MAX_ROWS,
        },
        status_code=422 if error else 200,
    )


@router.get("")
def upload_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The upload form and the user's earlier imports (for those who may import: 403 else)."""
    permissions.ensure_can_import(user)
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
            list_stage=str(form.get("stage") or "recognised"),
        )
    except FieldErrors as exc:
        return _upload_page(request, session, user, message_for(exc))
    key = str(form.get("progress") or "")
    target = f"/imports/{batch.id}" + (f"?{urlencode({'progress': key})}" if key else "")
    return RedirectResponse(target, status_code=303)


def _reporter(session: Session, user: User, key: str) -> Reporter:
    """Report this request's progress under the key the waiting page polls."""
    engine = session.get_bind().engine
    return lambda stage, done, total: progress.report(engine, key, user.id or 0, stage, done, total)


def _preview_page(
    request: Request,
    session: Session,
    user: User,
    batch: ImportBatch,
    error: str = "",
    key: str = "",
    status_code: int = 422,
) -> Response:
    result = imports.preview(
        session=session, batch=batch, actor=user, progress=_reporter(session, user, key), keep=True
    )
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
            "stage_label": STAGE_LABELS[batch.stage],
            "error": error,
        },
        status_code=status_code if error else 200,
    )


def _refused(exc: DomainError) -> int:
    return 403 if isinstance(exc, PermissionDenied) else 409 if isinstance(exc, Conflict) else 422


@router.get("/progress/{key}")
def progress_of(key: str, session: SessionDep, user: CurrentUser) -> Response:
    """How far the user's upload, preview or import under `key` has got (polled while waiting)."""
    found = progress.get(session, key, user.id or 0)
    if found is None:
        return JSONResponse({"stage": "上传中", "done": 0, "total": 0})
    return JSONResponse({"stage": found.stage, "done": found.done, "total": found.total})


@router.get("/{batch_id:int}")
def preview(
    batch_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    key: Annotated[str, Query(alias="progress")] = "",
) -> Response:
    """Every row's fate: new, update (with the changed fields), unchanged, or error."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    return _preview_page(request, session, user, batch, key=key)


def column_mapping(form: Any) -> dict[int, str | None]:
    """The column mapping a preview's form sends (col-N → field, blank to skip)."""
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
    batch.mapping = {str(k): v or "" for k, v in column_mapping(form).items()}
    return RedirectResponse(f"/imports/{batch_id}", status_code=303)


# Checked in the request's read transaction, written in short ones of its own (import_commit).
@router.post("/{batch_id}/commit")
@own_transactions
def commit(
    batch_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Import every row, or nothing if any row has an error or names a firm the user may not
    change (the page shows it again with the reason)."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    reporter = _reporter(session, user, str(form.get("progress") or ""))
    try:
        import_commit.commit(
            transactions=steps(session), actor=user, batch_id=batch_id, progress=reporter
        )
    except (FieldErrors, Conflict, PermissionDenied) as exc:
        with steps(session)(False) as now:  # the batch as the failed run left it
            again = imports.get(session=now, batch_id=batch_id, actor=user)
            return _preview_page(
                request, now, user, again, message_for(exc), status_code=_refused(exc)
            )
    return RedirectResponse(f"/imports/{batch.id}", status_code=303)


@router.post("/{batch_id}/undo")
@own_transactions
def undo(batch_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Reverse a committed import as a whole, or say which firms changed since (and undo
    nothing)."""
    imports.get(session=session, batch_id=batch_id, actor=user)
    try:
        import_commit.undo(transactions=steps(session), actor=user, batch_id=batch_id)
    except (Conflict, PermissionDenied) as exc:
        with steps(session)(False) as now:
            again = imports.get(session=now, batch_id=batch_id, actor=user)
            return _preview_page(
                request, now, user, again, message_for(exc), status_code=_refused(exc)
            )
    return RedirectResponse("/imports", status_code=303)
