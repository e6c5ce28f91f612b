"""Fixtures: one migrated, seeded database per run; each test in a rolled-back transaction
(the web tests run the app's own transactions on committed databases: tests/web/conftest.py)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session, SQLModel

from core import migrate
from core.db import make_engine
from migrations.tables import import_tables
from seeds.load import load_all
from tests.databases import suite_url

import_tables()


def _reset(engine: Engine) -> None:
    """Drop whatever an earlier run left, so every run starts from an empty schema."""
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        if "alembic_version" in inspect(conn).get_table_names():
            conn.execute(text("DROP TABLE alembic_version"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return suite_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    _reset(engine)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        load_all(session=session)
        session.commit()
    yield engine
    _reset(engine)
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session
