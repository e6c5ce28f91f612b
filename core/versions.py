"""Version tokens of families of tables, so derived figures can be cached until the data changes.

The registry (firms, chains, recognitions, targets) is one family, investment projects another.
Every flush or bulk statement that writes a tracked table sets a fresh random token for its
family in the same transaction. A reader takes the token first and caches what it computes
under it (core.figure_cache): a rollback restores the old token together with the old data,
and a token is never reused, so a cache entry is only ever served for the data it came from
(or, to others than the writer, for the data just before it while it is recomputed). Raw SQL
through a plain connection is not seen; all writes of the application go through the session.
"""

import hashlib
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Field, Session, SQLModel, col, select

REGISTRY = "registry"
PROJECTS = "projects"
FAMILIES = frozenset({REGISTRY, PROJECTS})


class DataVersion(SQLModel, table=True):
    """The current token of a family of tables."""

    __tablename__ = "data_version"

    name: str = Field(primary_key=True, max_length=40)
    token: str = Field(max_length=32)


_family: dict[type, str] = {}
_ignored: dict[type, frozenset[str]] = {}


def track(*models: type[SQLModel], ignoring: Collection[str] = (), family: str = REGISTRY) -> None:
    """Count writes to these tables as changes of a family (the registry unless named).

    An update that changes only `ignoring` columns (ones no cached figure reads, such as a
    contact's phone) leaves the family as it is, and its cached figures with it.
    """
    for model in models:
        _family[model] = family
        _ignored[model] = frozenset(ignoring)


def _changed_family(session: Session, obj: object) -> str | None:
    family = _family.get(type(obj))
    if family is None:
        return None
    ignored = _ignored[type(obj)]
    if not ignored or obj in session.new or obj in session.deleted:
        return family
    state = inspect(obj)
    changed = any(a.history.has_changes() for a in state.attrs if a.key not in ignored)
    return family if changed else None


def current(*, session: Session, family: str = REGISTRY) -> str:
    """Return a family's token as this transaction sees it."""
    token = session.exec(select(DataVersion.token).where(DataVersion.name == family)).first()
    return token or ""


def tokens(session: Session, families: tuple[str, ...]) -> str:
    """The tokens of these families together: one changes whenever any of them does."""
    if len(families) == 1:
        return current(session=session, family=families[0])
    rows = dict(
        session.exec(
            select(DataVersion.name, DataVersion.token).where(col(DataVersion.name).in_(families))
        ).all()
    )
    found = [rows.get(family, "") for family in families]
    # One token of the same length as each of them (figure_store keeps 32 characters).
    return hashlib.sha256("+".join(found).encode()).hexdigest()[:32] if all(found) else ""


def _bump(session: Session, families: Collection[str]) -> None:
    statement = (
        update(DataVersion)
        .where(col(DataVersion.name).in_(families))
        .values(token=uuid.uuid4().hex)
    )
    session.connection().execute(statement)
    # What this session wrote: its own reads must see it, and its owner may have figures refreshed.
    session.info.setdefault("wrote", set()).update(families)


def wrote(session: Session, model: type[SQLModel]) -> None:
    """Count a write the session's events cannot see (COPY through the driver)."""
    if model in _family:
        _bump(session, [_family[model]])


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # Attribute histories still hold this flush's changes here (they are reset after it).
    changed = (*session.new, *session.dirty, *session.deleted)
    families = {f for obj in changed if (f := _changed_family(session, obj))}
    if families:
        _bump(session, families)


@event.listens_for(Session, "do_orm_execute")
def _after_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    # Bulk writes may name the table itself rather than the model (they skip the ORM's cost).
    table = getattr(state.statement, "table", None)
    models = {mapper.class_ for mapper in state.all_mappers} | {
        model for model in _family if getattr(model, "__table__", None) is table
    }
    written = [model for model in models if model in _family]
    if state.is_update:
        # The columns an UPDATE sets (SQLAlchemy keeps them as _values; no public accessor).
        values = getattr(state.statement, "_values", None) or {}
        columns = {getattr(key, "key", str(key)) for key in values}
        if columns:
            written = [model for model in written if not columns <= _ignored[model]]
    if written:
        _bump(state.session, {_family[model] for model in written})  # type: ignore[arg-type]
