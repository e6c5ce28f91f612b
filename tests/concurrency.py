"""Sixteen writers at once, each in a transaction of its own, as sixteen requests would be."""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from core.accounts import Role, User
from core.audit import AuditEntry
from core.db import transaction
from core.errors import DomainError
from tests.factories import make_user
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


def build_committed(engine: Engine, build: Callable[[Session], Any]) -> Any:
    """Build data through the services and commit it; return what build returns."""
    with Session(engine, expire_on_commit=False) as session:
        made = build(session)
        session.commit()
        return made


def admin_ids(session: Session, count: int = WRITERS) -> list[int]:
    return [make_user(session, Role.admin).id or 0 for _ in range(count)]


def user_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def audit_count(engine: Engine, object_type: str, object_id: int, action: str) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).where(
            col(AuditEntry.object_type) == object_type,
            col(AuditEntry.object_id) == str(object_id),
            col(AuditEntry.action) == action,
        )
        return int(session.exec(stmt).one())


def row_count(engine: Engine, model: Any, **where: Any) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(session.exec(stmt).one())
