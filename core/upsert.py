"""Idempotent create-or-update by natural key, audited; what seed loaders build on."""

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from core import audit

T = TypeVar("T", bound=SQLModel)


def upsert(
    *, session: Session, model: type[T], key: dict[str, Any], values: dict[str, Any]
) -> tuple[T, bool]:
    """Return the row matching key with values applied, and whether anything changed."""
    stmt = select(model)
    for name, value in key.items():
        stmt = stmt.where(getattr(model, name) == value)
    row = session.exec(stmt).first()
    label = str(values.get("name") or next(iter(key.values())))
    if row is None:
        row = model(**key, **values)
        session.add(row)
        session.flush()
        audit.record(
            session=session,
            actor=None,
            action="seed_create",
            obj=row,
            label=label,
            after=audit.snapshot(row),
        )
        return row, True
    before = audit.snapshot(row, list(values))
    for name, value in values.items():
        setattr(row, name, value)
    old, new = audit.changed(before, audit.snapshot(row, list(values)))
    if not new:
        return row, False
    session.flush()
    audit.record(
        session=session,
        actor=None,
        action="seed_update",
        obj=row,
        label=label,
        before=old,
        after=new,
    )
    return row, True
