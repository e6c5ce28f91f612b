"""Fixtures: one migrated, seeded database per run; each test in a rolled-back transaction."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session, SQLModel

from core import migrate
from core.db import READ_ONLY, deferred_writes, import_models, make_engine
from core.settings import Settings
from seeds.load import load_all
from tests.databases import suite_url
from web.app import create_app
from web.deps import SAFE_METHODS, get_session

import_models()


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


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-key-" + "x" * 32)


@pytest.fixture
def client(settings: Settings, session: Session) -> Iterator[TestClient]:
    app = create_app(settings)

    def test_session(request: Request) -> Iterator[Session]:
        # Each request is a savepoint: an error undoes the request, not the test's own data.
        # A read writes nothing itself, as in web.deps.get_session: its deferred writes follow it.
        savepoint = session.begin_nested()
        session.info[READ_ONLY] = request.method in SAFE_METHODS
        try:
            yield session
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            deferred_writes(session)  # undone with the request
            raise
        finally:
            session.info[READ_ONLY] = False
        for statement in deferred_writes(session):
            session.execute(statement)

    app.dependency_overrides[get_session] = test_session
    with TestClient(app) as test_client:
        yield test_client
