import gc
import threading
from collections.abc import Iterator

import pytest

from core import collector


@pytest.fixture(autouse=True)
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_inside_and_runs_again_after() -> None:
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_runs_again_after_a_job_that_failed() -> None:
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_it_stays_paused_until_the_last_of_overlapping_jobs_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector.paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    worker = threading.Thread(target=first)
    with collector.paused():
        worker.start()
        first_in.wait(5)
        second_in.set()
        first_out.wait(5)
        seen.append(gc.isenabled())  # the other thread's job ended; this one still runs
    worker.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_as_a_decorator_each_call_pauses_it() -> None:
    @collector.paused()
    def job() -> bool:
        return gc.isenabled()

    assert job() is False and job() is False
    assert gc.isenabled()
