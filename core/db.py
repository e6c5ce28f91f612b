"""Engine creation and the metadata every table shares."""

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel import Session, SQLModel, create_engine

from core.errors import Conflict

T = TypeVar("T")

# Stable constraint names keep migrations reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[Enum], length: int = 20) -> sa.Enum:
    """Store an enum as its value in a VARCHAR (no database enum type) and load it back."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def chunks(values: Sequence[T], size: int = 5000) -> Iterator[Sequence[T]]:
    """Slices of values for IN lists, kept under the drivers' limits on bound parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _folded_like(GenericFunction[bool]):
    """`_folded_like(column, pattern)`: LIKE ignoring ASCII case, with backslash escapes.

    PostgreSQL says ILIKE; SQLite's LIKE already ignores ASCII case (as its lower() lowers
    only ASCII), so it is spared two function calls per row of a scan.
    """

    type = sa.Boolean()
    inherit_cache = True


@compiles(_folded_like)
def _ilike(element: _folded_like, compiler: Any, **kw: Any) -> str:
    column, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} ILIKE {pattern} ESCAPE '\\')"


@compiles(_folded_like, "sqlite")
def _like(element: _folded_like, compiler: Any, **kw: Any) -> str:
    column, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} LIKE {pattern} ESCAPE '\\')"


def contains_text(column: Any, text: str) -> sa.ColumnElement[bool]:
    """The column holds text anywhere in it, ignoring case; % and _ in text are literal."""
    pattern = "%" + "".join("\\" + c if c in "\\%_" else c for c in text) + "%"
    if text.lower() == text.upper():
        # Nothing in text has a case (Chinese, digits): a plain LIKE finds the same rows, and
        # PostgreSQL runs it ~4× faster than ILIKE, which lowers every row it reads.
        return column.like(pattern, escape="\\")  # type: ignore[no-any-return]
    return _folded_like(column, pattern)


def count_up_to(session: Session, stmt: sa.Select[Any], cap: int) -> int:
    """Count the rows of stmt, reading at most cap + 1 of them.

    Returns the exact count when it is at most cap, else cap + 1 ("more than cap"): a search
    for a common term need not read its tens of thousands of matches to say so.
    """
    probe: sa.Select[Any] = (
        stmt.with_only_columns(sa.literal_column("1")).order_by(None).limit(cap + 1)
    )
    counted = sa.select(sa.func.count()).select_from(probe.subquery())
    return int(session.execute(counted).scalar_one())


class days_between(GenericFunction[int]):
    """`days_between(later, earlier)`: whole days from one date column to another."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _date_difference(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = element.clauses
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _julian_difference(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class Listed(NamedTuple):
    """A test that a column's value is in a list, for use inside CASE, and what it needs."""

    held: sa.ColumnElement[bool]
    joined: Callable[[Any], Any]  # adds what `held` reads to a SELECT (or leaves it)


def listed_in(session: Session, column: Any, ids: Any) -> Listed:
    """Whether `column` is among the values `ids` (a one-column SELECT) selects, inside CASE.

    PostgreSQL re-runs an IN subquery inside CASE for every row once the list outgrows
    work_mem (minutes at 1,000,000 firms), so there the list is outer-joined; SQLite's planner
    does the opposite (the chain figures at 200,000 firms: IN 0.36 s, the join 1.3 s).
    """
    if session.get_bind().dialect.name != "postgresql":
        return Listed(column.in_(ids), lambda stmt: stmt)
    listed = ids.distinct().subquery()
    value = list(listed.c)[0]
    return Listed(value.is_not(None), lambda stmt: stmt.outerjoin(listed, value == column))


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table behind a model, for bulk statements that skip the ORM's per-row work."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


# The largest id (or version) a table holds: PostgreSQL's integer. Input declares it as its
# bound (web.deps, the models' id fields), so a larger number is bad input, not a driver error.
MAX_ID = 2**31 - 1


