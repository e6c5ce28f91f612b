"""Committing an import batch all-or-nothing, and undoing a committed batch as a whole."""

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from core import audit, bulk
from core.accounts import User
from core.db import refresh_statistics, require_id, table_of, utcnow
from core.errors import Conflict, FieldErrors
from core.progress import Reporter, silent
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage, validity_end
from enterprises.registry.models import Enterprise, EnterpriseFields, Membership, Origin
from enterprises.spreadsheets import import_rows
from enterprises.spreadsheets.import_rows import Preview, RowFate
from enterprises.spreadsheets.imports import (
    PROGRESS_EVERY,
    ImportBatch,
    ImportChange,
    ImportStatus,
    columns_for,
    preview,
    recognition_date,
)

_STATE = ["stage", "tier_id", "batch", "recognised_on", "valid_until"]
_DEFAULTS = {
    key: info.get_default(call_default_factory=True)
    for key, info in EnterpriseFields.model_fields.items()
    if not info.is_required()
}


def commit(
    *,
    session: Session,
    actor: User,
    batch: ImportBatch,
    mapping: dict[int, str | None] | None,
    progress: Reporter | None = None,
) -> Preview:
    """Apply every row of the batch, or nothing if any row has an error; return what was done.

    The rows a clean preview kept are used when nothing they depend on has changed since.
    """
    if batch.status != ImportStatus.pending:
        raise Conflict("该批次已经提交过，不能重复导入")
    result = _kept(session, batch, mapping) or preview(
        session=session, batch=batch, mapping=mapping, progress=progress
    )
    if result.errors:
        listed = "；".join(result.errors[:5])
        more = f"等 {len(result.errors)} 处" if len(result.errors) > 5 else ""
        raise FieldErrors({"file": f"有错误，未导入任何数据：{listed}{more}"})
    designation = session.get(Designation, batch.designation_id) if batch.designation_id else None
    report = progress or silent
    report("写入数据库", 0, len(result.rows))
    savepoint = session.begin_nested()
    try:
        counts = _apply(session, actor, batch, result, designation, report)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    report("记录导入批次", len(result.rows), len(result.rows))
    batch.mapping = {str(i): f or "" for i, _, f in result.columns}
    batch.status, batch.committed_at = ImportStatus.committed, utcnow()
    batch.checked, batch.checked_key = None, ""
    batch.rows_total = len(result.rows)
    batch.created_count, batch.updated_count, batch.unchanged_count, batch.recognised_count = counts
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import",
        obj=batch,
        label=batch.filename,
        after={
            "sha256": batch.sha256,
            "rows": batch.rows_total,
            "created": counts[0],
            "updated": counts[1],
            "unchanged": counts[2],
            "recognised": counts[3],
        },
    )
    return result


def _kept(
    session: Session, batch: ImportBatch, mapping: dict[int, str | None] | None
) -> Preview | None:
    """The preview kept on the batch, if nothing it depends on has changed since."""
    if batch.checked is None:
        return None
    designation = session.get(Designation, batch.designation_id) if batch.designation_id else None
    if batch.checked_key != import_rows.key(session, designation):
        return None
    kept = import_rows.unpack(batch.checked)
    headers = [header for _, header, _ in kept.columns]
    return kept if columns_for(headers, mapping, batch) == kept.columns else None


