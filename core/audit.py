"""The audit record: who changed which business object, when, from what to what."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, Index, insert
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Field, Session, SQLModel, col, select

from core import bulk, paging
from core.db import CHINA_TIME, defer_write, utcnow
from core.paging import Page


class AuditEntry(SQLModel, table=True):
    """One change to business data; rows are only ever added."""

    __tablename__ = "audit_entry"
    # A firm's page shows its history: without this every view read the whole log (100 ms at
    # 500,000 entries, after a few imports of a city's registry).
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor_name: str = Field(default="", max_length=60, description="kept if the user is removed")
    action: str = Field(max_length=30)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    object_label: str = Field(default="", max_length=200)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    source: str = Field(default="", max_length=60, description="client address or 'cli'")


def plain(value: Any) -> Any:
    """A value as the audit log keeps it: dates as ISO text, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _primary_key(obj: SQLModel) -> str:
    """Return the row's primary key as text; composite keys are joined with commas."""
    identity = sa_inspect(obj).identity or ()
    return ",".join(str(part) for part in identity)


def snapshot(obj: SQLModel, fields: list[str] | None = None) -> dict[str, Any]:
    """Return the JSON-safe values of an object's fields."""
    names = fields if fields is not None else list(type(obj).model_fields)
    return {name: plain(getattr(obj, name)) for name in names}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return only the fields whose value differs, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    *,
    session: Session,
    actor: Any,
    action: str,
    obj: SQLModel,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for a change to obj made by actor (a User or None for the system).

    The source address comes from session.info["source"], set by whoever owns the transaction.
    """
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "system"),
        action=action,
        object_type=obj.__tablename__,  # type: ignore[arg-type]
        object_id=_primary_key(obj),
        object_label=label[:200],
        before=before,
        after=after,
        source=str(session.info.get("source", ""))[:60],
    )
    session.add(entry)
    return entry


def _shared(session: Session, actor: Any, action: str, object_type: str) -> dict[str, Any]:
    """What every entry of one bulk write holds alike."""
    return {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "username", "system"),
        "action": action,
        "object_type": object_type,
        "source": str(session.info.get("source", ""))[:60],
    }


def record_created(
    *,
    session: Session,
    actor: Any,
    action: str,
    object_type: str,
    rows: list[tuple[int, str, dict[str, Any]]],
) -> None:
    """Add one creation entry per (id, label, values) in a single statement, for bulk writes."""
    if not rows:
        return
    bulk.insert_rows(
        session,
        AuditEntry,
        [
            {"object_id": str(oid), "object_label": label[:200], "after": after}
            for oid, label, after in rows
        ],
        same=_shared(session, actor, action, object_type),
    )


def record_changes(
    *,
    session: Session,
    actor: Any,
    action: str,
    object_type: str,
    rows: list[tuple[int, str, dict[str, Any], dict[str, Any]]],
) -> None:
    """Add one change entry per (id, label, before, after) in a single statement (bulk writes)."""
    if not rows:
        return
    bulk.insert_rows(
        session,
        AuditEntry,
        [
            {"object_id": str(oid), "object_label": label[:200], "before": before, "after": after}
            for oid, label, before, after in rows
        ],
        same=_shared(session, actor, action, object_type),
    )


def record_event(
    *,
    session: Session,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str,
    label: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry about something that is not a stored object (a download, an unknown name).

    Such events also happen in reads (a download): they are written through defer_write.
    """
    entry = _event(session, actor, action, object_type, object_id, label)
    if after is not None:  # else SQL NULL, as a row added through the ORM has it
        entry["after"] = after
    defer_write(session, insert(AuditEntry).values(entry))


def record_events(
    *,
    session: Session,
    actor: Any,
    action: str,
    object_type: str,
    rows: list[tuple[int | str, str, dict[str, Any]]],
) -> None:
    """Add one entry per (id, label, values) of events that may happen in a read (an export
    that shows many people's phones), in one statement written through defer_write."""
    if rows:
        entries = [
            _event(session, actor, action, object_type, str(oid), label) | {"after": after}
            for oid, label, after in rows
        ]
        defer_write(session, insert(AuditEntry).values(entries))


def _event(
    session: Session, actor: Any, action: str, object_type: str, object_id: str, label: str
) -> dict[str, Any]:
    return _shared(session, actor, action, object_type) | {
        "object_id": object_id[:40],
        "object_label": label[:200],
    }


def record_export(*, session: Session, actor: Any, filename: str, rows: int | None = None) -> None:
    """Note that a user downloaded a table (exports carry personal and business data)."""
    record_event(
        session=session,
        actor=actor,
        action="export",
        object_type="export",
        object_id=filename.rsplit(".", 1)[-1],
        label=filename,
        after={"rows": rows} if rows is not None else None,
    )


def update(
    *, session: Session, actor: Any, obj: SQLModel, label: str, values: dict[str, Any]
) -> bool:
    """Set values on obj and record the fields that changed; return whether any did."""
    before = snapshot(obj, list(values))
    for name, value in values.items():
        setattr(obj, name, value)
    old, new = changed(before, snapshot(obj, list(values)))
    if not new:
        return False
    session.flush()
    record(
        session=session, actor=actor, action="update", obj=obj, label=label, before=old, after=new
    )
    return True


def history(*, session: Session, object_type: str, object_id: int | str) -> list[AuditEntry]:
    """Return the audit entries of one object, newest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )
    return list(session.exec(stmt))


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log is narrowed to."""

    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    start: date | None = None
    end: date | None = None


def _conditions(flt: AuditFilter) -> list[Any]:
    found: list[Any] = []
    if flt.object_type:
        found.append(col(AuditEntry.object_type) == flt.object_type)
    if flt.object_id:
        found.append(col(AuditEntry.object_id) == flt.object_id)
    if flt.actor:
        found.append(col(AuditEntry.actor_name) == flt.actor)
    # The dates are China's, as the log is read: a day runs from 00:00 to 24:00 UTC+8.
    if flt.start:
        found.append(col(AuditEntry.at) >= datetime.combine(flt.start, time.min, CHINA_TIME))
    if flt.end:
        found.append(
            col(AuditEntry.at) < datetime.combine(flt.end + timedelta(days=1), time.min, CHINA_TIME)
        )
    return found


def search(
    *, session: Session, flt: AuditFilter, page: int = 1, page_size: int = 100
) -> Page[AuditEntry]:
    """Entries matching the filter, newest first, one page at a time; the total exact up to
    paging.COUNT_CAP (the log only grows)."""
    where = _conditions(flt)
    rows = (
        select(AuditEntry)
        .where(*where)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )
    return paging.paginate(session, rows, select(AuditEntry.id).where(*where), page, page_size)


def object_types(*, session: Session) -> list[str]:
    """The kinds of objects the log holds entries for."""
    stmt = select(AuditEntry.object_type).distinct().order_by(col(AuditEntry.object_type))
    return list(session.exec(stmt))
