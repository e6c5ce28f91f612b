"""Importing lists through the JSON API: upload, preview, commit, undo."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, StringConstraints

from core.db import require_id
from enterprises.cultivation import designations
from enterprises.spreadsheets import import_commit, imports, tabular
from enterprises.spreadsheets.import_rows import Preview
from enterprises.spreadsheets.imports import ImportBatch, ImportStatus
from web.deps import CurrentUser, PathId, SessionDep, own_transactions, steps

router = APIRouter(prefix="/imports", tags=["imports"])


class RowOut(BaseModel):
    """One row's fate."""

    row: int
    status: str
    name: str
    enterprise_id: int | None
    changes: dict[str, tuple[object, object]]
    errors: list[str]
    notes: list[str]


class PreviewOut(BaseModel):
    """A batch and every row's fate under its column mapping."""

    id: int
    filename: str
    sha256: str
    status: ImportStatus
    header_row: int
    mapping: dict[int, str | None]
    counts: dict[str, int]
    errors: list[str]
    rows: list[RowOut]


# A column's index, as a JSON object's key: digits only (declared, so the schema says so).
ColumnIndex = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}$")]


class CommitIn(BaseModel):
    """An optional corrected mapping: column index → field (null to skip the column)."""

    mapping: dict[ColumnIndex, str | None] | None = None


def _out(batch: ImportBatch, result: Preview, status: ImportStatus | None = None) -> PreviewOut:
    return PreviewOut(
        id=require_id(batch),
        filename=batch.filename,
        sha256=batch.sha256,
        status=status or ImportStatus(batch.status),
        header_row=result.header_row,
        mapping={i: key for i, _, key in result.columns},
        counts={s: result.count(s) for s in ("new", "update", "same", "error")},
        errors=result.errors,
        rows=[
            RowOut(
                row=r.row,
                status=r.status,
                name=r.name,
                enterprise_id=r.enterprise_id,
                changes={
                    k: (str(a) if a is not None else None, str(b))
                    for k, (a, b) in r.shown_changes.items()
                },
                errors=r.errors,
                notes=r.notes,
            )
            for r in result.rows
        ],
    )


# A plain def: parsing a large file takes seconds and must run off the event loop.
@router.post("", response_model=PreviewOut, status_code=201)
def upload(
    file: Annotated[UploadFile, File(description=".xlsx, .xls or .csv")],
    session: SessionDep,
    user: CurrentUser,
    designation: Annotated[str, Form(description="designation code for a recognition list")] = "",
    stage: Annotated[
        Literal["candidate", "pool", "applied", "recognised"],
        Form(
            description="the stage a designation list places its firms at: 候选/入库培育/申报/认定"
        ),
    ] = "recognised",
) -> PreviewOut:
    """Upload a list; the answer is its preview (nothing is imported yet)."""
    content = file.file.read(tabular.MAX_BYTES + 1)
    designation_id = (
        designations.get_by_code(session=session, code=designation).id if designation else None
    )
    batch = imports.stage(
        session=session,
        actor=user,
        filename=file.filename or "upload",
        content=content,
        designation_id=designation_id,
        list_stage=stage,
    )
    return _out(batch, imports.preview(session=session, batch=batch, actor=user, keep=True))


@router.get("/{batch_id}", response_model=PreviewOut)
def preview(batch_id: PathId, session: SessionDep, user: CurrentUser) -> PreviewOut:
    """A batch with every row's fate."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    return _out(batch, imports.preview(session=session, batch=batch, actor=user, keep=True))


# Checked in the request's read transaction, written in short ones of its own (import_commit).
@router.post("/{batch_id}/commit", response_model=PreviewOut)
@own_transactions
def commit(batch_id: PathId, data: CommitIn, session: SessionDep, user: CurrentUser) -> PreviewOut:
    """Import every row, or none if any row has an error (422 lists them); 403 naming the row
    of a firm the user may not change; 409 while the batch is being written or undone."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    mapping = None if data.mapping is None else {int(i): f for i, f in data.mapping.items()}
    done = import_commit.commit(
        transactions=steps(session), actor=user, batch_id=batch_id, mapping=mapping
    )
    return _out(batch, done.preview, done.status)


@router.post("/{batch_id}/undo", response_model=PreviewOut)
@own_transactions
def undo(batch_id: PathId, session: SessionDep, user: CurrentUser) -> PreviewOut:
    """Reverse a committed import as a whole; 409 naming the firms changed since (nothing is
    reverted then), 403 naming those the user may not change."""
    batch = imports.get(session=session, batch_id=batch_id, actor=user)
    status = import_commit.undo(transactions=steps(session), actor=user, batch_id=batch_id)
    with steps(session)(False) as after:  # the request's own reads began before the undo
        again = imports.get(session=after, batch_id=batch_id, actor=user)
        return _out(batch, imports.preview(session=after, batch=again, actor=user), status)
