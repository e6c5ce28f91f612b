"""Committing an import batch all-or-nothing, and undoing a committed batch as a whole."""

from datetime import date
from typing import Any

from sqlmodel import Session, select

from core import audit
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import Conflict, FieldErrors
from enterprises.designations import Designation
from enterprises.imports import (
    ImportBatch,
    ImportChange,
    ImportStatus,
    Preview,
    RowFate,
    enterprise_values,
    preview,
    recognition_date,
)
from enterprises.models import Enterprise, EnterpriseFields, Membership, Origin
from enterprises.pipeline import Cultivation, CultivationEvent, Stage, validity_end

_STATE = ["stage", "tier_id", "batch", "recognised_on", "valid_until"]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def commit(
    *, session: Session, actor: User, batch: ImportBatch, mapping: dict[int, str | None] | None
) -> ImportBatch:
    """Apply every row of the batch, or nothing if any row has an error."""
    if batch.status != ImportStatus.pending:
        raise Conflict("该批次已经提交过，不能重复导入")
    result = preview(session=session, batch=batch, mapping=mapping)
    if result.errors:
        listed = "；".join(result.errors[:5])
        more = f"等 {len(result.errors)} 处" if len(result.errors) > 5 else ""
        raise FieldErrors({"file": f"有错误，未导入任何数据：{listed}{more}"})
    designation = session.get(Designation, batch.designation_id) if batch.designation_id else None
    savepoint = session.begin_nested()
    try:
        counts = _apply(session, actor, batch, result, designation)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    batch.mapping = {str(i): f or "" for i, _, f in result.columns}
    batch.status, batch.committed_at = ImportStatus.committed, utcnow()
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
    return batch


def _apply(
    session: Session,
    actor: User,
    batch: ImportBatch,
    result: Preview,
    designation: Designation | None,
) -> tuple[int, int, int, int]:
    changes: list[ImportChange] = []
    firms: dict[int, Enterprise] = {}
    for fate in result.rows:
        firm = _firm(session, fate, changes, require_id(batch))
        firms[fate.row] = firm
    session.flush()
    for change in changes:
        if change.action == "created":
            change.enterprise_id = firms[change.after["row"]].id if change.after else None
    members = [
        Membership(enterprise_id=require_id(firms[f.row]), segment_id=f.values["segment"])
        for f in result.rows
        if f.values.get("segment")
        and not session.exec(
            select(Membership.id).where(
                Membership.enterprise_id == firms[f.row].id,
                Membership.segment_id == f.values["segment"],
            )
        ).first()
    ]
    session.add_all(members)
    recognised = 0
    if designation is not None:
        for fate in result.rows:
            if _recognise(session, actor, batch, designation, firms[fate.row], fate, changes):
                recognised += 1
    session.add_all(changes)
    session.flush()
    return (
        result.count("new"),
        result.count("update"),
        result.count("same"),
        recognised,
    )


def _firm(
    session: Session, fate: RowFate, changes: list[ImportChange], batch_id: int
) -> Enterprise:
    fields = enterprise_values(fate.values)
    if fate.status == "new":
        data = EnterpriseFields.model_validate(fields)
        firm = Enterprise(**data.model_dump(), origin=Origin.manual)
        session.add(firm)
        changes.append(
            ImportChange(
                batch_id=batch_id, action="created", after={"row": fate.row, **_plain(fields)}
            )
        )
        return firm
    found = session.get(Enterprise, fate.enterprise_id)
    assert found is not None
    firm = found
    if fate.status == "update":
        before = {k: old for k, (old, _) in fate.changes.items()}
        for key, (_, new) in fate.changes.items():
            setattr(firm, key, new)
        firm.version += 1
        firm.updated_at = utcnow()
        changes.append(
            ImportChange(
                batch_id=batch_id,
                enterprise_id=firm.id,
                action="updated",
                before=_plain(before),
                after=_plain({k: new for k, (_, new) in fate.changes.items()}),
            )
        )
    return firm


def _recognise(
    session: Session,
    actor: User,
    batch: ImportBatch,
    designation: Designation,
    firm: Enterprise,
    fate: RowFate,
    changes: list[ImportChange],
) -> bool:
    on = recognition_date(fate.values)
    cultivation = session.exec(
        select(Cultivation).where(
            Cultivation.enterprise_id == firm.id, Cultivation.designation_id == designation.id
        )
    ).first()
    if cultivation is not None and cultivation.stage == Stage.recognised:
        return False
    before = (
        _plain({k: getattr(cultivation, k) for k in _STATE}) if cultivation is not None else None
    )
    previous = Stage(cultivation.stage) if cultivation is not None else None
    if cultivation is None:
        cultivation = Cultivation(
            enterprise_id=require_id(firm),
            designation_id=require_id(designation),
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
        ImportChange(
            batch_id=require_id(batch),
            enterprise_id=firm.id,
            cultivation_id=cultivation.id,
            action="recognised",
            before=before,
        )
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
    for change in rows:
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
        elif change.action == "created" and change.enterprise_id is not None:
            firm = session.get(Enterprise, change.enterprise_id)
            if firm is not None:
                session.delete(firm)
        session.flush()
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
