"""Importing a project ledger (项目台账) through the JSON API: template, upload, preview, commit,
undo."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from core.db import require_id
from enterprises.projects import ledger_import
from enterprises.projects.ledger_rows import Ledger
from enterprises.spreadsheets import tabular
from enterprises.spreadsheets.imports import ImportBatch, ImportStatus
from web.api.imports import CommitIn
from web.deps import CurrentUser, PathId, SessionDep

router = APIRouter(prefix="/leads/imports", tags=["leads"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerRowOut(BaseModel):
    """One row's fate: new, duplicate (left out) or error."""

    row: int
    status: str
    name: str
    investor_name: str
    created_on: date | None
    errors: list[str]
    duplicates: list[str]


class LedgerOut(BaseModel):
    """A ledger batch and every row's fate under its column mapping."""

    id: int
    filename: str
    status: ImportStatus
    header_row: int
    created: int  # projects the commit made
    mapping: dict[int, str | None]
    counts: dict[str, int]
    rows: list[LedgerRowOut]


def _out(batch: ImportBatch, ledger: Ledger) -> LedgerOut:
    def value(row: Any, key: str) -> Any:
        return row.values.get(key)

    return LedgerOut(
        id=require_id(batch),
        filename=batch.filename,
        status=ImportStatus(batch.status),
        header_row=ledger.header_row,
        created=batch.created_count,
        mapping=ledger.mapping,
        counts={s: ledger.count(s) for s in ("new", "duplicate", "error")},
        rows=[
            LedgerRowOut(
                row=r.number,
                status=r.status,
                name=str(value(r, "name") or ""),
                investor_name=str(value(r, "investor_name") or ""),
                created_on=value(r, "created_on"),
                errors=r.errors,
                duplicates=r.duplicates,
            )
            for r in ledger.rows
        ],
    )


@router.get("/template.xlsx", response_class=Response)
def template(user: CurrentUser) -> Response:
    """An empty ledger with every column the import reads."""
    headers = {"Content-Disposition": 'attachment; filename="ledger-template.xlsx"'}
    return Response(ledger_import.template(), media_type=XLSX, headers=headers)


@router.post("", response_model=LedgerOut, status_code=201)
def upload(
    file: Annotated[UploadFile, File(description=".xlsx, .xls or .csv")],
    session: SessionDep,
    user: CurrentUser,
) -> LedgerOut:
    """Upload a ledger; the answer is its preview (nothing is imported yet)."""
    content = file.file.read(tabular.MAX_BYTES + 1)
    batch = ledger_import.stage(
        session=session, actor=user, filename=file.filename or "upload", content=content
    )
    return _out(batch, ledger_import.preview(session=session, actor=user, batch=batch))


@router.get("/{batch_id}", response_model=LedgerOut)
def preview(batch_id: PathId, session: SessionDep, user: CurrentUser) -> LedgerOut:
    """A ledger batch with every row's fate."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    return _out(batch, ledger_import.preview(session=session, actor=user, batch=batch))


@router.post("/{batch_id}/commit", response_model=LedgerOut)
def commit(batch_id: PathId, data: CommitIn, session: SessionDep, user: CurrentUser) -> LedgerOut:
    """Import every new row with its history, in one transaction, or nothing if any row has an
    error (422 names row and column); rows whose investor is already a project are left out."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    if data.mapping is not None:
        mapping = {int(i): f for i, f in data.mapping.items()}
        ledger_import.preview(session=session, actor=user, batch=batch, mapping=mapping)
    ledger_import.commit(session=session, actor=user, batch=batch)
    return _out(batch, ledger_import.preview(session=session, actor=user, batch=batch))


@router.post("/{batch_id}/undo", response_model=LedgerOut)
def undo(batch_id: PathId, session: SessionDep, user: CurrentUser) -> LedgerOut:
    """Remove the projects the batch created; 409 naming those changed since."""
    batch = ledger_import.get(session=session, actor=user, batch_id=batch_id)
    ledger_import.undo(session=session, actor=user, batch=batch)
    return _out(batch, ledger_import.preview(session=session, actor=user, batch=batch))
