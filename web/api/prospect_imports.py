"""Importing lists of target firms through the JSON API: upload (a preview), read, commit."""

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, StringConstraints

from core.db import require_id
from enterprises.prospects import imports, matching
from enterprises.prospects.imports import FIELDS, Preview
from enterprises.prospects.models import ImportState, ProspectImport
from enterprises.spreadsheets import tabular
from web.deps import CurrentUser, PathId, SessionDep

router = APIRouter(prefix="/prospects/imports", tags=["prospects"])


class RowOut(BaseModel):
    """One row's fate: new, update (with the changed fields), same, or error."""

    row: int
    status: str
    name: str
    prospect_id: int | None
    changes: dict[str, tuple[object, object]]
    errors: list[str]


class PreviewOut(BaseModel):
    """A batch and every row's fate under its column mapping."""

    id: int
    filename: str
    source_list: str
    status: ImportState
    header_row: int
    mapping: dict[int, str | None]
    counts: dict[str, int]
    errors: list[str]
    rows: list[RowOut]


ColumnIndex = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}$")]
FieldName = Annotated[str, StringConstraints(pattern="^(" + "|".join(FIELDS) + ")?$")]


class CommitIn(BaseModel):
    """An optional corrected mapping: column index → field ('' or null to skip the column)."""

    mapping: dict[ColumnIndex, FieldName | None] | None = None


def _out(batch: ProspectImport, result: Preview) -> PreviewOut:
    return PreviewOut(
        id=require_id(batch),
        filename=batch.filename,
        source_list=batch.source_list,
        status=batch.status,
        header_row=result.header_row,
        mapping={i: key for i, _, key in result.columns},
        counts={s: result.count(s) for s in ("new", "update", "same", "error")},
        errors=result.errors,
        rows=[
            RowOut(
                row=r.row,
                status=r.status,
                name=r.name,
                prospect_id=r.prospect_id,
                changes={k: (a, b) for k, (a, b) in r.changes.items()},
                errors=r.errors,
            )
            for r in result.rows
        ],
    )


@router.post("", response_model=PreviewOut, status_code=201)
def upload(
    file: Annotated[UploadFile, File(description=".xlsx, .xls or .csv")],
    session: SessionDep,
    user: CurrentUser,
    source_list: Annotated[str, Form(max_length=100, description="the list's name")] = "",
) -> PreviewOut:
    """Upload a list of target firms; the answer is its preview (nothing is imported yet)."""
    content = file.file.read(tabular.MAX_BYTES + 1)
    batch = imports.stage(
        session=session,
        actor=user,
        filename=file.filename or "upload",
        content=content,
        source_list=source_list,
    )
    return _out(batch, imports.preview(session=session, batch=batch))


@router.get("/{prospect_batch_id:int}", response_model=PreviewOut)
def preview(prospect_batch_id: PathId, session: SessionDep, user: CurrentUser) -> PreviewOut:
    """A batch with every row's fate."""
    batch = imports.get(session=session, user=user, batch_id=prospect_batch_id)
    return _out(batch, imports.preview(session=session, batch=batch))


@router.post("/{prospect_batch_id:int}/commit", response_model=PreviewOut)
def commit(
    prospect_batch_id: PathId, data: CommitIn, session: SessionDep, user: CurrentUser
) -> PreviewOut:
    """Import every row, or none if any row has an error (422 lists them)."""
    batch = imports.get(session=session, user=user, batch_id=prospect_batch_id)
    if data.mapping is not None:
        imports.set_mapping(
            session=session, batch=batch, mapping={i: f or "" for i, f in data.mapping.items()}
        )
    result = imports.commit(session=session, actor=user, batch=batch)
    matching.refresh_prospects(session=session, prospect_ids=imports.changed_ids(result))
    return _out(batch, result)
