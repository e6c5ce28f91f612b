"""Writing one chunk of a checked import: its new firms, updates, memberships, recognitions.

A chunk runs in one short write transaction (import_commit drives them). Its rows were
checked before the write began, outside it; here every record it writes is taken first
(core.locking: the row locked, its version moving once with the change) and judged again as
it now is — who may change it (import_checks.authority_problem), whether it still holds what
the preview showed, whether a recognition would now be back-dated — because the preview may be
stale. A refusal raises, naming the row, and the chunk writes nothing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from core import audit, bulk, locking
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage, validity_end
from enterprises.registry.models import (
    FIELD_LABELS,
    Enterprise,
    EnterpriseFields,
    Membership,
    MembershipReview,
    MembershipSource,
    Origin,
)
from enterprises.spreadsheets import import_checks
from enterprises.spreadsheets.import_rows import RowFate
from enterprises.spreadsheets.imports import ImportChange

STATE = ["stage", "tier_id", "batch", "recognised_on", "valid_until"]
_DEFAULTS = {
    key: info.get_default(call_default_factory=True)
    for key, info in EnterpriseFields.model_fields.items()
    if not info.is_required()
}


@dataclass
class Counts:
    """What the chunks of a batch did so far."""

    created: int = 0
    updated: int = 0
    same: int = 0
    recognised: int = 0


@dataclass(frozen=True)
class Chunk:
    """The rows of one chunk and what they are written for."""

    batch_id: int
    filename: str
    rows: list[RowFate]
    designation: Designation | None


def write(session: Session, actor: User, chunk: Chunk) -> Counts:
    """Write the chunk's rows; raise PermissionDenied or Conflict (naming the row) instead."""
    parks = import_checks.park_names(session)
    counts = Counts()
    changes: list[dict[str, Any]] = []
    firm_ids = _create(session, actor, chunk, parks)
    counts.created = len(firm_ids)
    created = set(firm_ids.values())
    for fate in chunk.rows:
        if fate.status in ("update", "same"):
            firm_ids[fate.row] = _update(session, actor, chunk.batch_id, fate, parks, changes)
            if fate.status == "update":
                counts.updated += 1
            else:
                counts.same += 1
    _memberships(session, chunk, firm_ids, created, changes)
    if chunk.designation is not None:
        counts.recognised = _recognitions(session, actor, chunk, firm_ids, changes)
    if changes:
        blank = {"enterprise_id": None, "cultivation_id": None, "before": None, "after": None}
        bulk.insert_rows(session, ImportChange, [blank | c for c in changes])
    session.flush()
    return counts


def _create(
    session: Session, actor: User, chunk: Chunk, parks: dict[int | None, str]
) -> dict[int, int]:
    new = [f for f in chunk.rows if f.status == "new"]
    if not new:
        return {}
    for fate in new:
        park_id = fate.fields.get("park_id")
        if problem := import_checks.authority_problem(
            actor, fate.row, fate.name, park_id, park_id, parks
        ):
            raise PermissionDenied(problem)
    # A firm of the same name or code registered since the preview would be a duplicate.
    codes = [c for f in new if (c := f.fields.get("credit_code"))]
    names = [f.name for f in new]
    for column, wanted in ((Enterprise.credit_code, codes), (Enterprise.name, names)):
        for among in bulk.among(session, column, wanted):
            taken = session.exec(select(Enterprise.name).where(among)).first()
            if taken is not None:
                row = next(f.row for f in new if taken in (f.name, f.fields.get("credit_code")))
                raise Conflict(
                    f"第 {row} 行：企业「{taken}」在预览之后已被他人登记，请重新预览后再导入"
                )
    now = utcnow()
    common = _DEFAULTS | {"origin": Origin.manual, "version": 1, "created_at": now}
    ids = bulk.reserve_ids(session, Enterprise, len(new))
    bulk.insert_rows(
        session,
        Enterprise,
        [common | f.fields | {"id": i, "updated_at": now} for f, i in zip(new, ids, strict=True)],
    )
    # Undoing a creation needs only the id; the values are in the audit record.
    bulk.insert_rows(
        session,
        ImportChange,
        [
            {"batch_id": chunk.batch_id, "enterprise_id": i, "action": "created", "version": 1}
            for i in ids
        ],
    )
    audit.record_created(
        session=session,
        actor=actor,
        action="import_create",
        object_type="enterprise",
        rows=[(firm_id, f.name, f.fields) for f, firm_id in zip(new, ids, strict=True)],
    )
    return {f.row: i for f, i in zip(new, ids, strict=True)}


def _update(
    session: Session,
    actor: User,
    batch_id: int,
    fate: RowFate,
    parks: dict[int | None, str],
    changes: list[dict[str, Any]],
) -> int:
    firm = session.get(Enterprise, fate.enterprise_id)
    if firm is None:
        raise Conflict(f"第 {fate.row} 行：企业「{fate.name}」在预览之后已被删除，请重新预览")
    locking.claim(session, firm, label=f"第 {fate.row} 行的企业「{firm.name}」")
    target = fate.changes["park_id"][1] if "park_id" in fate.changes else firm.park_id
    if problem := import_checks.authority_problem(
        actor, fate.row, firm.name, firm.park_id, target, parks
    ):
        raise PermissionDenied(problem)
    stale = [k for k, (old, _) in fate.changes.items() if getattr(firm, k) != old]
    if stale:
        fields = "、".join(FIELD_LABELS.get(k, k) for k in stale)
        raise Conflict(
            f"第 {fate.row} 行：企业「{firm.name}」的{fields}在预览之后被修改，请重新预览后再导入"
        )
    if fate.status != "update":
        return require_id(firm)
    for key, (_, new) in fate.changes.items():
        setattr(firm, key, new)
    session.flush()  # the claim moves the version with this first change
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
            "before": before,
            "after": after,
            "version": firm.version,
        }
    )
    return require_id(firm)


