from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from core import migrate
from core.db import make_engine, utcnow
from enterprises.registry import search
from enterprises.registry.service import EnterpriseFilter
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
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": migrate.modelled}
            ),
            SQLModel.metadata,
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


def test_the_search_index_of_characters_takes_in_the_firms_already_there(empty_url: str) -> None:
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        migrate.upgrade(conn, "cecb4d9b6757")  # the revision before SQLite's index
        # Written as that revision's table stood: the models have moved on since.
        earlier = conn.execute(
            text(
                "INSERT INTO enterprise (name, kind, district, address, above_size,"
                " main_products, contact_person, contact_phone, origin, version, created_at,"
                " updated_at) VALUES ('佛山市早于索引的砗磲有限公司', 'enterprise', '', '', FALSE,"
                " '', '', '', 'manual', 1, :now, :now) RETURNING id"
            ),
            {"now": utcnow()},
        ).scalar()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        found = search.search(session=session, flt=EnterpriseFilter(q="早于索引"))
        assert [e.id for e in found.items] == [earlier]
    engine.dispose()
