"""Firms written in bulk — a list's thousands of new firms, and their removal on undo — with
SQLite's index of their characters (enterprise_chars) kept by one statement per write instead
of a trigger per row, which cost the import more than the firms' own rows."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from core import bulk
from core.db import chars_later, table_of
from enterprises.registry.models import Enterprise

_FIRMS = table_of(Enterprise)
_INDEX = sa.table(
    "enterprise_chars", sa.column("enterprise_chars"), sa.column("rowid"), sa.column("chars")
)


def _chars(session: Session, ids: Sequence[int], command: str | None) -> None:
    """Add the firms' characters to the index, or with command 'delete' take them out."""
    # The characters of name and products, as the triggers of migration efdba889319c take them.
    spaced = sa.func.spaced_chars(_FIRMS.c.name + " " + _FIRMS.c.main_products)
    columns: list[Any] = [_FIRMS.c.id, spaced]
    names = ["rowid", "chars"]
    if command is not None:
        columns, names = [sa.literal(command), *columns], ["enterprise_chars", *names]
    for among in bulk.among(session, _FIRMS.c.id, ids):
        session.execute(sa.insert(_INDEX).from_select(names, sa.select(*columns).where(among)))


def insert(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert firm rows (each with its id) as core.bulk.insert_rows does, indexed for search."""
    with chars_later(session) as later:
        bulk.insert_rows(session, Enterprise, rows)
        if later:
            _chars(session, [row["id"] for row in rows], None)


def delete(session: Session, ids: Sequence[int]) -> None:
    """Delete these firms (what hangs on them cascades in the database), and their index."""
    with chars_later(session) as later:
        if later:
            _chars(session, ids, "delete")
        for among in bulk.among(session, _FIRMS.c.id, ids):
            session.execute(sa.delete(_FIRMS).where(among))
