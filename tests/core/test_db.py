"""Transactions: what a read writes, and what a lost race answers."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert
from sqlmodel import Session, col, select

from core import audit
from core.audit import AuditEntry
from core.db import WriteInRead, defer_write, make_engine, transaction, utcnow
from core.errors import Conflict
from core.orgs import Park, ParkKind
from tests.databases import drop_scratch, seeded_scratch


@pytest.fixture(scope="module")
def shared(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = seeded_scratch(database_url, tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)


def _events(engine: Engine, action: str) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).where(AuditEntry.action == action)).one())


def test_a_read_writes_after_it_ends_even_when_others_wrote_meanwhile(shared: Engine) -> None:
    with transaction(shared, write=False) as read:
        read.exec(select(Park)).all()  # the read has begun: SQLite holds its snapshot
        with transaction(shared) as writer:  # someone else writes and commits meanwhile
            audit.record_event(
                session=writer, actor=None, action="test_write", object_type="t", object_id="1"
            )
        # Written inside the read, SQLite would refuse at once ("database is locked").
        audit.record_event(
            session=read, actor=None, action="test_export", object_type="t", object_id="2"
        )
        assert _events(shared, "test_export") == 0  # not yet: kept until the read ends
    assert _events(shared, "test_write") == 1 and _events(shared, "test_export") == 1


def test_a_read_that_fails_writes_nothing_it_deferred(shared: Engine) -> None:
    with pytest.raises(LookupError), transaction(shared, write=False) as read:
        statement = insert(AuditEntry).values(
            at=utcnow(), action="test_undone", object_type="t", object_id="3"
        )
        defer_write(read, statement)
        raise LookupError
    assert _events(shared, "test_undone") == 0


def test_a_read_that_writes_rows_itself_is_refused(shared: Engine) -> None:
    with pytest.raises(WriteInRead), transaction(shared, write=False) as read:
        read.add(AuditEntry(action="test_inline", object_type="t", object_id="4"))
        read.flush()
    statement = insert(AuditEntry).values(action="test_inline", object_type="t", object_id="5")
    with pytest.raises(WriteInRead), transaction(shared, write=False) as read:
        read.execute(statement)
    assert _events(shared, "test_inline") == 0


def test_a_key_taken_meanwhile_is_a_conflict_not_a_server_error(shared: Engine) -> None:
    with transaction(shared, write=False) as read:
        park = read.exec(select(Park)).first()
        assert park is not None
        taken = park.code
    # What the loser of two concurrent inserts of one key meets: the database refuses it.
    with pytest.raises(Conflict), transaction(shared) as session:
        session.add(Park(code=taken, name="重复园区", kind=ParkKind.park, position=99))
    with Session(shared) as session:
        assert session.exec(select(func.count()).where(col(Park.code) == taken)).one() == 1
