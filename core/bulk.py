"""Bulk writes and lookups that skip the ORM's per-row work, for imports and large datasets.

A 100,000-row list must not become 100,000 ORM objects, nor 100,000 statements: PostgreSQL
gets COPY and array parameters, SQLite (in-process, no round trips) one executemany of the
driver.
"""

import json
from collections.abc import Collection, Iterator, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, SQLModel

from core import versions
from core.db import chunks, table_of


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def reserve_ids(session: Session, model: type[SQLModel], count: int) -> list[int]:
    """Return `count` fresh primary keys for rows of the model the caller is about to insert.

    Knowing the ids up front spares reading them back after the insert. On SQLite the caller's
    transaction must hold the write lock (every write transaction begins IMMEDIATE).
    """
    if count <= 0:
        return []
    table = table_of(model)
    if _postgres(session):
        query = sa.text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(session.scalars(query, {"table": table.name, "n": count}))
    highest = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    same: dict[str, Any] | None = None,
) -> None:
    """Insert rows that all name the same columns; `same` holds values shared by every row (an
    import's actor, timestamp, note), given once; columns left out get their defaults.

    Straight to the driver (COPY on PostgreSQL, one executemany on SQLite): SQLAlchemy's
    executemany turns each row's values one by one, which cost more than SQLite's own work.
    """
    if not rows:
        return
    shared = same or {}
    table = table_of(model)
    keys = list(rows[0])
    given = [table.c[name] for name in [*keys, *shared]]
    defaults = [
        c
        for c in table.c
        if c.name not in rows[0] and c.name not in shared and c.default is not None
    ]
    connection = session.connection()
    dialect = connection.dialect
    processors = {
        n: process
        for n, column in enumerate([*given, *defaults])
        if (process := column.type._cached_bind_processor(dialect)) is not None
    }
    names = ", ".join(f'"{column.name}"' for column in [*given, *defaults])
    # Column by column, each step one C call over all rows: the values taken in column order,
    # the shared values and defaults added (a shared value converted once), the bind processors
    # applied, then zipped back into rows.
    take = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    columns: list[Sequence[Any]] = list(zip(*map(take, rows), strict=True))
    for value in shared.values():
        n = len(columns)
        columns.append([processors.pop(n)(value) if n in processors else value] * len(rows))
    for column in defaults:
        # A callable default (a timestamp, a fresh dict) is made for each row, as SQLAlchemy would.
        columns.append(
            [_default(column) for _ in rows]
            if column.default.is_callable  # type: ignore[union-attr]
            else [_default(column)] * len(rows)
        )
    for n, process in processors.items():
        columns[n] = _converted(columns[n], process)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    if _postgres(session):
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for values in zip(*columns, strict=True):
                copy.write_row(values)
    else:
        marks = ", ".join("?" * (len(given) + len(defaults)))
        try:
            cursor.executemany(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                list(zip(*columns, strict=True)),
            )
        finally:
            cursor.close()
    versions.wrote(session, model)


def _converted(values: Sequence[Any], process: Any) -> list[Any]:
    """A column's values through its bind processor; rows share many values (the chunk's
    timestamp, its dates, the actor), each converted once."""
    made: dict[tuple[type, Any], Any] = {}
    try:  # keyed by type too: 1, 1.0 and True are equal keys, but not the same value
        return [
            made[key] if (key := (type(v), v)) in made else made.setdefault(key, process(v))
            for v in values
        ]
    except TypeError:  # unhashable values (JSON documents): each converted
        return [process(v) for v in values]


def _default(column: sa.Column[Any]) -> Any:
    """The value SQLAlchemy would fill in for a column an insert leaves out."""
    default = column.default
    assert isinstance(default, sa.ColumnDefault)
    # SQLAlchemy wraps a callable default to take the execution context; none of ours reads it.
    return default.arg(None) if default.is_callable else default.arg


def among(session: Session, column: Any, values: Collection[Any]) -> Iterator[Any]:
    """WHERE conditions `column IN values`, as few as the database takes in one statement.

    PostgreSQL takes the whole list as one array parameter (a long IN list would be a long
    statement to parse and a generic plan to reuse); SQLite limits bound parameters.
    """
    if _postgres(session):
        yield column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    listed: Sequence[Any] = values if isinstance(values, Sequence) else list(values)
    if listed and all(type(v) in (int, str) for v in listed):
        # Ids, codes or names as one JSON parameter: an IN list of thousands is compiled bind by
        # bind each time (a third of the lookups of a 20,000-row list's check).
        each = sa.func.json_each(sa.bindparam(None, json.dumps(list(listed)), type_=sa.String))
        yield column.in_(sa.select(sa.literal_column("value")).select_from(each))
        return
    for chunk in chunks(listed):
        yield column.in_(chunk)


def reread(session: Session, model: type[SQLModel], ids: Collection[int]) -> None:
    """Read afresh the objects of these rows that the session holds, after a bulk statement
    changed the rows behind the ORM's back (a request holds few; the rest are never loaded)."""
    # The session's few objects are walked, not the list's thousands of ids.
    wanted = set(ids)
    held = [
        state.obj()
        for state in session.identity_map.all_states()
        if state.key is not None and state.key[0] is model and state.key[1][0] in wanted
    ]
    for obj in held:
        if obj is not None:
            session.refresh(obj)
