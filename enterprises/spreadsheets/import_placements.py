"""Placing the firms of a designation's list in its cultivation: 候选, 入库培育, 申报 or 认定.

A list names the stage its firms are at (the one chosen on upload, or a row's 阶段). A firm
without a cultivation toward the designation is placed there directly (the list is the
record); one that has a cultivation is moved under the pipeline's rules (one stage on, or a
restart after an exit; a skip only by an admin; never back — import_checks.order_problem), and
a recognition list recognises from any stage, as before. Each placement is an event of the
cultivation, an import record (so the batch can be undone) and an audit entry.

Set-based: the chunk's cultivations are read and locked in one statement, judged again (the
preview may be stale), and written with one executemany or COPY per kind.
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam
from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from core import audit, bulk
from core.accounts import User
from core.db import require_id, table_of, utcnow
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.pipeline import (
    STAGE_LABELS,
    Cultivation,
    CultivationEvent,
    Stage,
    is_ordinary,
    validity_end,
)
from enterprises.spreadsheets import import_checks
from enterprises.spreadsheets.import_rows import RowFate

if TYPE_CHECKING:
    from enterprises.spreadsheets.import_writes import Chunk

STATE = ["stage", "tier_id", "batch", "recognised_on", "valid_until"]


def place(
    session: Session,
    actor: User,
    chunk: "Chunk",
    firm_ids: dict[int, int],
    changes: list[dict[str, Any]],
) -> int:
    """Place the chunk's firms at their stages; return how many moved (or were started)."""
    designation = chunk.designation
    assert designation is not None
    table = table_of(Cultivation)
    ids = sorted(set(firm_ids.values()))
    held: dict[tuple[int, int | None], Any] = {}
    query = (
        select(  # type: ignore[call-overload]
            table.c.id,
            table.c.enterprise_id,
            table.c.chain_id,
            table.c.version,
            *(table.c[k] for k in STATE),
        )
        .where(table.c.designation_id == designation.id)
        .with_for_update(key_share=True)
    )
    for among in bulk.among(session, table.c.enterprise_id, ids):
        held |= {(c.enterprise_id, c.chain_id): c for c in session.execute(query.where(among))}
    latest = import_checks.latest_events(session, designation, ids)
    now = utcnow()
    moved: list[dict[str, Any]] = []  # existing cultivations, moved now
    started: list[dict[str, Any]] = []  # new ones
    done: list[tuple[RowFate, dict[str, Any], Stage | None, bool]] = []
    per_chain = designation.per_chain  # an ORM attribute: read once, not per row
    for fate in chunk.rows:
        firm_id = firm_ids[fate.row]
        chain_id = fate.values.get("chain") if per_chain else None
        current = held.get((firm_id, chain_id))
        target = import_checks.target_stage(fate.values, chunk.stage)
        on = import_checks.step_date(fate.values, target)
        if current is None:
            state = _state(designation, target, on, fate.values, None)
            row = {"enterprise_id": firm_id, "chain_id": chain_id, "on": on, **state}
            started.append(row)
            done.append((fate, row, None, False))
            continue
        if current.stage == target:
            continue  # already there: the list confirms it
        if problem := import_checks.order_problem(actor, Stage(current.stage), target):
            refusal = f"第 {fate.row} 行「阶段」：企业「{fate.name}」{problem}（在预览之后有变化）"
            raise PermissionDenied(refusal) if "管理员" in problem else Conflict(refusal)
        last = latest.get((firm_id, chain_id))
        if last is not None and on < last[0]:
            raise Conflict(
                f"第 {fate.row} 行：企业「{fate.name}」的{STAGE_LABELS[target]}日期"
                f" {on.isoformat()} 早于其培育记录在预览之后的一步"
                f"（{last[0].isoformat()}），请重新预览"
            )
        row = {
            "id": current.id,
            "enterprise_id": firm_id,
            "on": on,
            "version": current.version + 1,  # locked above: this write is its next version
            "before": {k: audit.plain(getattr(current, k)) for k in STATE},
            **_state(designation, target, on, fate.values, current),
        }
        moved.append(row)
        forced = target != Stage.recognised and not is_ordinary(current.stage, target, False)
        done.append((fate, row, Stage(current.stage), forced))
    if moved:
        session.execute(
            sa_update(table)
            .where(table.c.id == bindparam("cid"))
            .values(
                {k: bindparam(f"v_{k}") for k in STATE}
                | {"version": table.c.version + 1, "updated_at": now}
            ),
            [{"cid": r["id"]} | {f"v_{k}": r[k] for k in STATE} for r in moved],
        )
    new_ids = bulk.reserve_ids(session, Cultivation, len(started))
    for row, new_id in zip(started, new_ids, strict=True):
        row["id"], row["version"] = new_id, 1
    bulk.insert_rows(
        session,
        Cultivation,
        [{k: r[k] for k in ("id", "enterprise_id", "chain_id", *STATE)} for r in started],
        same={"designation_id": require_id(designation), "version": 1, "updated_at": now},
    )
    _log(session, actor, chunk, done, now)
    changes += [
        {
            "batch_id": chunk.batch_id,
            "enterprise_id": r["enterprise_id"],
            "cultivation_id": r["id"],
            "action": "recognised",  # the record of a placement, whatever its stage
            "before": r.get("before"),
            "version": r["version"],
        }
        for _, r, _, _ in done
    ]
    return len(done)


def _state(
    designation: Any, target: Stage, on: Any, values: dict[str, Any], current: Any
) -> dict[str, Any]:
    """What a cultivation holds once placed at `target` on `on` (as pipeline.move leaves it)."""
    if target == Stage.recognised:
        return {
            "stage": Stage.recognised,
            "tier_id": current.tier_id if current is not None else None,
            "recognised_on": on,
            "valid_until": validity_end(designation, on),
            "batch": str(values.get("year") or on.year),
        }
    if target == Stage.candidate or current is None:
        return {
            "stage": target,
            "tier_id": None,
            "recognised_on": None,
            "valid_until": None,
            "batch": "",
        }
    return {k: getattr(current, k) for k in STATE} | {"stage": target}


def _log(
    session: Session,
    actor: User,
    chunk: "Chunk",
    done: list[tuple[RowFate, dict[str, Any], Stage | None, bool]],
    now: Any,
) -> None:
    """The placements' events and audit entries, one statement each."""
    plain = cache(audit.plain)  # the chunk's few dates and stages, converted once each
    bulk.insert_rows(
        session,
        CultivationEvent,
        [
            {
                "cultivation_id": r["id"],
                "on": r["on"],
                "from_stage": previous,
                "to_stage": r["stage"],
                "tier_id": r["tier_id"],
                "batch": r["batch"],
                "valid_until": r["valid_until"],
                "forced": forced,
            }
            for _, r, previous, forced in done
        ],
        same={
            "recorded_at": now,
            "actor_id": actor.id,
            "actor_name": actor.username,
            "note": f"依据名单导入：{chunk.filename}"[:1000],
            "document_number": "",
            "evidence_url": "",
        },
    )
    audit.record_created(
        session=session,
        actor=actor,
        action="import_recognise",
        object_type="cultivation",
        rows=[(r["id"], f.name, {k: plain(r[k]) for k in STATE}) for f, r, _, _ in done],
    )
