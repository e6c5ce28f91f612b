"""Figures derived from the data, computed once per version of it and refreshed in the background.

A figure (a chain's counts, the dashboard's standings) is cached under the version tokens of
the families of tables it reads (core.versions) and the day (recognitions lapse at midnight
without any write). When a write elsewhere gives the data a new version, a reader is served the
figure's previous value while a background thread of its process computes the new one — at once
if the figure computes quickly (it waits up to WAIT for it), seconds old if it is slow — so that
no reader pays for a recomputation another user's write caused. A session that wrote the data
itself (or asks for current figures: a browser that has just written) always gets the current
value, computing it if need be. Readers that find nothing at all compute it, one at a time.

Several processes on PostgreSQL share what they compute through core.figure_store; the process
recomputing a figure in the background claims it, so that the others wait for its value.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date
from threading import Condition, Lock, RLock
from typing import Any, TypeVar, cast

from sqlalchemy import Engine
from sqlmodel import Session

from core import figure_store
from core.db import china_today
from core.versions import FAMILIES, REGISTRY, tokens

T = TypeVar("T")
QUICK = 0.1  # seconds: a figure computed within this is worth waiting for after a write
WAIT = 0.5  # seconds a reader waits at most for a quick figure's new value
KEPT = 256  # values kept in memory, the least recently used dropped first
CURRENT = "current_figures"  # session.info: families whose figures this session must see current

# (database, families:what, day) names a figure; its key adds the version token.
Figure = tuple[str, str, date]
Key = tuple[str, str, str, date]


@dataclass(frozen=True)
class _Latest:
    """A figure's most recent value, how to compute it again, and how long that takes.

    How long: the longest it has taken, its parts counted in — a figure made of others (a
    chain's page of the segment counts) is quick when they were just computed before it, but
    after a write they are computed again with it; whether a reader waits goes by the latter.
    """

    value: Any
    compute: Callable[[Session], Any]
    families: tuple[str, ...]
    seconds: float


_lock = Lock()  # sync routes run in a thread pool
_changed = Condition(_lock)  # notified whenever a new value is kept
_values: OrderedDict[Key, Any] = OrderedDict()
_latest: OrderedDict[Figure, _Latest] = OrderedDict()
_computing: dict[Figure, RLock] = {}  # one computation of a figure at a time
_making = threading.local()  # .parts: the figures read while computing one (a list, or None)


def cached(
    *,
    session: Session,
    what: str,
    compute: Callable[[Session], T],
    family: str | tuple[str, ...] = REGISTRY,
) -> T:
    """Return compute(session) for the data as this transaction sees it, computed once a version.

    `compute` must read only through the session it is given (it may run again in the
    background, in a session of its own). Callers must not modify the result: it is shared.
    """
    families = (family,) if isinstance(family, str) else family
    token = tokens(session, families)
    if not token:
        return compute(session)
    engine = session.get_bind().engine
    figure: Figure = (str(engine.url), f"{'+'.join(families)}:{what}", china_today())
    key: Key = (figure[0], figure[1], token, figure[2])
    parts = getattr(_making, "parts", None)
    if parts is not None:
        parts.append(figure)  # a part of the figure this thread is computing
    with _lock:
        if key in _values:
            _values.move_to_end(key)
            return cast(T, _values[key])
        latest = _latest.get(figure)
    stored = figure_store.fetch(session, _stored_name(figure), token)
    if stored is not figure_store.MISSING:
        value, seconds = stored
        _keep(key, _Latest(value, compute, families, seconds))
        return cast(T, value)
    current = _wants_current(session, families)
    if latest is None or current:
        return cast(T, _compute(session, key, compute, families, previous_will_do=not current))
    refresh_soon(engine, first=figure)
    if latest.seconds <= QUICK:
        with _changed:
            _changed.wait_for(lambda: _latest.get(figure) is not latest, timeout=WAIT)
            return cast(T, _latest.get(figure, latest).value)
    return cast(T, latest.value)


def _wants_current(session: Session, families: tuple[str, ...]) -> bool:
    wanted = {*session.info.get(CURRENT, ()), *session.info.get("wrote", ())}
    return any(family in wanted for family in families)


def _stored_name(figure: Figure) -> str:
    # Stored with how long it took to compute ("timed"): whether it is worth waiting for.
    return f"timed:{figure[1]}:{figure[2]}"


def _compute(
    session: Session,
    key: Key,
    compute: Callable[[Session], Any],
    families: tuple[str, ...],
    *,
    previous_will_do: bool = False,
) -> Any:
    """Compute the value for this key, or wait while another thread of this process computes
    the figure (for this version or another one).

    A reader that had no value at all (`previous_will_do`) takes whatever the other thread
    computed, if it was for an earlier version: otherwise, under a stream of writes, each new
    version would start one more computation of a figure nobody has yet.
    """
    figure: Figure = (key[0], key[1], key[3])
    with _lock:
        if len(_computing) > 4 * KEPT:  # gates of earlier days' figures
            for done in [f for f in _computing if f[2] != figure[2]]:
                del _computing[done]
        gate = _computing.setdefault(figure, RLock())
    with gate:
        with _lock:
            if key in _values:
                return _values[key]
            latest = _latest.get(figure)
        if previous_will_do and latest is not None:
            refresh_soon(session.get_bind().engine, first=figure)
            return latest.value
        started = time.perf_counter()
        # The figures it is made of must be of the same version as it, not the previous one.
        wanted, outer = session.info.get(CURRENT, frozenset()), getattr(_making, "parts", None)
        parts: list[Figure] = []
        session.info[CURRENT], _making.parts = FAMILIES, parts
        try:
            value = compute(session)
        finally:
            session.info[CURRENT], _making.parts = wanted, outer
        # After a write its parts are computed again with it: count them in (done or not now).
        with _lock:
            cost = sum(_latest[part].seconds for part in parts if part in _latest)
        seconds = _keep(
            key,
            _Latest(value, compute, families, time.perf_counter() - started + cost),
        )
        figure_store.keep(session, _stored_name(figure), key[2], (value, seconds))
        return value


def _keep(key: Key, latest: _Latest) -> float:
    """Keep the value; return the longest the figure has taken to compute."""
    figure: Figure = (key[0], key[1], key[3])
    with _changed:
        _values[key] = latest.value
        before = _latest.get(figure)
        if before is not None and before.seconds > latest.seconds:
            latest = replace(latest, seconds=before.seconds)
        _latest[figure] = latest
        _latest.move_to_end(figure)
        for kept in (_values, _latest):
            while len(kept) > KEPT:
                kept.popitem(last=False)
        _changed.notify_all()
    return latest.seconds


class _Refresher:
    """One background thread per database computing outdated figures, most wanted first."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: OrderedDict[Figure, None] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def request(self, figures: list[Figure], first: bool) -> None:
        with _lock:
            for figure in figures:
                self._queue[figure] = None
                self._queue.move_to_end(figure, last=not first)
            if not self._queue:
                return
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="refresher")
                self._thread.start()

    def wait_idle(self, timeout: float | None) -> bool:
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with _lock:
                if not self._queue:
                    self._thread = None
                    self._idle.set()
                    return
                figure, _ = self._queue.popitem(last=False)
                latest = _latest.get(figure)
            if latest is not None and figure[2] == china_today():
                self._refresh(figure, latest)

    def _refresh(self, figure: Figure, latest: _Latest) -> None:
        with Session(self._engine) as session:
            session.info[CURRENT] = FAMILIES  # the figures it reads on the way too
            token = tokens(session, latest.families)
            key: Key = (figure[0], figure[1], token, figure[2])
            with _lock:
                if key in _values:
                    return
            # If another process is computing it, wait for it to finish and take its value.
            figure_store.claim(session, _stored_name(figure), token)
            stored = figure_store.fetch(session, _stored_name(figure), token)
            if stored is not figure_store.MISSING:
                value, seconds = stored
                _keep(key, replace(latest, value=value, seconds=seconds))
            else:
                _compute(session, key, latest.compute, latest.families)


_refreshers: dict[str, _Refresher] = {}


def _refresher(engine: Engine) -> _Refresher:
    with _lock:
        return _refreshers.setdefault(str(engine.url), _Refresher(engine))


def refresh_soon(
    engine: Engine, *, first: Figure | None = None, families: Collection[str] = FAMILIES
) -> None:
    """Recompute in the background the figures this process has served from this database.

    Called after a write, with the families it wrote (the figures reading them), and by a
    reader served an outdated figure (`first`: its figure goes ahead of the others).
    """
    url = str(engine.url)
    if first is not None:
        _refresher(engine).request([first], first=True)
        return
    with _lock:
        known = [
            figure
            for figure, latest in reversed(_latest.items())
            if figure[0] == url and any(family in families for family in latest.families)
        ]
    _refresher(engine).request(known, first=False)


def wait_refreshed(engine: Engine, timeout: float | None = None) -> bool:
    """Block until the background recomputation for this database is done (benchmarks, tests)."""
    return _refresher(engine).wait_idle(timeout)


def forget() -> None:
    """Drop every cached value (for tests that count computations)."""
    with _lock:
        _values.clear()
        _latest.clear()