def _apply(
    session: Session,
    actor: User,
    batch: ImportBatch,
    result: Preview,
    designation: Designation | None,
    report: Reporter,
) -> tuple[int, int, int, int]:
    batch_id = require_id(batch)
    total = len(result.rows)
    new = [f for f in result.rows if f.status == "new"]
    now = utcnow()
    common = _DEFAULTS | {
        "origin": Origin.manual,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    ids = bulk.reserve_ids(session, Enterprise, len(new))
    bulk.insert_rows(
        session, Enterprise, [common | f.fields | {"id": i} for f, i in zip(new, ids, strict=True)]
    )
    if new:
        refresh_statistics(session, "enterprise")
    firm_ids: dict[int, int] = {f.row: i for f, i in zip(new, ids, strict=True)}
    # Undoing a creation needs only the id; the values are in the audit record.
    bulk.insert_rows(
        session,
        ImportChange,
        [{"batch_id": batch_id, "enterprise_id": i, "action": "created"} for i in ids],
    )
    changes: list[dict[str, Any]] = []
    audit.record_created(
        session=session,
        actor=actor,
        action="import_create",
        object_type="enterprise",
        rows=[(firm_id, f.name, f.fields) for f, firm_id in zip(new, ids, strict=True)],
    )
    report("写入数据库", len(new), total)
    for n, fate in enumerate(result.rows):
        if fate.status in ("update", "same"):
            firm_ids[fate.row] = _update(session, actor, fate, changes, batch_id)
        if n % PROGRESS_EVERY == 0:
            report("写入数据库", max(len(new), n), total)
    report("写入产业链环节与认定", total, total)
    _memberships(session, result, firm_ids, {f.row for f in new})
    recognised = 0
    if designation is not None:
        # One query for the whole list rather than one per row.
        held = {
            (c.enterprise_id, c.chain_id): c
            for c in session.exec(
                select(Cultivation).where(Cultivation.designation_id == designation.id)
            )
        }
        for fate in result.rows:
            firm_id = firm_ids[fate.row]
            chain_id = fate.values.get("chain") if designation.per_chain else None
            found = held.get((firm_id, chain_id))
            if _recognise(session, actor, batch, designation, firm_id, found, fate, changes):
                recognised += 1
    if changes:
        blank = {"enterprise_id": None, "cultivation_id": None, "before": None, "after": None}
        bulk.insert_rows(session, ImportChange, [blank | c for c in changes])
    session.flush()
    return result.count("new"), result.count("update"), result.count("same"), recognised


def _update(
    session: Session, actor: User, fate: RowFate, changes: list[dict[str, Any]], batch_id: int
) -> int:
    firm = session.get(Enterprise, fate.enterprise_id)
    assert firm is not None
    if fate.status == "update":
        for key, (_, new) in fate.changes.items():
            setattr(firm, key, new)
        firm.version += 1
        firm.updated_at = utcnow()
        before = {k: old for k, (old, _) in fate.changes.items()}
        after = {k: new for k, (_, new) in fate.changes.items()}
        audit.record(
            session=session,
            actor=actor,
            action="import_update",
            obj=firm,
            label=firm.name,
            before=before,
            after=after,
        )
        changes.append(
            {
                "batch_id": batch_id,
                "enterprise_id": firm.id,
                "action": "updated",
                "before": {k: old for k, (old, _) in fate.changes.items()},
                "after": {k: new for k, (_, new) in fate.changes.items()},
            }
        )
    return require_id(firm)


def _memberships(
    session: Session, result: Preview, firm_ids: dict[int, int], new_rows: set[int]
) -> None:
    """Place the listed firms in their segments (firms already there stay as they are)."""
    wanted = {
        (firm_ids[f.row], f.values["segment"]) for f in result.rows if f.values.get("segment")
    }
    existing_firms = [firm_ids[f.row] for f in result.rows if f.row not in new_rows]
    present: set[tuple[int, int]] = set()
    query = select(Membership.enterprise_id, Membership.segment_id)
    for among in bulk.among(session, Membership.enterprise_id, existing_firms):
        present |= set(session.exec(query.where(among)).all())
    rows = [{"enterprise_id": e, "segment_id": s} for e, s in sorted(wanted - present)]
    bulk.insert_rows(session, Membership, rows)


def _recognise(
    session: Session,
    actor: User,
    batch: ImportBatch,
    designation: Designation,
    enterprise_id: int,
    cultivation: Cultivation | None,
    fate: RowFate,
    changes: list[dict[str, Any]],
) -> bool:
    on = recognition_date(fate.values)
    if cultivation is not None and cultivation.stage == Stage.recognised:
        return False
    before = {k: getattr(cultivation, k) for k in _STATE} if cultivation is not None else None
    previous = Stage(cultivation.stage) if cultivation is not None else None
    if cultivation is None:
        cultivation = Cultivation(
            enterprise_id=enterprise_id,
            designation_id=require_id(designation),
            chain_id=fate.values.get("chain") if designation.per_chain else None,
            stage=Stage.recognised,
        )
        session.add(cultivation)
    cultivation.stage = Stage.recognised
    cultivation.recognised_on = on
    cultivation.valid_until = validity_end(designation, on)
    cultivation.batch = str(fate.values.get("year") or on.year)
    cultivation.version += 1 if before else 0
    session.flush()
    session.add(
        CultivationEvent(
            cultivation_id=require_id(cultivation),
            on=on,
            actor_id=actor.id,
            actor_name=actor.username,
            from_stage=previous,
            to_stage=Stage.recognised,
            batch=cultivation.batch,
            valid_until=cultivation.valid_until,
            note=f"依据名单导入：{batch.filename}",
        )
    )
    changes.append(
        {
            "batch_id": require_id(batch),
            "enterprise_id": enterprise_id,
            "cultivation_id": cultivation.id,
            "action": "recognised",
            "before": before,
        }
    )
    return True


def undo(*, session: Session, actor: User, batch: ImportBatch) -> ImportBatch:
    """Reverse a committed batch: remove the firms it created, restore what it changed."""
    if batch.status != ImportStatus.committed:
        raise Conflict("只能撤销已提交的导入批次")
    rows = session.exec(
        select(ImportChange)
        .where(ImportChange.batch_id == batch.id)
        .order_by(ImportChange.id.desc())  # type: ignore[union-attr]
    ).all()
    today = date.today()
    created = [c.enterprise_id for c in rows if c.action == "created" and c.enterprise_id]
    gone = set(created)  # their recognitions go with them
    for change in rows:
        if change.enterprise_id in gone:
            continue
        if change.action == "recognised" and change.cultivation_id is not None:
            cultivation = session.get(Cultivation, change.cultivation_id)
            if cultivation is None:
                continue
            if change.before is None:
                session.delete(cultivation)
                continue
            restored = {k: change.before[k] for k in _STATE}
            for key in ("recognised_on", "valid_until"):
                if restored[key]:
                    restored[key] = date.fromisoformat(restored[key])
            for key, value in restored.items():
                setattr(cultivation, key, value)
            cultivation.version += 1
            session.add(
                CultivationEvent(
                    cultivation_id=require_id(cultivation),
                    on=today,
                    actor_id=actor.id,
                    actor_name=actor.username,
                    from_stage=Stage.recognised,
                    to_stage=Stage(restored["stage"]),
                    note=f"撤销导入：{batch.filename}",
                )
            )
        elif change.action == "updated" and change.enterprise_id is not None:
            firm = session.get(Enterprise, change.enterprise_id)
            if firm is not None and change.before:
                previous = EnterpriseFields.model_validate(
                    firm.model_dump(include=set(EnterpriseFields.model_fields)) | change.before
                )
                for key in change.before:
                    setattr(firm, key, getattr(previous, key))
                firm.version += 1
                firm.updated_at = utcnow()
        session.flush()
    # Created firms go in bulk (their segments, designations and figures cascade in the
    # database): one ORM delete per firm would take minutes for a large list.
    table = table_of(Enterprise)
    for among in bulk.among(session, table.c.id, created):
        session.execute(delete(table).where(among))
    batch.status, batch.undone_at = ImportStatus.undone, utcnow()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="undo_import",
        obj=batch,
        label=batch.filename,
        before={"status": "committed"},
        after={"status": "undone"},
    )
    return batch
