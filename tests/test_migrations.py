from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core import migrate
from core.db import make_engine
from tests.databases import drop_scratch, scratch_url


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    url = scratch_url(database_url, tmp_path)
    yield url
    drop_scratch(url, database_url)


def test_upgrade_matches_models_and_downgrade_empties(empty_url: str) -> None:
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
        assert diff == []
        assert set(SQLModel.metadata.tables) <= set(inspect(conn).get_table_names())
    with engine.begin() as conn:
        migrate.downgrade(conn)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