def require_id(row: Any) -> int:
    """Return the primary key of a flushed row (SQLModel types it as optional)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has not been flushed")
    return int(row.id)


# China keeps one time zone without daylight saving, so a fixed offset is exact.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def china_today() -> date:
    """Today's date where the zone works: from 00:00 to 08:00 China time the UTC date is still
    yesterday's, and a lead logged at 07:30 would carry the wrong 登记日期."""
    return datetime.now(CHINA_TIME).date()


SQLITE_BEGIN = "chainplan_sqlite_begin"


def spaced_chars(text: str | None) -> str:
    """The text's characters with spaces between them: for SQLite's full-text index (FTS5),
    whose tokeniser then makes each letter or digit a token, so that the firms holding every
    character of a search term can be found in it (PostgreSQL: a GIN index of characters)."""
    return " ".join(text or "")


# Set in a connection's pool record while a bulk writer indexes its rows' characters itself.
_CHARS_LATER = "chainplan_chars_later"


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers queue for SQLite's one write lock. Beside a long import's chunks and other
    # writers on a busy machine the queue can be longer than 5 s (the load benchmark saw 363
    # of 3,800 writes fail so): a request that waits is better than one that fails.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # The triggers that keep the search index of characters call it (enterprises.registry.models).
    dbapi_connection.create_function("spaced_chars", 1, spaced_chars, deterministic=True)
    # Their inserts and deletes of firms ask it first (migration 7c2e9a4b1f60): see chars_later.
    info = record.info
    dbapi_connection.create_function("chars_per_row", 0, lambda: not info.get(_CHARS_LATER))
    # The driver would begin transactions itself, always DEFERRED; _sqlite_begin does it instead.
    dbapi_connection.isolation_level = None


@contextmanager
def chars_later(session: Session) -> Iterator[bool]:
    """Within it, SQLite's triggers that index a firm's characters row by row stand aside on
    this session's connection, and the caller indexes the rows it inserts or deletes with one
    statement (≈ 7 µs a firm, where the trigger cost ≈ 55 µs). Yields whether it is SQLite:
    elsewhere nothing changes (PostgreSQL's index of characters is an index)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield False
        return
    info = connection.connection.info
    info[_CHARS_LATER] = True
    try:
        yield True
    finally:  # the connection goes back to the pool: every other writer indexes row by row
        info.pop(_CHARS_LATER, None)


# The writers of this process waiting for SQLite's one write lock (SQLite serves one process).
_writers_waiting = 0
_writers_changed = threading.Condition()


def _sqlite_begin(conn: sa.Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a transaction that will write (see transaction())."""
    # A deferred transaction that reads and then writes cannot take the write lock once
    # another writer committed after its read: SQLite fails it at once, whatever the timeout.
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
    if mode != "IMMEDIATE":
        conn.exec_driver_sql(f"BEGIN {mode}".strip())
        return
    global _writers_waiting
    with _writers_changed:
        _writers_waiting += 1
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        with _writers_changed:
            _writers_waiting -= 1
            _writers_changed.notify_all()


def let_writers_in(most: float) -> None:
    """Wait, at most `most` seconds, until no writer of this process waits for SQLite's write
    lock: a long run of write transactions (an import's chunks) calls it between two, so that
    the writers queued meanwhile go first. Returns at once when none waits.

    They poll for the lock (sleeping up to 0.1 s between tries): a run that took it again at
    once would starve them; one that always paused after each transaction, waiting or not,
    spent a quarter of its time asleep.
    """
    with _writers_changed:
        _writers_changed.wait_for(lambda: _writers_waiting == 0, timeout=most)


def _json_value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# JSON columns (audit values, import changes) hold dates as ISO text. One encoder for all:
# json.dumps with `default` builds a new one per value (a third of an import's JSON time).
_to_json = json.JSONEncoder(default=_json_value).encode


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    `options` go to create_engine as they are (say, a pool for more concurrent transactions).
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_serializer=_to_json, **options
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_to_json, **options)


