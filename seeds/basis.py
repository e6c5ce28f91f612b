"""How the seeders state where a row comes from (core.provenance), and write it in one batch.

The data files say it per row: a `quote` (with `section`) is the plan's own words; `public:`
names a public fact; anything else the editor added is 推断 (inferred). `Bases` gathers the
rows of a load and writes them at the end in one statement per kind of change.
"""

from typing import Any

from sqlmodel import Session

from core import provenance
from core.provenance import Basis, Stated

PLAN = "003"  # the chain data comes from plan 003


def quoted(document: str, section: str, quote: str) -> Stated:
    """The plan says it: document, section and the verbatim fragment."""
    return Stated(Basis.plan, document=document, section=section, quote=quote)


def public(note: str) -> Stated:
    """A public fact, with a note saying which."""
    return Stated(Basis.public, note=note)


def inferred(note: str = "编辑根据行业常识推断，待链长确认") -> Stated:
    """The editor's inference."""
    return Stated(Basis.inferred, note=note)


def of_row(row: dict[str, Any], *, document: str = PLAN, section: str = "") -> Stated:
    """The basis a data file gives a row: its quote, a public note, or an inference."""
    if row.get("quote"):
        return quoted(document, row.get("section", section), row["quote"])
    if row.get("public"):
        return public(row["public"])
    return inferred(row.get("inferred") or inferred().note)


class Bases:
    """The bases of one load, written together at its end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, Stated]] = []

    def add(self, object_type: str, object_id: object, stated: Stated) -> None:
        self.rows.append((object_type, str(object_id), stated))

    def write(self, session: Session) -> int:
        return provenance.write(session=session, rows=self.rows)
