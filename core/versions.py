"""Version tokens of families of tables, so derived figures can be cached until the data changes.

The registry (firms, chains, recognitions, targets) is one family, investment projects another.
Every flush or bulk statement that writes a tracked table sets a fresh random token for its
family in the same transaction. A reader takes the token first and caches what it computes
under it: a rollback restores the old token together with the old data, and a token is never
reused, so a cache entry can only ever be served with the data it was computed from. Raw SQL
through a plain connection is not seen; all writes of the application go through the session.
"""

import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from datetime import date
from threading import Lock, RLock
from typing import Any, TypeVar, cast

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Field, Session, SQLModel, col, select

from core import figure_store

REGISTRY = "registry"
PROJECTS = "projects"
T = TypeVar("T")


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


def _bump(session: Session, families: Collection[str]) -> None:
    statement = (
        update(DataVersion)
        .where(col(DataVersion.name).in_(families))
        .values(token=uuid.uuid4().hex)
    )
    session.connection().execute(statement)
    if REGISTRY in families:
        session.info["registry_changed"] = True  # the owner of the transaction may warm caches


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


# Values derived from the data, by (database, family:what, token, day): they change only with
# their family, and with the date (recognitions lapse at midnight without any write).
Key = tuple[str, str, str, date]
_CACHE: OrderedDict[Key, Any] = OrderedDict()
_CACHE_KEPT = 256
_CACHE_LOCK = Lock()  # sync routes run in a thread pool
_COMPUTING: dict[Key, RLock] = {}
# The most recent value of each figure, whatever its version: served while a newer one is made.
_LATEST: OrderedDict[tuple[str, str, date], Any] = OrderedDict()
_NOTHING = object()


def cached(
    *,
    session: Session,
    what: str,
    compute: Callable[[], T],
    family: str = REGISTRY,
    stale_while_computing: bool = False,
) -> T:
    """Return compute() for a family as this transaction sees it, computed once per version.

    While one thread computes a value, other requests wanting it wait for it rather than
    compute it again. With `stale_while_computing` (figures that take seconds, read by people
    who did not just change them: the dashboard) they are served the previous version's value
    instead, seconds old, if there is one — also while another process computes it (PostgreSQL);
    a request that computes the value itself always gets the current one. Callers must not
    modify the result: it is shared.
    """
    token = current(session=session, family=family)
    if not token:
        return compute()
    key = (str(session.get_bind().engine.url), f"{family}:{what}", token, date.today())
    figure = (key[0], key[1], key[3])
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return cast(T, _CACHE[key])
        gate = _COMPUTING.setdefault(key, RLock())
        previous = _LATEST.get(figure, _NOTHING) if stale_while_computing else _NOTHING
    if not gate.acquire(blocking=previous is _NOTHING):
        return cast(T, previous)
    try:
        with _CACHE_LOCK:
            if key in _CACHE:
                return cast(T, _CACHE[key])
        # Another process may have computed it already (figure_store: PostgreSQL only).
        stored = f"{key[1]}:{key[3]}"
        value = figure_store.fetch(session, stored, token)
        if value is figure_store.MISSING:
            if previous is not _NOTHING and not figure_store.claim(session, stored, token):
                return cast(T, previous)  # another process is computing it
            value = compute()
            figure_store.keep(session, stored, token, value)
        with _CACHE_LOCK:
            _CACHE[key] = value
            _LATEST[figure] = value
            _LATEST.move_to_end(figure)
            for kept in (_CACHE, _LATEST):
                while len(kept) > _CACHE_KEPT:
                    kept.popitem(last=False)
        return value
    finally:
        with _CACHE_LOCK:
            _COMPUTING.pop(key, None)
        gate.release()


def forget() -> None:
    """Drop every cached value (for tests that count computations)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _LATEST.clear()
