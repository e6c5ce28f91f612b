"""Importing enterprise lists and designation lists: the batch, the column mapping, the preview.

An upload is kept as a pending batch; the preview says every row's fate (new, update of an
existing firm — by credit code, then exact name — unchanged, or error with row, column and
reason) under a column mapping the user can correct. Committing lives in import_commit.py.
"""

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, LargeBinary, update
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, bulk, collector, permissions
from core.accounts import User
from core.db import defer_write, enum_column, table_of, utcnow
from core.errors import FieldErrors, NotFound
from core.progress import Reporter, silent
from core.text import refuse_control
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import ORDER, Stage
from enterprises.registry.models import Enterprise
from enterprises.registry.names import core_name
from enterprises.spreadsheets import cells, import_checks, import_rows, tabular
from enterprises.spreadsheets.cell_readers import Lookups, Reader, reader
from enterprises.spreadsheets.import_headers import (
    IMPORT_FIELDS,
    find_header,
    guess_field,
    header_unit,
)
from enterprises.spreadsheets.import_rows import Preview, RowFate

PREVIEW_ROWS = 200
PROGRESS_EVERY = 2000  # rows between progress reports


class ImportStatus(StrEnum):
    """Where a batch stands."""

    pending = "pending"
    committing = "committing"  # being written in chunks (import_commit)
    committed = "committed"
    undoing = "undoing"  # being reverted in chunks
    undone = "undone"


