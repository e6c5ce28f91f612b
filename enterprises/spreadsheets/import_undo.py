"""Undoing a committed import without losing what anyone did after it.

An undo reverts a batch as a whole or not at all: it is refused, naming the records, when any
firm or cultivation it would revert changed after the batch wrote it — edited (之后被编辑),
moved in the cultivation pipeline (之后被移动) or changed by a later import batch (被后来的导入批次
#N 修改), or when the user may not change the firm where it now stands. Each import record holds
the version the batch left its firm or cultivation at: a record is untouched while the version
is still that one. When a later batch is undone first, the firms it gave back are handed back to
the earlier batch (their records take the version the undo left), so the batches can be undone
newest first.

undo_refusals checks the whole batch before any write; `revert` undoes one chunk of its records in
a short write transaction, checking each again under its lock, and deletes those records.
"""

from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from core import audit, bulk
from core.accounts import User
from core.db import china_today, require_id, table_of, utcnow
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.registry import bulk_firms, figures
from enterprises.registry.models import Enterprise, EnterpriseFields, Membership
from enterprises.spreadsheets import import_checks
from enterprises.spreadsheets.import_placements import STATE
from enterprises.spreadsheets.imports import ImportBatch, ImportChange


def revert(session: Session, actor: User, batch: ImportBatch, limit: int) -> int:
    """Undo up to `limit` of the batch's records, newest first; return how many (0: none left).

    Set-based: the chunk's firms and cultivations are read and locked in a few statements,
    checked, then restored, deleted and logged in a few more (one statement per row took
    74–146 s for 20,000 rows).
    """
    record = table_of(ImportChange)
    changes: list[Any] = list(
        session.execute(
            sa_select(record)
            .where(record.c.batch_id == batch.id)
            .order_by(record.c.id.desc())
            .limit(limit)
        )
    )
    if not changes:
        return 0
    # The firms the batch created take their cultivations with them (checked in `refusals`).
    chunk_firms = sorted({c.enterprise_id for c in changes if c.enterprise_id is not None})
    made: set[int | None] = set()
    query = select(ImportChange.enterprise_id).where(
        ImportChange.batch_id == batch.id, ImportChange.action == "created"
    )
    for among in bulk.among(session, ImportChange.enterprise_id, chunk_firms):
        made |= set(session.exec(query.where(among)))
    created: dict[int, int] = {}  # firm → the version the batch left it at
    updated: list[Any] = []  # plain rows of import_change
    recognised: list[Any] = []
    joined: list[tuple[int, int]] = []
    for change in changes:
        if change.action == "created" and change.enterprise_id is not None:
            created[change.enterprise_id] = change.version or 1
        elif change.enterprise_id in made:
            continue
        elif change.action == "updated" and change.enterprise_id is not None:
            updated.append(change)
        elif change.action == "recognised" and change.cultivation_id is not None:
            recognised.append(change)
        elif change.action == "joined" and change.enterprise_id is not None and change.after:
            joined.append((change.enterprise_id, change.after["segment_id"]))
    _restore_firms(session, actor, batch, updated)
    restored = _restore_cultivations(session, actor, batch, recognised)
    if joined:
        table = table_of(Membership)
        session.execute(
            delete(table).where(
                table.c.enterprise_id == bindparam("firm"),
                table.c.segment_id == bindparam("segment"),
            ),
            [{"firm": firm, "segment": segment} for firm, segment in joined],
        )
    # The records first: deleting a firm would otherwise set each one's firm to NULL, a write
    # per record just before it goes.
    for among in bulk.among(session, record.c.id, [c.id for c in changes]):
        session.execute(delete(record).where(among))
    _delete_created(session, actor, batch, created)
    session.flush()
    # Rows changed by statements above, not through the ORM: objects of them read afresh.
    bulk.reread(session, Cultivation, restored)
    return len(changes)


def _changed_since(label: str, why: str = "之后被编辑") -> Conflict:
    return Conflict(f"不能继续撤销：{label}{why}，撤销会丢失这一改动")


