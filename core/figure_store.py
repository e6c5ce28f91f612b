"""Figures computed by one server process, kept in the database for the other processes.

A city deployment runs several worker processes (and hosts) on one PostgreSQL: a chain's
figures or the dashboard's standings, computed afresh after a write, are stored here under the
version token they were computed for, so the other processes read them instead of computing
them again. Each process still keeps what it uses in memory (core/figure_cache.py). While one
process recomputes a figure in the background it holds a claim on it; another process's
background thread that wants it too waits for the value instead of computing it again.

SQLite serves one process (several need PostgreSQL, see the README), and its single writer
could make a page wait for an import's write lock just to store a figure: it keeps none here.
"""

import hashlib
import pickle
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, LargeBinary
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, Session, SQLModel, select

MISSING = object()


class SharedFigure(SQLModel, table=True):
    """One figure's latest computed value and the version token it holds for."""

    __tablename__ = "shared_figure"

    name: str = Field(primary_key=True, max_length=64, description="sha256 of what it is")
    token: str = Field(max_length=32)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def _shared(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _name(what: str) -> str:
    return hashlib.sha256(what.encode()).hexdigest()


def fetch(session: Session, what: str, token: str) -> Any:
    """The value stored for this figure and token, or MISSING."""
    if not _shared(session):
        return MISSING
    query = select(SharedFigure.value).where(
        SharedFigure.name == _name(what), SharedFigure.token == token
    )
    found = session.exec(query).first()
    # Only this application writes the table: its values are its own pickles.
    return pickle.loads(found) if found is not None else MISSING  # noqa: S301


def claim(session: Session, what: str, token: str) -> None:
    """Claim the figure for this transaction, waiting while another one holds it.

    A claim lasts until the transaction ends (a PostgreSQL advisory lock): whoever got it after
    waiting looks in the store first, where the one before may have left the value. With one
    process (SQLite) there is no one else to wait for.
    """
    if not _shared(session):
        return
    digest = hashlib.sha256(f"{what}:{token}".encode()).digest()
    lock = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))


def keep(session: Session, what: str, token: str, value: Any) -> None:
    """Store a computed value for the other processes, in a transaction of its own.

    A value computed in a transaction that rolls back is stored under a token that never
    becomes visible, so no one is ever served it.
    """
    if not _shared(session):
        return
    statement = insert(SharedFigure).values(
        name=_name(what), token=token, value=pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    )
    with session.get_bind().engine.begin() as conn:
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"token": statement.excluded.token, "value": statement.excluded.value},
            )
        )