class ImportBatch(SQLModel, table=True):
    """One uploaded file: who, when, its hash and, once committed, the counts."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64, index=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    designation_id: int | None = Field(default=None, foreign_key="designation.id")
    kind: str = Field(  # "firms" (this module) or "ledger" (enterprises.projects.ledger_import)
        default="firms", max_length=20, sa_column_kwargs={"server_default": "firms"}
    )
    # The stage of the designation the list places its firms at (a row's 阶段 may say another).
    stage: Stage = Field(
        default=Stage.recognised,
        sa_type=enum_column(Stage, 20),
        sa_column_kwargs={"server_default": "recognised"},
    )
    mapping: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=60)
    park_id: int | None = Field(default=None, foreign_key="park.id")
    status: ImportStatus = Field(
        default=ImportStatus.pending, sa_type=enum_column(ImportStatus, 20)
    )
    created_at: datetime = Field(default_factory=utcnow)
    committed_at: datetime | None = None
    undone_at: datetime | None = None
    rows_total: int = 0
    created_count: int = 0
    updated_count: int = 0
    unchanged_count: int = 0
    recognised_count: int = 0
    checked: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    checked_key: str = Field(default="", max_length=60)  # see import_rows
    # Claimed (core.locking) by the one request that commits or undoes it, chunk by chunk.
    version: int = 1
    rows_done: int = Field(default=0, description="rows written (or reverted) so far")
    claimed_at: datetime | None = Field(default=None, description="the last chunk's time")
    failure: str = Field(default="", max_length=1000, description="why a run stopped")


class ImportChange(SQLModel, table=True):
    """What a committed batch did to one firm, with the values before, so it can be undone."""

    __tablename__ = "import_change"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True, ondelete="CASCADE")
    enterprise_id: int | None = Field(  # indexed: deleting a firm looks its changes up
        default=None, foreign_key="enterprise.id", ondelete="SET NULL", index=True
    )
    cultivation_id: int | None = Field(  # indexed: deleting a cultivation looks them up
        default=None, foreign_key="cultivation.id", ondelete="SET NULL", index=True
    )
    lead_id: int | None = Field(  # a project a ledger import created
        default=None, foreign_key="lead.id", ondelete="SET NULL", index=True
    )
    action: str = Field(max_length=20)  # created | updated | recognised | joined
    version: int | None = Field(
        default=None, description="the version the batch left the firm or cultivation at"
    )
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


def stage(
    *,
    session: Session,
    actor: User,
    filename: str,
    content: bytes,
    designation_id: int | None,
    list_stage: Stage | str = Stage.recognised,
) -> ImportBatch:
    """Keep an uploaded file as a pending batch after checking it can be read.

    A designation's list places its firms at `list_stage` of its cultivation (候选, 入库培育,
    申报 or 认定).
    """
    permissions.ensure_can_import(actor)
    if str(list_stage) not in {s.value for s in ORDER}:
        raise FieldErrors({"stage": "阶段应为候选、入库培育、申报、认定之一"})
    return keep(
        session=session,
        actor=actor,
        filename=filename,
        content=content,
        designation_id=designation_id,
        stage=Stage(list_stage),
        park_id=permissions.park_scope(actor, None),
    )


def keep(
    *, session: Session, actor: User, filename: str, content: bytes, **fields: Any
) -> ImportBatch:
    """Check an upload can be read and keep it as a pending batch with `fields` (audited);
    the caller has checked the actor may import it."""
    refuse_control({"file": filename}, {"file": "文件名"})
    tabular.read(filename, content)
    batch = ImportBatch(
        filename=filename[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        actor_id=actor.id,
        actor_name=actor.username,
        **fields,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import_upload",
        obj=batch,
        label=batch.filename,
        after={"sha256": batch.sha256, "bytes": len(content)} | fields,
    )
    return batch


def get(*, session: Session, batch_id: int, actor: User) -> ImportBatch:
    """Return a batch its uploader (or an admin) may see."""
    batch = session.get(ImportBatch, batch_id)
    if (
        batch is None
        or batch.kind != "firms"
        or not permissions.can_see_import(actor, batch.actor_id)
    ):
        raise NotFound(f"导入批次 {batch_id} 不存在")
    return batch


def _existing(
    session: Session, codes: set[str], names: set[str]
) -> tuple[dict[str, import_checks.Firm], dict[str, import_checks.Firm]]:
    # Plain rows, not ORM objects: a list's 10,000 matched firms were a quarter of its check.
    table = table_of(Enterprise)
    read = sa.select(*(table.c[k] for k in import_checks.FIRM_COLUMNS))
    by_code: dict[str, import_checks.Firm] = {}
    by_name: dict[str, import_checks.Firm] = {}
    for attribute, wanted, target in (
        ("credit_code", sorted(codes), by_code),
        ("name", sorted(names), by_name),
    ):
        column = table.c[attribute]
        for among in bulk.among(session, column, wanted):
            for firm in session.execute(read.where(among)).all():
                target[str(getattr(firm, attribute))] = firm
    return by_code, by_name


def _look_alikes(session: Session, fates: list[RowFate]) -> None:
    """Note new rows without a credit code whose name looks like an existing firm's."""
    suspects = {
        core_name(f.name): f for f in fates if f.status == "new" and not f.values.get("credit_code")
    }
    if not suspects:
        return
    for name, code in session.exec(select(Enterprise.name, Enterprise.credit_code)):
        fate = suspects.get(core_name(name))
        if fate is not None and name != fate.name:
            held = f"，信用代码 {code}" if code else ""
            fate.notes.append(f"可能与已有企业“{name}”重复（名称相近{held}），请核对")


def columns_for(
    headers: list[str], mapping: dict[int, str | None] | None, batch: ImportBatch
) -> list[tuple[int, str, str | None]]:
    """(index, header, field) per column: the mapping given, else the batch's, else guessed."""
    if mapping is None:
        stored = batch.mapping or {}
        mapping = (
            {int(k): v or None for k, v in stored.items()}
            if stored
            else {i: guess_field(h) for i, h in enumerate(headers)}
        )
    taken: set[str] = set()
    columns: list[tuple[int, str, str | None]] = []
    for i, header in enumerate(headers):
        chosen = mapping.get(i)
        if chosen in taken or chosen not in IMPORT_FIELDS:
            chosen = None
        if chosen:
            taken.add(chosen)
        columns.append((i, header, chosen))
    return columns


