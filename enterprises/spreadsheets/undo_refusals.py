"""Whether a committed import may be undone, asked before any write: the firms the user may
not change where they now stand, and the records changed since the batch wrote them (edited,
moved in the pipeline, or changed by a later batch), named in the refusal. import_undo then
reverts chunk by chunk, checking each record again under its lock.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core import bulk, permissions
from core.accounts import User
from core.db import table_of
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.pipeline import Cultivation
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets import import_checks
from enterprises.spreadsheets.imports import ImportBatch, ImportChange, ImportStatus

_LATER = (ImportStatus.committing, ImportStatus.committed, ImportStatus.undoing)
SHOWN = 20  # records named in a refusal


def refusals(session: Session, actor: User, batch: ImportBatch) -> tuple[list[str], list[str]]:
    """Why the batch may not be undone: firms the actor may not change, records changed since.

    Asked of the database, which returns only the firms at fault (none, nearly always): reading
    a 20,000-row batch's records, firms and cultivations to compare them here cost a third of
    its undo.
    """
    record, firms = table_of(ImportChange), table_of(Enterprise)
    ours = record.c.batch_id == batch.id
    listed = sa_select(record.c.enterprise_id).where(ours, record.c.enterprise_id.is_not(None))
    parks = import_checks.park_names(session)
    in_parks = session.scalars(sa_select(firms.c.park_id).distinct().where(firms.c.id.in_(listed)))
    barred = [p for p in in_parks if not permissions.can_edit_enterprise(actor, p)]
    denied: list[str] = []
    if barred:
        where = sa.or_(
            firms.c.park_id.in_([p for p in barred if p is not None]),
            *([firms.c.park_id.is_(None)] if None in barred else []),
        )
        query = sa_select(firms.c.name, firms.c.park_id).where(firms.c.id.in_(listed), where)
        for name, park_id in session.execute(query.order_by(firms.c.id)):
            if problem := import_checks.authority_problem(
                actor, None, name, park_id, park_id, parks
            ):
                denied.append(problem)
    later = _later_batches(session, batch, listed)
    edited = session.scalars(
        sa_select(firms.c.id)
        .join(record, record.c.enterprise_id == firms.c.id)
        .where(
            ours,
            record.c.action.in_(("created", "updated")),
            firms.c.version != record.c.version,
        )
    )
    reasons: dict[int, str] = {}
    for firm_id in edited:
        batch_id = later.get(firm_id)
        reasons[firm_id] = f"被后来的导入批次 #{batch_id} 修改" if batch_id else "之后被编辑"
    for firm_id in _moved_cultivations(session, batch):
        if firm_id not in reasons:
            batch_id = later.get(firm_id)
            reasons[firm_id] = f"被后来的导入批次 #{batch_id} 修改" if batch_id else "之后被移动"
    for firm_id, batch_id in later.items():
        reasons.setdefault(firm_id, f"被后来的导入批次 #{batch_id} 修改")
    names: dict[int, str] = {}
    for among in bulk.among(session, firms.c.id, sorted(reasons)):
        query = sa_select(firms.c.id, firms.c.name).where(among)
        names |= {firm_id: name for firm_id, name in session.execute(query)}
    changed = [f"企业「{names[i]}」{why}" for i, why in sorted(reasons.items()) if i in names]
    return denied, changed


def _moved_cultivations(session: Session, batch: ImportBatch) -> set[int]:
    """The firms whose cultivations moved since the batch: one it placed has another version
    now, or a firm it created has a cultivation it did not place."""
    record, held = table_of(ImportChange), table_of(Cultivation)
    placed = sa.and_(record.c.batch_id == batch.id, record.c.action == "recognised")
    moved = set(
        session.scalars(
            sa_select(held.c.enterprise_id)
            .join(record, record.c.cultivation_id == held.c.id)
            .where(placed, held.c.version != record.c.version)
        )
    )
    ours = sa_select(record.c.cultivation_id).where(placed, record.c.cultivation_id.is_not(None))
    created = sa_select(record.c.enterprise_id).where(
        record.c.batch_id == batch.id, record.c.action == "created"
    )
    others = sa_select(held.c.enterprise_id).where(
        held.c.enterprise_id.in_(created), held.c.id.not_in(ours)
    )
    return moved | set(session.scalars(others))


def _later_batches(session: Session, batch: ImportBatch, listed: Any) -> dict[int, int]:
    """The firms that batches written after this one changed (firm → the latest such batch);
    `listed` selects the batch's firms."""
    last = session.scalar(
        sa_select(sa.func.max(ImportChange.id)).where(col(ImportChange.batch_id) == batch.id)
    )
    query = (
        select(ImportChange.enterprise_id, sa.func.max(ImportChange.batch_id))
        .join(ImportBatch, col(ImportBatch.id) == col(ImportChange.batch_id))
        .where(
            col(ImportChange.batch_id) != batch.id,
            col(ImportChange.id) > (last or 0),
            col(ImportBatch.status).in_(_LATER),
            col(ImportChange.enterprise_id).in_(listed),
        )
        .group_by(col(ImportChange.enterprise_id))
    )
    return {firm_id: batch_id for firm_id, batch_id in session.exec(query) if firm_id is not None}


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
