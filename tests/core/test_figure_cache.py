import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core import figure_cache, figure_store, versions
from core.db import china_today


def _token_of(session: Session) -> str:
    """A figure whose value tells which version of the registry it was computed for."""
    return versions.current(session=session)


def _write_elsewhere(engine: Engine) -> str:
    """Another user's committed write: the registry gets a new version; return its token."""
    with Session(engine) as writer:
        versions._bump(writer, [versions.REGISTRY])
        writer.commit()
        return versions.current(session=writer)


@pytest.fixture
def what() -> str:
    return f"figure-{uuid.uuid4().hex}"


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat every figure as one that takes too long to wait for."""
    monkeypatch.setattr(figure_cache, "QUICK", -1.0)


@pytest.fixture
def read(engine: Engine, what: str) -> Iterator[Callable[..., str]]:
    def read(compute: Callable[[Session], str] = _token_of, current: bool = False) -> str:
        with Session(engine) as own:
            own.info[figure_cache.CURRENT] = versions.FAMILIES if current else ()
            return figure_cache.cached(session=own, what=what, compute=compute)

    yield read
    assert figure_cache.wait_refreshed(engine, timeout=30)


def test_readers_wanting_a_value_nobody_has_wait_for_one_computation(
    read: Callable[..., str],
) -> None:
    computed = []

    def compute(_: Session) -> str:
        computed.append(1)
        time.sleep(0.3)
        return "figures"

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: read(compute), range(4)))
    assert answers == ["figures"] * 4 and len(computed) == 1


def test_after_a_write_elsewhere_a_slow_figure_is_served_as_it_was_then_refreshed(
    engine: Engine, read: Callable[..., str], slow: None
) -> None:
    before = read()
    after = _write_elsewhere(engine)
    assert read() == before  # at once, not recomputed by this reader
    assert figure_cache.wait_refreshed(engine, timeout=30)
    assert read() == after  # the background thread computed the new version's value


def test_after_a_write_elsewhere_a_quick_figure_is_waited_for(
    engine: Engine, read: Callable[..., str]
) -> None:
    read()
    after = _write_elsewhere(engine)
    assert read() == after


def test_a_session_that_wrote_or_asks_for_current_figures_gets_them(
    engine: Engine, read: Callable[..., str], what: str, slow: None
) -> None:
    read()
    with Session(engine) as writer:
        versions._bump(writer, [versions.REGISTRY])
        mine = figure_cache.cached(session=writer, what=what, compute=_token_of)
        assert mine == versions.current(session=writer)  # its own write, not yet committed
        writer.commit()
    assert figure_cache.wait_refreshed(engine, timeout=30)
    after = _write_elsewhere(engine)
    assert read(current=True) == after


def test_a_figure_of_two_families_follows_both(engine: Engine, what: str, slow: None) -> None:
    def both(session: Session) -> str:
        return versions.tokens(session, (versions.PROJECTS, versions.REGISTRY))

    def read_both() -> str:
        with Session(engine) as own:
            return figure_cache.cached(
                session=own,
                what=what,
                compute=both,
                family=(versions.PROJECTS, versions.REGISTRY),
            )

    first = read_both()
    _write_elsewhere(engine)
    assert read_both() == first
    assert figure_cache.wait_refreshed(engine, timeout=30)
    assert read_both() != first


def test_a_figure_computed_by_one_process_is_read_by_the_others(
    engine: Engine, read: Callable[..., str]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process; figures are shared on PostgreSQL")
    computed = read(lambda _: "segments: 19")
    figure_cache.forget()  # what another process starts with: nothing in memory

    def never(_: Session) -> str:
        raise AssertionError("computed again")

    assert read(never) == computed


def test_a_refresh_waits_for_another_process_computing_the_figure_and_takes_its_value(
    engine: Engine, read: Callable[..., str], what: str, slow: None
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process; processes coordinate on PostgreSQL")
    assert read(lambda _: "old") == "old"
    token = _write_elsewhere(engine)
    stored = f"timed:{versions.REGISTRY}:{what}:{china_today()}"  # as figure_cache names it
    claimed, finished = threading.Event(), threading.Event()

    def other_process() -> None:
        with Session(engine) as other:
            figure_store.claim(other, stored, token)  # it started computing the figure
            claimed.set()
            finished.wait(10)
            figure_store.keep(other, stored, token, ("computed over there", 2.5))  # and seconds
            other.commit()  # and releases its claim

    def never(_: Session) -> str:
        raise AssertionError("computed while another process computes it")

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(other_process)
        assert claimed.wait(10)
        assert read(never) == "old"  # served at once; this process's refresh waits
        time.sleep(0.2)
        assert read(never) == "old"
        finished.set()
        done.result()
    assert figure_cache.wait_refreshed(engine, timeout=30)
    assert read(never) == "computed over there"


def test_readers_with_nothing_take_a_value_computed_meanwhile_for_an_earlier_version(
    engine: Engine, read: Callable[..., str], slow: None
) -> None:
    inside, release = threading.Event(), threading.Event()
    computed = []

    def first(session: Session) -> str:
        token = _token_of(session)
        inside.set()
        release.wait(10)
        computed.append(1)
        return token

    def then(session: Session) -> str:
        computed.append(2)
        return _token_of(session)

    with ThreadPoolExecutor(2) as pool:
        earlier = pool.submit(read, first)
        assert inside.wait(10)
        after = _write_elsewhere(engine)  # while the first computation runs
        waiting = pool.submit(read, then)
        time.sleep(0.2)
        release.set()
        assert waiting.result() == earlier.result() != after  # not a second computation
    assert figure_cache.wait_refreshed(engine, timeout=30)
    assert read() == after  # then the new version's, computed in the background
    assert computed == [1, 1]  # the first reader's computation, twice; the second reader's never


def test_a_figure_made_of_others_is_made_of_their_values_for_its_own_version(
    engine: Engine, read: Callable[..., str], slow: None
) -> None:
    part = f"part-{uuid.uuid4().hex}"

    def of_part(session: Session) -> str:
        return figure_cache.cached(session=session, what=part, compute=_token_of)

    with Session(engine) as own:
        of_part(own)  # the part has a value for this version
    after = _write_elsewhere(engine)
    assert read(of_part) == after  # computed afresh: its part too, not the part's previous value
    with Session(engine) as plain:  # a session that never asked for anything current
        whole = figure_cache.cached(session=plain, what=f"whole-{part}", compute=of_part)
        alone = figure_cache.cached(session=plain, what=f"alone-{part}", compute=_token_of)
        assert whole == alone == after  # and it reads on as before once the whole is made


def test_a_figure_that_once_took_long_is_not_waited_for_after_a_write(
    engine: Engine, read: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pace = [0.25]  # its first computation slow (its parts were computed with it), then quick

    def compute(session: Session) -> str:
        time.sleep(pace.pop() if pace else 0.0)
        return _token_of(session)

    monkeypatch.setattr(figure_cache, "QUICK", 0.2)
    read(compute)
    second = _write_elsewhere(engine)
    assert read(compute, current=True) == second  # computed again, quickly this time
    _write_elsewhere(engine)
    assert read(compute) == second  # served at once, not waited for: it took 0.25 s once


def test_a_figure_made_of_a_slow_one_is_not_waited_for_after_a_write(
    engine: Engine, read: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    part = f"part-{uuid.uuid4().hex}"

    def slow_part(session: Session) -> str:
        time.sleep(0.25)
        return _token_of(session)

    def whole(session: Session) -> str:
        return figure_cache.cached(session=session, what=part, compute=slow_part)

    monkeypatch.setattr(figure_cache, "QUICK", 0.2)
    with Session(engine) as own:
        whole(own)  # the part first, alone: the whole then computes at once
    before = read(whole)
    _write_elsewhere(engine)
    assert read(whole) == before  # served at once: after a write its part is slow again


def test_after_a_write_the_figures_of_what_it_wrote_are_refreshed(
    engine: Engine,
    read: Callable[..., str],
    what: str,
    slow: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def project_token(session: Session) -> str:
        return versions.current(session=session, family=versions.PROJECTS)

    def read_projects() -> str:
        with Session(engine) as own:
            return figure_cache.cached(
                session=own, what=what, compute=project_token, family=versions.PROJECTS
            )

    registry_before = read()
    read_projects()
    with Session(engine) as writer:  # a write of both elsewhere; this process hears of projects
        versions._bump(writer, [versions.REGISTRY, versions.PROJECTS])
        writer.commit()
        projects_after = project_token(writer)
    figure_cache.refresh_soon(engine, families={versions.PROJECTS})
    assert figure_cache.wait_refreshed(engine, timeout=30)
    monkeypatch.setattr(figure_cache, "refresh_soon", lambda *args, **kwargs: None)
    assert read_projects() == projects_after  # refreshed
    assert read() == registry_before  # not: served as it was (until a reader asks for it)
