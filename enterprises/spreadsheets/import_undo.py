"""Undoing a committed import without losing what anyone did after it.

An undo reverts a batch as a whole or not at all: it is refused, naming the records, when any
firm or cultivation it would revert changed after the batch wrote it — edited (之后被编辑),
moved in the cultivation pipeline (之后被移动) or changed by a later import batch (被后来的导入批次
#N 修改), or when the user may not change the firm where it now stands. Each import record holds
the version the batch left its firm or cultivation at: a record is untouched while the version
is still that one. When a later batch is undone first, the firms it gave back are handed back to
the earlier batch (their records take the version the undo left), so the batches can be undone
newest first.

`refusals` checks the whole batch before any write; `revert` undoes one chunk of its records in
a short write transaction, checking each again under its lock, and deletes those records.
"""

from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from core import audit, bulk, locking
from core.accounts import User
from core.db import require_id, table_of
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.registry.models import Enterprise, EnterpriseFields, Membership
from enterprises.spreadsheets import import_checks
from enterprises.spreadsheets.import_writes import STATE
from enterprises.spreadsheets.imports import ImportBatch, ImportChange, ImportStatus

_LATER = (ImportStatus.committing, ImportStatus.committed, ImportStatus.undoing)
SHOWN = 20  # records named in a refusal


def refusals(session: Session, actor: User, batch: ImportBatch) -> tuple[list[str], list[str]]:
    """Why the batch may not be undone: firms the actor may not change, records changed since."""
    changes = list(session.exec(select(ImportChange).where(ImportChange.batch_id == batch.id)))
    firm_ids = sorted({c.enterprise_id for c in changes if c.enterprise_id is not None})
    firms: dict[int, Enterprise] = {}
    for among in bulk.among(session, Enterprise.id, firm_ids):
        firms |= {require_id(f): f for f in session.exec(select(Enterprise).where(among))}
    parks = import_checks.park_names(session)
    denied = [
        problem
        for f in firms.values()
        if (
            problem := import_checks.authority_problem(
                actor, None, f.name, f.park_id, f.park_id, parks
            )
        )
    ]
    later = _later_batches(session, batch, changes, firm_ids)
    ours = {c.cultivation_id: c for c in changes if c.action == "recognised" and c.cultivation_id}
    cultivations: dict[int, Cultivation] = {}
    for among in bulk.among(session, Cultivation.enterprise_id, firm_ids):
        cultivations |= {require_id(c): c for c in session.exec(select(Cultivation).where(among))}
    created = {c.enterprise_id for c in changes if c.action == "created"}
    reasons: dict[int, str] = {}
    for change in changes:
        firm = firms.get(change.enterprise_id or 0)
        if firm is None or change.action not in ("created", "updated"):
            continue
        if firm.version != change.version:
            batch_id = later.get(require_id(firm))
            reasons[require_id(firm)] = (
                f"被后来的导入批次 #{batch_id} 修改" if batch_id else "之后被编辑"
            )
    for cultivation_id, cultivation in cultivations.items():
        mine = ours.get(cultivation_id)
        moved = (mine is not None and cultivation.version != mine.version) or (
            mine is None and cultivation.enterprise_id in created
        )
        if moved and cultivation.enterprise_id not in reasons:
            batch_id = later.get(cultivation.enterprise_id)
            reasons[cultivation.enterprise_id] = (
                f"被后来的导入批次 #{batch_id} 修改" if batch_id else "之后被移动"
            )
    for firm_id, batch_id in later.items():
        reasons.setdefault(firm_id, f"被后来的导入批次 #{batch_id} 修改")
    changed = [f"企业「{firms[i].name}」{why}" for i, why in sorted(reasons.items()) if i in firms]
    return denied, changed


def _later_batches(
    session: Session, batch: ImportBatch, changes: list[ImportChange], firm_ids: list[int]
) -> dict[int, int]:
    """The firms that batches written after this one changed (firm → the latest such batch)."""
    last = max((require_id(c) for c in changes), default=0)
    query = (
        select(ImportChange.enterprise_id, ImportChange.batch_id)
        .join(ImportBatch, col(ImportBatch.id) == col(ImportChange.batch_id))
        .where(
            col(ImportChange.batch_id) != batch.id,
            col(ImportChange.id) > last,
            col(ImportBatch.status).in_(_LATER),
        )
    )
    found: dict[int, int] = {}
    for among in bulk.among(session, ImportChange.enterprise_id, firm_ids):
        for firm_id, batch_id in session.exec(query.where(among)):
            if firm_id is not None:
                found[firm_id] = max(batch_id, found.get(firm_id, 0))
    return found


def refusal_message(denied: list[str], changed: list[str]) -> PermissionDenied | Conflict | None:
    """The error that refuses an undo, naming the first records, or None."""
    if denied:
        return PermissionDenied(f"不能撤销本批导入：{_listed(denied)}")
    if changed:
        return Conflict(
            "不能撤销本批导入：以下企业在导入之后有改动，撤销会丢失这些改动（撤销只在所有记录"
            f"都未被改动时整批进行，一条也不会撤销）：{_listed(changed)}"
        )
    return None


def _listed(items: list[str]) -> str:
    more = f"等 {len(items)} 家" if len(items) > SHOWN else ""
    return "；".join(items[:SHOWN]) + more