def refresh_statistics(session: Session, *tables: str) -> None:
    """Have the database re-read the statistics of some tables (all when none are named).

    The query planners choose by them: PostgreSQL believes a freshly filled table is still
    small until autovacuum gets to it, and SQLite has none until ANALYZE runs — without them a
    chain's figures took 2.5 s instead of 0.2 s at 200,000 firms.
    """
    for table in tables or ("",):
        session.execute(sa.text(f'ANALYZE "{table}"' if table else "ANALYZE"))


READ_ONLY = "chainplan_read_only"
_DEFERRED = "chainplan_deferred_writes"


def defer_write(session: Session, statement: sa.Executable) -> None:
    """Execute a write now in a writing transaction, or in its own one after a read ends.

    A GET runs in a read transaction (transaction(write=False)); on SQLite a DEFERRED one, so
    that readers run beside each other and beside a writer. SQLite cannot turn it into a
    writing one once another connection has committed since it began: the write fails at
    once with "database is locked", whatever the busy timeout. The few writes a read makes
    are facts of their own — a download for the audit log, a login session seen again — that
    need not be atomic with what was read; so they are kept, and written when the read has
    ended, in a short transaction that begins IMMEDIATE and so waits its turn behind writers.
    (Beginning every GET IMMEDIATE instead would queue all readers one behind another.)
    PostgreSQL does the same, so that what the tests see on one database holds on the other.
    Statements carry plain values: the read's objects are expired once it ends.
    """
    if session.info.get(READ_ONLY):
        session.info.setdefault(_DEFERRED, []).append(statement)
    else:
        session.execute(statement)


def deferred_writes(session: Session) -> list[sa.Executable]:
    """Take the writes a read transaction deferred (defer_write), to execute them."""
    return list(session.info.pop(_DEFERRED, []))


class WriteInRead(RuntimeError):
    """A read transaction tried to write rows itself instead of through defer_write."""


# On SQLite a write in a read works alone and fails under load ("database is locked"): it
# fails always instead, so that tests find it.
@event.listens_for(Session, "before_flush")
def _refuse_flushes_in_reads(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY):
        changed = [type(obj).__name__ for obj in (*session.new, *session.dirty, *session.deleted)]
        raise WriteInRead(f"a read transaction writes {sorted(set(changed))}; use defer_write")


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements_in_reads(state: ORMExecuteState) -> None:
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and state.session.info.get(READ_ONLY):
        raise WriteInRead(f"a read transaction executes {state.statement}; use defer_write")


# What the databases answer when concurrent transactions collide: PostgreSQL's SQLSTATEs of a
# serialization failure, a deadlock, a lock not available and a unique violation (two
# writers inserting the same key, each having checked that it was free), and SQLite's error
# names of the last.
_COLLISIONS = {
    "40001",
    "40P01",
    "55P03",
    "23505",
    "SQLITE_CONSTRAINT_UNIQUE",
    "SQLITE_CONSTRAINT_PRIMARYKEY",
}


def collision(exc: BaseException) -> Conflict | None:
    """The Conflict to answer when a statement failed because another transaction won a race."""
    if not isinstance(exc, DBAPIError):
        return None
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "sqlite_errorname", None)
    if code not in _COLLISIONS:
        return None
    return Conflict("与他人的修改同时提交，未能保存（如名称或编号已被同时占用），请刷新后重试")


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error.

    A transaction that may write takes SQLite's write lock when it begins (BEGIN IMMEDIATE),
    waiting up to the busy timeout for it, so concurrent editors queue instead of failing.
    One that only reads writes nothing itself (defer_write); what it deferred is written after
    it, in a transaction of its own. A collision with a concurrent transaction (a deadlock, a
    key inserted by both) is a Conflict, not a server error.
    """
    with Session(engine) as session:
        if write and engine.dialect.name == "sqlite":
            session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
        session.info[READ_ONLY] = not write
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if conflict := collision(exc):
                raise conflict from exc
            raise
    if deferred := deferred_writes(session):
        with transaction(engine) as writer:
            for statement in deferred:
                writer.execute(statement)