@collector.paused()
def preview(
    *,
    session: Session,
    batch: ImportBatch,
    actor: User,
    mapping: dict[int, str | None] | None = None,
    progress: Reporter | None = None,
    keep: bool = False,
) -> Preview:
    """Return every row's fate under the mapping (guessed from the headers when not given),
    judged for `actor` (who may change which firms: import_checks).

    `progress` hears (stage, done, total) as the rows are read and checked. With `keep` — a
    preview shown to someone — it is recorded in the audit log, and one without errors is
    stored on the pending batch for its commit (see import_rows).
    """
    report = progress or silent
    designation = session.get(Designation, batch.designation_id) if batch.designation_id else None
    checked_key = import_rows.key(session, designation)  # before reading what it stands for
    report("读取文件", 0, 0)
    rows = tabular.read(batch.filename, batch.content)
    header_index = find_header(rows)
    columns = columns_for([cells.text(v) for v in rows[header_index]], mapping, batch)
    units = {f: header_unit(h) for _, h, f in columns if f}
    lookups = Lookups(session)
    # The chain comes first so that a segment can be looked up within it.
    plan = [
        (i, header, key, reader(IMPORT_FIELDS[key][2], units[key], lookups))
        for i, header, key in sorted((c for c in columns if c[2]), key=lambda c: c[2] != "chain")
        if key is not None
    ]
    body = rows[header_index + 1 :]
    fates = []
    for n, row in enumerate(body):
        if n % PROGRESS_EVERY == 0:
            report("逐行校验", n, len(body))
        # any(row) settles nearly every row at C speed; only all-falsy rows (a lone 0) look again
        if any(row) or any(v is not None and v != "" for v in row):
            fates.append(_parse_row(header_index + 1 + n + 1, row, plan))
    report("比对企业库", len(body), len(body))
    codes = {f.values["credit_code"] for f in fates if f.values.get("credit_code")}
    by_code, _ = _existing(session, codes, set())
    # A name is looked up only where the code found no firm (the firms found are not read twice).
    names = {f.name for f in fates if f.name and f.values.get("credit_code", "") not in by_code}
    _, by_name = _existing(session, set(), names)
    matched = {
        f.row: firm
        for f in fates
        if (firm := by_code.get(f.values.get("credit_code", "")) or by_name.get(f.name))
    }
    latest = import_checks.latest_events(
        session, designation, sorted({f.id for f in matched.values()})
    )
    parks = import_checks.park_names(session)
    seen: dict[str, int] = {}
    park_id, list_stage = batch.park_id, batch.stage  # read once, not once a row
    for fate in fates:
        import_checks.judge(
            fate,
            actor=actor,
            park_id=park_id,
            designation=designation,
            firm=matched.get(fate.row),
            seen=seen,
            parks=parks,
            latest=latest,
            list_stage=list_stage,
        )
    _look_alikes(session, fates)
    problems = []
    if "name" not in (f for _, _, f in columns):
        problems.append(
            "未找到「企业名称」列：请确认第一个工作表是企业名单，或在列的对应关系中指定"
        )
    result = Preview(header_index + 1, columns, fates, units, problems)
    if keep:
        _record_preview(session, actor, batch, result)
    if keep and batch.status == ImportStatus.pending and not result.errors:
        # The preview page is a read: what it keeps is written after it (core.db.defer_write).
        kept = (
            update(ImportBatch)
            .where(col(ImportBatch.id) == batch.id, col(ImportBatch.status) == ImportStatus.pending)
            .values(checked=import_rows.pack(result), checked_key=checked_key)
        )
        defer_write(session, kept)
    return result


def _parse_row(
    number: int, row: list[tabular.Cell], plan: list[tuple[int, str, str, Reader]]
) -> RowFate:
    fate = RowFate(row=number, status="new")
    values = fate.values
    width = len(row)
    for index, header, key, read in plan:
        raw = row[index] if index < width else None
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            continue
        try:
            values[key] = read(raw, values.get("chain"))
        except ValueError as exc:
            fate.errors.append(f"第 {number} 行「{header}」：{exc}")
    fate.name = values.get("name", "")
    if not fate.name:
        fate.errors.append(f"第 {number} 行：缺少必填值「企业名称」")
    return fate


def _record_preview(session: Session, actor: User, batch: ImportBatch, result: Preview) -> None:
    """Note who was shown which batch's rows (a read: written after it, core.db.defer_write)."""
    audit.record_event(
        session=session,
        actor=actor,
        action="import_preview",
        object_type="import_batch",
        object_id=str(batch.id),
        label=batch.filename,
        after={s: result.count(s) for s in ("new", "update", "same", "error")}
        | {"rows": len(result.rows)},
    )
