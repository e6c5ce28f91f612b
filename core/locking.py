"""Changing rows that others may be changing at the same moment.

A request reads a row and decides on what it read; another request may change the row in
between. On SQLite that cannot happen (write transactions begin IMMEDIATE and run one at a
time), but on PostgreSQL, at READ COMMITTED, sixteen concurrent requests can all read the
same row and all write: lost updates, duplicate events. So every write of a row that others
may write at once begins with one of these two, before anything is decided (both take the row
lock an UPDATE takes, FOR NO KEY UPDATE, which lets others insert rows that refer to it):

- `claim` for a versioned row (it has a `version` column): the row is locked and its version
  compared with the one the writer read (SELECT version … FOR NO KEY UPDATE); another is a
  Conflict. The first flush that changes the row then bumps its version (and stamps its
  updated_at), once a claim, so of any number of writers that read one version exactly one
  wins, on both databases.
- `lock` for a row without a version whose children or invariants are being changed (a chain
  whose segments and links are edited, a lead whose contacts are removed).

Either way the row stays locked until the transaction ends and is re-read as it now is, so
the rules are checked against the current state, and the second writer, once the first has
committed, decides on what the first wrote — the outcome of running them one after another.
A refusal after the claim writes nothing: the version moves only with a change, so a form
shown again with its error still holds the current version.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState
from sqlmodel import Session, SQLModel

from core import audit, personal
from core.db import require_id, table_of, utcnow
from core.errors import Conflict, NotFound

_CLAIMED = "chainplan_claimed"  # session.info: {row's state: the version it had when claimed}


def claim(
    session: Session,
    row: SQLModel,
    version: int | None = None,
    *,
    label: str,
    current: Sequence[str] = (),
) -> None:
    """Take a versioned row for this transaction's change, if it still has `version`.

    `version` is what the writer read (a form's or an API call's); without it the row is taken
    at whatever version it has now, which still serialises concurrent writers. A row changed
    since (or deleted) raises Conflict (or NotFound) naming `label`, with the `current` fields
    and version. Call it before changing the row's attributes: it may re-read them.
    """
    table = table_of(type(row))
    row_id = require_id(row)
    locked = sa.select(table.c.version).where(table.c.id == row_id).with_for_update(key_share=True)
    now = session.execute(locked).scalar()
    if now is None:
        raise NotFound(f"{label}已被删除")
    if version is not None and now != version:
        session.refresh(row)
        raise Conflict(
            f"{label}已被他人修改（当前版本 {now}，您编辑的是版本 {version}），请刷新后重试",
            current=personal.masked(audit.snapshot(row, list(current))) | {"version": now},
        )
    if now != row.version:  # type: ignore[attr-defined]
        session.refresh(row)  # changed after this transaction read it: decide on the new state
    session.info.setdefault(_CLAIMED, {})[sa.inspect(row)] = now


@event.listens_for(Session, "before_flush")
def _bump_claimed(session: Session, _context: Any, _instances: Any) -> None:
    claimed: dict[InstanceState[Any], int] = session.info.get(_CLAIMED, {})
    for state, version in claimed.items():
        row = state.obj()
        # Once a claim, with its first change written (unless the code set the version itself).
        if row is None or row not in session or row.version != version:
            continue
        if session.is_modified(row):
            row.version = version + 1
            if hasattr(row, "updated_at"):
                row.updated_at = utcnow()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_claims(session: Session) -> None:
    session.info.pop(_CLAIMED, None)


def lock(session: Session, row: SQLModel) -> None:
    """Hold a row until the transaction ends, re-read as it now is (PostgreSQL's row lock).

    Concurrent writers that lock the same row wait for this transaction and then see what it
    wrote. SQLite has no row locks and needs none: its write transactions run one at a time.
    """
    try:
        session.refresh(row, with_for_update={"key_share": True})
    except sa.exc.InvalidRequestError as exc:  # deleted meanwhile
        raise NotFound("该记录已被他人删除，请刷新后重试") from exc
