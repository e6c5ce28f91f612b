"""Writing one chunk of a checked import: its new firms, updates, memberships, recognitions.

A chunk runs in one short write transaction (import_commit drives them). Its rows were
checked before the write began, outside it; here every record it writes is taken first
(core.locking: the row locked, its version moving once with the change) and judged again as
it now is — who may change it (import_checks.authority_problem), whether it still holds what
the preview showed, whether a recognition would now be back-dated — because the preview may be
stale. A refusal raises, naming the row, and the chunk writes nothing.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from core import audit, bulk
from core.accounts import User
from core.db import table_of, utcnow
from core.errors import Conflict, PermissionDenied
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, Stage
from enterprises.registry import bulk_firms, figures
from enterprises.registry.models import (
    FIELD_LABELS,
    Enterprise,
    EnterpriseFields,
    Membership,
    MembershipReview,
    MembershipSource,
    Origin,
)
from enterprises.spreadsheets import import_checks, import_placements
from enterprises.spreadsheets.import_rows import RowFate
from enterprises.spreadsheets.imports import ImportChange

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
    stage: Stage = Stage.recognised  # where a designation's list places its firms


def write(session: Session, actor: User, chunk: Chunk) -> Counts:
    """Write the chunk's rows; raise PermissionDenied or Conflict (naming the row) instead.

    Set-based: the chunk's records are read and locked in a few statements, judged in
    Python, and written with one executemany (or COPY) per kind of change.
    """
    parks = import_checks.park_names(session)
    counts = Counts()
    changes: list[dict[str, Any]] = []
    firm_ids = _create(session, actor, chunk, parks)
    counts.created = len(firm_ids)
    created = set(firm_ids.values())
    matched = [f for f in chunk.rows if f.status in ("update", "same")]
    firm_ids |= _update(session, actor, chunk.batch_id, matched, parks, changes)
    counts.updated = sum(1 for f in matched if f.status == "update")
    counts.same = len(matched) - counts.updated
    _memberships(session, chunk, firm_ids, created, changes)
    if chunk.designation is not None:
        counts.recognised = import_placements.place(session, actor, chunk, firm_ids, changes)
    if changes:
        blank = {"enterprise_id": None, "cultivation_id": None, "before": None, "after": None}
        bulk.insert_rows(session, ImportChange, [blank | c for c in changes])
    session.flush()
    # Rows changed by statements, not through the ORM: objects of them read afresh.
    bulk.reread(
        session, Enterprise, [c["enterprise_id"] for c in changes if c["action"] == "updated"]
    )
    bulk.reread(
        session, Cultivation, [c["cultivation_id"] for c in changes if c["action"] == "recognised"]
    )
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
    bulk_firms.insert(
        session,
        [common | f.fields | {"id": i, "updated_at": now} for f, i in zip(new, ids, strict=True)],
    )
    # Undoing a creation needs only the id; the values are in the audit record.
    bulk.insert_rows(
        session,
        ImportChange,
        [{"enterprise_id": i} for i in ids],
        same={"batch_id": chunk.batch_id, "action": "created", "version": 1},
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
    fates: list[RowFate],
    parks: dict[int | None, str],
    changes: list[dict[str, Any]],
) -> dict[int, int]:
    """Take the matched firms (locked), judge them again, write the updates; row → firm."""
    if not fates:
        return {}
    table = table_of(Enterprise)
    keys = sorted({k for f in fates for k in f.changes})
    wanted = [
        table.c.id,
        table.c.name,
        table.c.park_id,
        table.c.version,
        *(table.c[k] for k in keys),
    ]
    ids = sorted({f.enterprise_id for f in fates if f.enterprise_id is not None})
    found: dict[int, Any] = {}
    for among in bulk.among(session, table.c.id, ids):
        query = select(*wanted).where(among).with_for_update(key_share=True)
        found |= {row.id: row for row in session.execute(query)}
    now = utcnow()
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    logged: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = []
    for fate in fates:
        firm = found.get(fate.enterprise_id or 0)
        if firm is None:
            raise Conflict(f"第 {fate.row} 行：企业「{fate.name}」在预览之后已被删除，请重新预览")
        target = fate.changes["park_id"][1] if "park_id" in fate.changes else firm.park_id
        if problem := import_checks.authority_problem(
            actor, fate.row, firm.name, firm.park_id, target, parks
        ):
            raise PermissionDenied(problem)
        stale = [k for k, (old, _) in fate.changes.items() if getattr(firm, k) != old]
        if stale:
            fields = "、".join(FIELD_LABELS.get(k, k) for k in stale)
            raise Conflict(
                f"第 {fate.row} 行：企业「{firm.name}」的{fields}在预览之后被修改，"
                "请重新预览后再导入"
            )
        if fate.status != "update":
            continue
        changed = tuple(sorted(fate.changes))
        by_keys.setdefault(changed, []).append(
            {"fid": firm.id} | {f"v_{k}": new for k, (_, new) in fate.changes.items()}
        )
        before = {k: old for k, (old, _) in fate.changes.items()}
        after = {k: new for k, (_, new) in fate.changes.items()}
        logged.append((firm.id, firm.name, before, after))
        changes.append(
            {
                "batch_id": batch_id,
                "enterprise_id": firm.id,
                "action": "updated",
                "before": before,
                "after": after,
                "version": firm.version + 1,  # locked above: this write is its next version
            }
        )
    for changed, params in by_keys.items():
        statement = (
            sa_update(table)
            .where(table.c.id == bindparam("fid"))
            .values(
                {k: bindparam(f"v_{k}") for k in changed}
                | {"version": table.c.version + 1, "updated_at": now}
            )
        )
        session.execute(statement, params)
    audit.record_changes(
        session=session,
        actor=actor,
        action="import_update",
        object_type="enterprise",
        rows=logged,
    )
    # The card shows the data year's row: a list's new figures correct it too.
    figures.follow_summaries(
        session=session,
        actor=actor,
        action="import_update",
        enterprise_ids=[
            firm_id for firm_id, _, _, after in logged if figures.SUMMARY.keys() & after.keys()
        ],
    )
    return {f.row: f.enterprise_id for f in fates if f.enterprise_id is not None}


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