def _restore_firms(session: Session, actor: User, batch: ImportBatch, changes: list[Any]) -> None:
    """Give the firms the chunk updated their values before, if untouched since."""
    changes = [c for c in changes if c.before]
    firms: dict[int, Enterprise] = {}
    for among in bulk.among(session, Enterprise.id, sorted({c.enterprise_id for c in changes})):
        query = select(Enterprise).where(among).with_for_update(key_share=True)
        firms |= {
            require_id(f): f for f in session.exec(query.execution_options(populate_existing=True))
        }
    parks = import_checks.park_names(session)
    table = table_of(ImportChange)
    handed_back: list[dict[str, int]] = []
    summarised: list[int] = []  # firms whose figures come back: their data year's row follows
    for change in changes:
        firm = firms.get(change.enterprise_id or 0)
        if firm is None:
            continue
        _ensure_may_change(actor, firm, parks)
        if firm.version != change.version:
            raise _changed_since(f"企业「{firm.name}」")
        assert change.before is not None
        previous = EnterpriseFields.model_validate(
            firm.model_dump(include=set(EnterpriseFields.model_fields)) | change.before
        )
        after = audit.snapshot(firm, list(change.before))
        for key in change.before:
            setattr(firm, key, getattr(previous, key))
        firm.version += 1
        firm.updated_at = utcnow()
        audit.record(
            session=session,
            actor=actor,
            action="undo_import",
            obj=firm,
            label=firm.name,
            before=after,
            after=audit.snapshot(firm, list(change.before)) | {"import_batch": batch.id},
        )
        handed_back.append(
            {"firm": require_id(firm), "left": (change.version or 0) - 1, "now": firm.version}
        )
        if figures.SUMMARY.keys() & change.before.keys():
            summarised.append(require_id(firm))
    session.flush()
    figures.follow_summaries(
        session=session, actor=actor, action="undo_import", enterprise_ids=summarised
    )
    if handed_back:
        # The state an earlier batch left is back: that batch's record may be undone in its turn.
        session.execute(
            update(table)
            .where(
                table.c.enterprise_id == bindparam("firm"),
                table.c.batch_id != batch.id,
                table.c.action.in_(("created", "updated")),
                table.c.version == bindparam("left"),
            )
            .values(version=bindparam("now")),
            handed_back,
        )


def _restore_cultivations(
    session: Session, actor: User, batch: ImportBatch, changes: list[Any]
) -> list[int]:
    """Put the cultivations the chunk recognised back where they stood (or delete the ones it
    started), if none moved since; log each restoration as an event; return those restored."""
    if not changes:
        return []
    table = table_of(Cultivation)
    firms = table_of(Enterprise)
    # cultivation → its version, firm's name and park, stage
    found: dict[int, tuple[int, str, int | None, str]] = {}
    ids = sorted({require_id_of(c) for c in changes})
    for among in bulk.among(session, table.c.id, ids):
        query = (
            sa_select(table.c.id, table.c.version, firms.c.name, firms.c.park_id, table.c.stage)
            .join(firms, firms.c.id == table.c.enterprise_id)
            .where(among)
            .with_for_update(of=table, key_share=True)
        )
        found |= {row[0]: (row[1], row[2], row[3], row[4]) for row in session.execute(query)}
    parks = import_checks.park_names(session)
    gone: list[int] = []
    restored: list[dict[str, Any]] = []
    for change in changes:
        cultivation_id = require_id_of(change)
        if cultivation_id not in found:
            continue
        version, name, park_id, stage = found[cultivation_id]
        if problem := import_checks.authority_problem(actor, None, name, park_id, park_id, parks):
            raise PermissionDenied(f"不能撤销：{problem}")
        if version != change.version:
            raise _changed_since(f"企业「{name}」", "之后被移动")
        if change.before is None:
            gone.append(cultivation_id)
            continue
        state: dict[str, Any] = {k: change.before[k] for k in STATE}
        for key in ("recognised_on", "valid_until"):
            if state[key]:
                state[key] = date.fromisoformat(state[key])
        restored.append(
            {"cid": cultivation_id, "name": name, "now": stage}
            | {f"b_{k}": v for k, v in state.items()}
        )
    for among in bulk.among(session, table.c.id, gone):
        session.execute(delete(table).where(among))
    if not restored:
        return []
    now = utcnow()
    session.execute(
        update(table)
        .where(table.c.id == bindparam("cid"))
        .values(
            {key: bindparam(f"b_{key}") for key in STATE}
            | {"version": table.c.version + 1, "updated_at": now}
        ),
        [{k: v for k, v in r.items() if k not in ("name", "now")} for r in restored],
    )
    bulk.insert_rows(
        session,
        CultivationEvent,
        [
            {
                "cultivation_id": r["cid"],
                "on": china_today(),
                "recorded_at": now,
                "actor_id": actor.id,
                "actor_name": actor.username,
                "from_stage": Stage(r["now"]),
                "to_stage": Stage(r["b_stage"]),
                "tier_id": None,
                "batch": "",
                "valid_until": None,
                "note": f"撤销导入：{batch.filename}"[:1000],
                "document_number": "",
                "evidence_url": "",
                "forced": False,
            }
            for r in restored
        ],
    )
    audit.record_created(
        session=session,
        actor=actor,
        action="undo_import_recognise",
        object_type="cultivation",
        rows=[
            (r["cid"], r["name"], {"stage": str(r["b_stage"]), "import_batch": batch.id})
            for r in restored
        ],
    )
    return [r["cid"] for r in restored]


def require_id_of(change: Any) -> int:
    """The cultivation an import record names."""
    assert change.cultivation_id is not None
    return change.cultivation_id


def _ensure_may_change(actor: User, firm: Enterprise, parks: dict[int | None, str]) -> None:
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
    bulk_firms.delete(session, [f[0] for f in found])
    audit.record_created(
        session=session,
        actor=actor,
        action="undo_import_create",
        object_type="enterprise",
        rows=[(firm_id, name, {"import_batch": batch.id}) for firm_id, name, _, _ in found],
    )