def _memberships(
    session: Session,
    chunk: Chunk,
    firm_ids: dict[int, int],
    created: set[int],
    changes: list[dict[str, Any]],
) -> None:
    """Place the listed firms in their segments as pending (firms already there stay as they
    are)."""
    wanted = {(firm_ids[f.row], f.values["segment"]) for f in chunk.rows if f.values.get("segment")}
    existing = sorted({firm for firm, _ in wanted} - created)
    present: set[tuple[int, int]] = set()
    query = select(Membership.enterprise_id, Membership.segment_id)
    for among in bulk.among(session, Membership.enterprise_id, existing):
        present |= set(session.exec(query.where(among)).all())
    added = sorted(wanted - present)
    # They wait for the chain chief's review (待确认) before the chain map counts them.
    entered = {
        "review": MembershipReview.pending,
        "entered_by": MembershipSource.imported,
        "entered_note": f"名单导入（第 {chunk.batch_id} 批）",
        "entered_at": utcnow(),
    }
    rows = [{"enterprise_id": e, "segment_id": s} | entered for e, s in added]
    bulk.insert_rows(session, Membership, rows)
    # A created firm's memberships go with it on undo; an existing firm's are recorded.
    changes += [
        {
            "batch_id": chunk.batch_id,
            "enterprise_id": e,
            "action": "joined",
            "after": {"segment_id": s},
        }
        for e, s in added
        if e not in created
    ]


def _recognitions(
    session: Session,
    actor: User,
    chunk: Chunk,
    firm_ids: dict[int, int],
    changes: list[dict[str, Any]],
) -> int:
    designation = chunk.designation
    assert designation is not None
    ids = sorted(set(firm_ids.values()))
    held: dict[tuple[int, int | None], Cultivation] = {}
    query = select(Cultivation).where(Cultivation.designation_id == designation.id)
    for among in bulk.among(session, Cultivation.enterprise_id, ids):
        held |= {(c.enterprise_id, c.chain_id): c for c in session.exec(query.where(among))}
    latest = import_checks.latest_events(session, designation, ids)
    done: list[tuple[RowFate, Cultivation, Stage | None, dict[str, Any] | None]] = []
    for fate in chunk.rows:
        firm_id = firm_ids[fate.row]
        chain_id = fate.values.get("chain") if designation.per_chain else None
        cultivation = held.get((firm_id, chain_id))
        on = import_checks.recognition_date(fate.values)
        before: dict[str, Any] | None = None
        previous: Stage | None = None
        if cultivation is not None:
            label = f"第 {fate.row} 行「{fate.name}」的培育记录"
            locking.claim(session, cultivation, label=label)
            if cultivation.stage == Stage.recognised:
                continue
            last = latest.get((firm_id, chain_id))
            if last is not None and on < last[0]:
                raise Conflict(
                    f"第 {fate.row} 行：企业「{fate.name}」的认定日期 {on.isoformat()} 早于其"
                    f"培育记录在预览之后的一步（{last[0].isoformat()}），请重新预览"
                )
            before = {k: getattr(cultivation, k) for k in STATE}
            previous = Stage(cultivation.stage)
        else:
            cultivation = Cultivation(
                enterprise_id=firm_id,
                designation_id=require_id(designation),
                chain_id=chain_id,
                stage=Stage.recognised,
            )
            session.add(cultivation)
        cultivation.stage = Stage.recognised
        cultivation.recognised_on = on
        cultivation.valid_until = validity_end(designation, on)
        cultivation.batch = str(fate.values.get("year") or on.year)
        done.append((fate, cultivation, previous, before))
    session.flush()  # one flush for the chunk: the ids, and the claimed rows' versions
    for _, cultivation, previous, before in done:
        session.add(
            CultivationEvent(
                cultivation_id=require_id(cultivation),
                on=cultivation.recognised_on or date.today(),
                actor_id=actor.id,
                actor_name=actor.username,
                from_stage=previous,
                to_stage=Stage.recognised,
                batch=cultivation.batch,
                valid_until=cultivation.valid_until,
                note=f"依据名单导入：{chunk.filename}",
            )
        )
        changes.append(
            {
                "batch_id": chunk.batch_id,
                "enterprise_id": cultivation.enterprise_id,
                "cultivation_id": cultivation.id,
                "action": "recognised",
                "before": before,
                "version": cultivation.version,
            }
        )
    audit.record_created(
        session=session,
        actor=actor,
        action="import_recognise",
        object_type="cultivation",
        rows=[(require_id(c), f.name, audit.snapshot(c, STATE)) for f, c, _, _ in done],
    )
    return len(done)
