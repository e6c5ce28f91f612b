"""Where a seeded row comes from: the plan's own words, a public fact, or an editor's inference.

A chain chief must tell what a plan says from what someone inferred to fill the map. Every
row the seeders write carries one basis, keyed by object type and id (the table name and the
row's primary key as the audit log writes it, e.g. ``segment_link`` / ``"12,15"``; a column of
a row has its own type, e.g. ``enterprise_park`` for the park of a named firm):

- 规划原文 (plan): a document id (``003``), its section (``二(二)``) and the quoted fragment,
  which tests/seeds/test_quotes.py finds verbatim in the source text;
- 公开资料 (public): a fact from public sources, with a note saying which;
- 推断 (inferred): the editor's inference, drawn as such until a chain chief confirms it.

Rows are written in batches (the suite loads the seeds often): `write` reads the existing rows
of the types it is given once, inserts the new ones in one statement and updates the changed.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from core import bulk
from core.db import enum_column


class Basis(StrEnum):
    """What a seeded row rests on."""

    plan = "plan"
    public = "public"
    inferred = "inferred"


BASIS_LABELS = {Basis.plan: "规划原文", Basis.public: "公开资料", Basis.inferred: "推断"}


class Provenance(SQLModel, table=True):
    """The basis of one seeded row (or one column of it)."""

    __tablename__ = "provenance"
    __table_args__ = (UniqueConstraint("object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    basis: Basis = Field(sa_type=enum_column(Basis, 10))
    document: str = Field(default="", max_length=40, description="source document id, e.g. 003")
    section: str = Field(default="", max_length=80, description="section of the document")
    quote: str = Field(default="", max_length=1000, description="verbatim fragment")
    note: str = Field(default="", max_length=300, description="what the public fact or guess is")

    @property
    def label(self) -> str:
        return BASIS_LABELS[Basis(self.basis)]

    @property
    def citation(self) -> str:
        """The document and section, as a reader would look them up."""
        return " ".join(p for p in (self.document and f"文件 {self.document}", self.section) if p)


@dataclass(frozen=True)
class Stated:
    """A basis before it is attached to a row (what seeds/basis.py builds)."""

    basis: Basis
    document: str = ""
    section: str = ""
    quote: str = ""
    note: str = ""


FIELDS = ("basis", "document", "section", "quote", "note")


def write(*, session: Session, rows: Iterable[tuple[str, str, Stated]]) -> int:
    """Set the basis of many rows at once: (object type, object id, basis); return rows changed."""
    wanted = {(t, i): s for t, i, s in rows}
    if not wanted:
        return 0
    types = {t for t, _ in wanted}
    existing = {
        (p.object_type, p.object_id): p
        for p in session.exec(select(Provenance).where(col(Provenance.object_type).in_(types)))
    }
    new = []
    changed = 0
    for key, stated in wanted.items():
        values = {f: getattr(stated, f) for f in FIELDS}
        row = existing.get(key)
        if row is None:
            new.append({"object_type": key[0], "object_id": key[1]} | values)
        elif any(getattr(row, f) != v for f, v in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed += 1
    bulk.insert_rows(session, Provenance, new)
    session.flush()
    return changed + len(new)


def of(
    *, session: Session, object_type: str, ids: Collection[str] | None = None
) -> dict[str, Provenance]:
    """The basis of rows of one type: {object id: provenance} (all of them without ids)."""
    stmt = select(Provenance).where(Provenance.object_type == object_type)
    if ids is not None:
        stmt = stmt.where(col(Provenance.object_id).in_(list(ids)))
    return {p.object_id: p for p in session.exec(stmt)}


def one(*, session: Session, object_type: str, object_id: int | str) -> Provenance | None:
    """The basis of one row, if it was seeded."""
    stmt = select(Provenance).where(
        Provenance.object_type == object_type, Provenance.object_id == str(object_id)
    )
    return session.exec(stmt).first()


def all_quoted(*, session: Session) -> list[Provenance]:
    """Every row that quotes a document (what the quotation test checks)."""
    stmt = select(Provenance).where(Provenance.basis == Basis.plan).order_by(col(Provenance.id))
    return list(session.exec(stmt))
