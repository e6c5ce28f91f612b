"""Sixteen writers at once, each in a transaction of its own, as sixteen requests would be."""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import transaction
from core.errors import DomainError
from web.statuses import status_for

WRITERS = 16
T = TypeVar("T")


@dataclass
class Outcome:
    """What the writers got, as HTTP statuses (200: the write committed)."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[BaseException] = field(default_factory=list)  # anything not a domain error

    @property
    def won(self) -> int:
        return self.statuses[200]


@dataclass
class Race(Generic[T]):
    """A write raced by `writers` transactions: each reads (read(session, writer number)),
    then, once every one has read, writes what it read (write(session, read value))."""

    read: Callable[[Session, int], T]
    write: Callable[[Session, T], object]
    writers: int = WRITERS

    def run(self, engine: Engine) -> Outcome:
        outcome = Outcome()
        lock = threading.Lock()
        start = threading.Barrier(self.writers)
        # On PostgreSQL every writer reads before any writes, the worst interleaving. SQLite's
        # write transactions queue at BEGIN IMMEDIATE, so one that waited there could not read.
        have_read = threading.Barrier(self.writers) if engine.dialect.name != "sqlite" else None

        def writer(number: int) -> None:
            start.wait()
            status = 200
            try:
                with transaction(engine) as session:
                    value = self.read(session, number)
                    if have_read is not None:
                        have_read.wait(timeout=60)
                    self.write(session, value)
            except DomainError as exc:
                status = status_for(exc)
            except BaseException as exc:  # noqa: BLE001 - every failure is counted
                if have_read is not None:
                    have_read.abort()
                with lock:
                    outcome.errors.append(exc)
                return
            with lock:
                outcome.statuses[status] += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(self.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        return outcome
