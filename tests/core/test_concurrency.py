"""Sixteen people saving the same firm at once: nobody's save is lost, nobody sees "locked"."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from core import audit, migrate
from core.accounts import Role, User
from core.db import make_engine, transaction
from core.errors import Conflict
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import Enterprise, EnterpriseFields, EnterpriseUpdate
from seeds.load import load_all
from tests.databases import drop_scratch, scratch_url
from tests.factories import make_enterprise, make_user

EDITORS = 16


@pytest.fixture
def shared(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    url = scratch_url(database_url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)


def test_concurrent_editors_lose_no_update(shared: Engine) -> None:
    with Session(shared) as session:
        load_all(session=session)
        admin = make_user(session, Role.admin)
        firm = make_enterprise(session, actor=admin, name="佛山市并发测试有限公司", employees=0)
        session.commit()
        firm_id, admin_id = firm.id or 0, admin.id or 0
    conflicts: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(EDITORS)

    def edit() -> None:
        start.wait()
        while True:
            try:
                # What a save request does: read the form's version, write, commit.
                with transaction(shared, write=True) as session:
                    actor = session.get(User, admin_id)
                    assert actor is not None
                    current = session.get(Enterprise, firm_id)
                    assert current is not None
                    fields = current.model_dump(include=set(EnterpriseFields.model_fields))
                    data = EnterpriseUpdate(
                        **fields | {"employees": (current.employees or 0) + 1},
                        version=current.version,
                    )
                    enterprise_service.update(
                        session=session, actor=actor, enterprise_id=firm_id, data=data
                    )
                return
            except Conflict:
                conflicts.append(1)  # someone saved first: reread and try again, as a person would
            except (OperationalError, AssertionError) as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=edit) for _ in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with Session(shared) as session:
        saved = session.get(Enterprise, firm_id)
        assert saved is not None
        assert saved.employees == EDITORS  # every one of the sixteen saves counted
        assert saved.version == 1 + EDITORS
        updates = [
            e
            for e in audit.history(session=session, object_type="enterprise", object_id=firm_id)
            if e.action == "update"
        ]
        assert len(updates) == EDITORS
