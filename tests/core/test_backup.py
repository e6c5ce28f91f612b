"""chainplan backup and restore: a round trip gives back every row of every table."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel

from core import backup, migrate
from core.accounts import Role
from core.db import make_engine
from core.errors import DomainError
from enterprises.registry.models import Enterprise
from seeds.load import load_all
from tests.databases import drop_scratch, scratch_url
from tests.factories import make_enterprise, make_lead, make_user


@pytest.fixture
def scratch(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = scratch_url(database_url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    yield url, engine
    engine.dispose()
    drop_scratch(url, database_url)


def _everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(conn.execute(select(table)).all(), key=repr)
            for name, table in SQLModel.metadata.tables.items()
        }


def test_a_backup_restores_every_table(scratch: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = scratch
    with Session(engine) as session:
        load_all(session=session)
        promoter = make_user(session, Role.promotion)
        make_lead(session, promoter, name="备份测试项目")
        make_enterprise(session, name="佛山市备份测试有限公司")
        session.commit()
    before = _everything(engine)
    assert before["enterprise"] and before["lead"] and before["audit_entry"]

    saved = backup.backup(url, tmp_path / "saved" / "copy")
    assert saved.stat().st_size > 0
    with Session(engine) as session:
        firm = session.exec(
            select(Enterprise).where(Enterprise.name == "佛山市备份测试有限公司")
        ).scalar_one()
        session.delete(firm)
        make_enterprise(session, name="佛山市备份之后有限公司")
        session.commit()
    assert _everything(engine) != before

    engine.dispose()  # restoring replaces the database under any open connection
    backup.restore(url, saved)
    assert _everything(engine) == before


def test_restoring_a_missing_file_changes_nothing(
    scratch: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = scratch
    before = _everything(engine)
    with pytest.raises(DomainError, match="不存在"):
        backup.restore(url, tmp_path / "none.dump")
    assert _everything(engine) == before