def revert(session: Session, actor: User, batch: ImportBatch, limit: int) -> int:
    """Undo up to `limit` of the batch's records, newest first; return how many (0: none left)."""
    changes = list(
        session.exec(
            select(ImportChange)
            .where(ImportChange.batch_id == batch.id)
            .order_by(col(ImportChange.id).desc())
            .limit(limit)
        )
    )
    created: dict[int, int] = {}  # firm → the version the batch left it at
    # The firms the batch created take their cultivations with them (checked in `refusals`).
    made = set(
        session.exec(
            select(ImportChange.enterprise_id).where(
                ImportChange.batch_id == batch.id, ImportChange.action == "created"
            )
        )
    )
    for change in changes:
        if change.action == "created" and change.enterprise_id is not None:
            created[change.enterprise_id] = change.version or 1
        elif change.enterprise_id in made:
            continue
        elif change.action == "updated" and change.enterprise_id is not None:
            _restore_firm(session, actor, batch, change)
        elif change.action == "recognised" and change.cultivation_id is not None:
            _restore_cultivation(session, actor, batch, change)
        elif change.action == "joined" and change.enterprise_id is not None and change.after:
            session.execute(
                delete(table_of(Membership)).where(
                    table_of(Membership).c.enterprise_id == change.enterprise_id,
                    table_of(Membership).c.segment_id == change.after["segment_id"],
                )
            )
    _delete_created(session, actor, batch, created)
    table = table_of(ImportChange)
    ids = [require_id(c) for c in changes]
    for among in bulk.among(session, table.c.id, ids):
        session.execute(delete(table).where(among))
    session.flush()
    return len(changes)


def _changed_since(label: str, why: str = "之后被编辑") -> Conflict:
    return Conflict(f"不能继续撤销：{label}{why}，撤销会丢失这一改动")


def _restore_firm(session: Session, actor: User, batch: ImportBatch, change: ImportChange) -> None:
    firm = session.get(Enterprise, change.enterprise_id)
    if firm is None or not change.before:
        return
    locking.claim(session, firm, label=f"企业「{firm.name}」")
    _ensure_may_change(session, actor, firm)
    if firm.version != change.version:
        raise _changed_since(f"企业「{firm.name}」")
    previous = EnterpriseFields.model_validate(
        firm.model_dump(include=set(EnterpriseFields.model_fields)) | change.before
    )
    after = audit.snapshot(firm, list(change.before))
    for key in change.before:
        setattr(firm, key, getattr(previous, key))
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="undo_import",
        obj=firm,
        label=firm.name,
        before=after,
        after=audit.snapshot(firm, list(change.before)) | {"import_batch": batch.id},
    )
    # The state an earlier batch left is back: that batch's record may be undone in its turn.
    table = table_of(ImportChange)
    session.execute(
        update(table)
        .where(
            table.c.enterprise_id == firm.id,
            table.c.batch_id != batch.id,
            table.c.action.in_(("created", "updated")),
            table.c.version == (change.version or 0) - 1,
        )
        .values(version=firm.version)
    )


def _restore_cultivation(
    session: Session, actor: User, batch: ImportBatch, change: ImportChange
) -> None:
    cultivation = session.get(Cultivation, change.cultivation_id)
    if cultivation is None:
        return
    firm = session.get(Enterprise, cultivation.enterprise_id)
    assert firm is not None
    locking.claim(session, cultivation, label=f"企业「{firm.name}」的培育记录")
    _ensure_may_change(session, actor, firm)
    if cultivation.version != change.version:
        raise _changed_since(f"企业「{firm.name}」", "之后被移动")
    if change.before is None:
        session.delete(cultivation)
        session.flush()
        return
    restored: dict[str, Any] = {k: change.before[k] for k in STATE}
    for key in ("recognised_on", "valid_until"):
        if restored[key]:
            restored[key] = date.fromisoformat(restored[key])
    for key, value in restored.items():
        setattr(cultivation, key, value)
    session.add(
        CultivationEvent(
            cultivation_id=require_id(cultivation),
            on=date.today(),
            actor_id=actor.id,
            actor_name=actor.username,
            from_stage=Stage.recognised,
            to_stage=Stage(restored["stage"]),
            note=f"撤销导入：{batch.filename}",
        )
    )
    session.flush()


def _ensure_may_change(session: Session, actor: User, firm: Enterprise) -> None:
    parks = import_checks.park_names(session)
    if problem := import_checks.authority_problem(
        actor, None, firm.name, firm.park_id, firm.park_id, parks
    ):
        raise PermissionDenied(f"不能撤销：{problem}")


def _delete_created(session: Session, actor: User, batch: ImportBatch, ids: dict[int, int]) -> None:
    """Delete the firms the batch created, if untouched (their segments, designations and
    figures cascade in the database: one ORM delete per firm would take minutes)."""
    table = table_of(Enterprise)
    found: list[tuple[int, str, int, int | None]] = []
    for among in bulk.among(session, table.c.id, sorted(ids)):
        query = (
            select(table.c.id, table.c.name, table.c.version, table.c.park_id)
            .where(among)
            .with_for_update(key_share=True)
        )
        found += [tuple(r) for r in session.execute(query)]  # type: ignore[misc]
    parks = import_checks.park_names(session)
    for firm_id, name, version, park_id in found:
        if version != ids[firm_id]:
            raise _changed_since(f"企业「{name}」")
        if problem := import_checks.authority_problem(actor, None, name, park_id, park_id, parks):
            raise PermissionDenied(f"不能撤销：{problem}")
    for among in bulk.among(session, table.c.id, [f[0] for f in found]):
        session.execute(delete(table).where(among))
    audit.record_created(
        session=session,
        actor=actor,
        action="undo_import_create",
        object_type="enterprise",
        rows=[(firm_id, name, {"import_batch": batch.id}) for firm_id, name, _, _ in found],
    )
