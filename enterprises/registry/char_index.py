"""The registry's index of characters: the condition it answers, which of a term's characters
to ask it for, and what it counts without reading the firms.

PostgreSQL keeps the characters in a GIN index on the expression models.SEARCH_CHARS, SQLite in
the FTS5 table `enterprise_chars` kept by triggers; both answer the same condition.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel import Session, col

from enterprises.registry.models import SEARCH_CHARS, Enterprise


class CharsLookup(GenericFunction[bool]):
    """`lookup(term, tokens)`: the row's indexed text holds every character of term (PostgreSQL:
    a GIN index on `search_chars`), or every one of the tokens, its letters and digits (SQLite:
    the FTS5 table `<table>_chars`, kept by triggers). One subclass per table searched."""

    type = sa.Boolean()
    inherit_cache = True
    table = ""
    search_chars = ""


class _holds_chars(CharsLookup):
    inherit_cache = True
    # enterprise_chars: migration efdba889319c.
    table = "enterprise"
    search_chars = SEARCH_CHARS


def _fts_lookup(element: CharsLookup, compiler: Any, **kw: Any) -> str:
    _, tokens = element.clauses
    table = element.table
    return (
        f"{table}.id IN (SELECT rowid FROM {table}_chars "
        f"WHERE {table}_chars MATCH {compiler.process(tokens, **kw)})"
    )


def _gin_lookup(element: CharsLookup, compiler: Any, **kw: Any) -> str:
    term, _ = element.clauses
    # Written as the index is, so the planner recognises its expression.
    return f"{element.search_chars} @> string_to_array(lower({compiler.process(term, **kw)}), NULL)"


def chars_lookup(lookup: type[CharsLookup]) -> Callable[[str], sa.ColumnElement[bool]]:
    """The condition-maker of a lookup: term → a condition the table's index of characters
    answers, keeping every row whose text holds term (ignoring case) and some others (match
    the term itself too)."""
    compiles(lookup)(_fts_lookup)
    compiles(lookup, "postgresql")(_gin_lookup)

    def holds(term: str) -> sa.ColumnElement[bool]:
        return lookup(sa.literal(term, sa.String), sa.literal(char_tokens(term), sa.String))

    return holds


holds_chars = chars_lookup(_holds_chars)


def indexable(term: str) -> bool:
    """Whether the index of characters narrows a search for term: it must hold a Chinese
    (non-ASCII) character (Latin letters and digits narrow little) and a letter or digit (the
    index holds no punctuation)."""
    return not term.isascii() and any(c.isalnum() for c in term)


# Firms read to tell how common each character is.
CHAR_SAMPLE = 5000
# Characters of a term the index of characters is asked for: its rarest few. Each character
# looked up reads every firm holding it (a whole firm's name, ten characters each held by 8-25 %
# of 1,000,000 firms: 23-27 ms on PostgreSQL; its rarest three: 4-5 ms); the term itself is
# matched on the rows found.
INDEX_CHARS = 3


def char_counts(session: Session) -> dict[str, int]:
    """How many of the first CHAR_SAMPLE firms hold each character in their name or products,
    and how many were read (under the empty key)."""
    texts = session.execute(
        sa.select(col(Enterprise.name), col(Enterprise.main_products))
        .order_by(col(Enterprise.id))
        .limit(CHAR_SAMPLE)
    ).all()
    held = Counter(c for name, products in texts for c in set(f"{name} {products}".lower()))
    return {**held, "": len(texts)}


def narrowing(term: str, counts: dict[str, int]) -> str:
    """The characters of term to ask the index of characters for: its rarest INDEX_CHARS
    Chinese (non-ASCII) letters, leaving out those more than half the firms hold (佛, 山, 有,
    限, 公, 司 in the demo registry: they narrow nothing)."""
    sampled = counts.get("", 0)
    chars = {c for c in term.lower() if not c.isascii() and c.isalnum()}
    narrow = sorted((counts.get(c, 0), c) for c in chars if counts.get(c, 0) * 2 <= sampled)
    return "".join(c for _, c in narrow[:INDEX_CHARS])


def char_tokens(term: str) -> str:
    """The query of SQLite's index of characters for term: every letter or digit of the term,
    each a token (its index keeps no positions, and no punctuation: leaving a character out
    only lets more firms through)."""
    return " ".join(f'"{c}"' for c in term.lower() if c.isalnum())


def matching_ids(session: Session, term: str, conds: list[Any]) -> Any:
    """SELECT the ids of firms holding term's characters (by the index) and meeting conds.

    On SQLite the index is joined, not asked with IN: an IN list is built whole before the
    first firm is read (21,000 rowids for 精密), a join streams, so LIMIT stops it early.
    """
    if session.get_bind().dialect.name != "sqlite":
        return sa.select(col(Enterprise.id)).where(holds_chars(term), *conds)
    chars = sa.table("enterprise_chars", sa.column("rowid"), sa.column("enterprise_chars"))
    return (
        sa.select(col(Enterprise.id))
        .select_from(chars.join(Enterprise, Enterprise.id == chars.c.rowid))  # type: ignore[arg-type]
        .where(chars.c.enterprise_chars.op("MATCH")(char_tokens(term)), *conds)
    )


def chars_estimate(session: Session, term: str, up_to: int) -> int | None:
    """How many firms hold every character of term, counted as far as up_to, read off SQLite's
    index of characters alone (no firm's row read); a little more than the firms holding the
    term. Counting stops at up_to: 精密's 21,000 at 200,000 firms took 3-7 ms, its first 2,000
    under 1 ms. None on PostgreSQL, whose index answers no count without the rows."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    found = session.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT 1 FROM enterprise_chars "
            "WHERE enterprise_chars MATCH :tokens LIMIT :up_to)"
        ),
        {"tokens": char_tokens(term), "up_to": up_to},
    )
    return int(found.scalar_one())
