"""How far a long request has got (an import of 100,000 rows), for the page that waits on it.

The waiting page makes up a random key, sends it with the form and polls for it; the request
reports under that key as it goes, and a key belongs to the user who started it.

On PostgreSQL progress is a row written in its own short transaction, so that a poll answered
by another worker process or host sees it while the import's transaction is still open. SQLite
serves one process (README: several processes need PostgreSQL) and has a single writer: the
import holds the write lock, so its progress is kept in that process's memory instead.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, Session, SQLModel, select

KEEP_SECONDS = 600
Reporter = Callable[[str, int, int], None]  # (stage, done, total)


def silent(stage: str, done: int, total: int) -> None:
    """A reporter for callers that do not watch."""


class RequestProgress(SQLModel, table=True):
    """The stage and count of one long request, under the key its waiting page polls."""

    __tablename__ = "request_progress"

    key: str = Field(primary_key=True, max_length=64)
    user_id: int
    stage: str = Field(max_length=40)
    done: int
    total: int
    at: float = Field(description="time.time() of the report")


@dataclass(frozen=True)
class Progress:
    """One long request's stage and count."""

    user_id: int
    stage: str
    done: int
    total: int
    at: float


_RUNNING: dict[str, Progress] = {}
_LOCK = Lock()


def report(engine: Engine, key: str, user_id: int, stage: str, done: int, total: int) -> None:
    """Record how far the request under `key` has got."""
    if not key:
        return
    now = time.time()
    found = Progress(user_id, stage[:40], done, total, now)
    if engine.dialect.name != "postgresql":
        with _LOCK:
            _RUNNING[key[:64]] = found
            for stale in [k for k, p in _RUNNING.items() if now - p.at > KEEP_SECONDS]:
                del _RUNNING[stale]
        return
    values = {"key": key[:64], **found.__dict__}
    statement = insert(RequestProgress).values(values)
    with engine.begin() as conn:
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={k: statement.excluded[k] for k in ("stage", "done", "total", "at")},
            )
        )
        if done == 0:  # a request starting a stage clears what others left long ago
            conn.execute(delete(RequestProgress).where(RequestProgress.at < now - KEEP_SECONDS))  # type: ignore[arg-type]


def get(session: Session, key: str, user_id: int) -> Progress | None:
    """The progress under `key`, if it belongs to this user."""
    if session.get_bind().dialect.name != "postgresql":
        with _LOCK:
            found = _RUNNING.get(key[:64])
    else:
        row = session.exec(select(RequestProgress).where(RequestProgress.key == key[:64])).first()
        found = Progress(row.user_id, row.stage, row.done, row.total, row.at) if row else None
    return found if found is not None and found.user_id == user_id else None
