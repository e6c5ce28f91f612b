"""Which database the suite runs on, and throwaway databases for tests that commit."""

import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core import migrate
from core.db import make_engine
from seeds.load import load_all


def suite_url(tmp_dir: Path) -> str:
    """The database of the run: CHAINPLAN_DATABASE_URL, else a SQLite file in tmp_dir."""
    return os.environ.get("CHAINPLAN_DATABASE_URL") or f"sqlite:///{tmp_dir / 'suite.db'}"


def scratch_url(base_url: str, tmp_dir: Path) -> str:
    """Return the URL of a new empty database of the same kind as base_url."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_dir / f'scratch-{uuid.uuid4().hex[:8]}.db'}"
    name = f"{url.database}_scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_scratch(scratch: str, base_url: str) -> None:
    """Remove a scratch database made by scratch_url (PostgreSQL; SQLite files go with tmp)."""
    url, base = make_url(scratch), make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def seeded_scratch(
    base_url: str, tmp_dir: Path, then: Callable[[Session], None] = lambda _: None
) -> str:
    """A new database like scratch_url's, migrated and seeded with the plan's chains and parks,
    and with whatever `then` adds in the same transaction; for tests that commit."""
    url = scratch_url(base_url, tmp_dir)
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        load_all(session=session)
        then(session)
        session.commit()
    engine.dispose()
    return url


def clone(source: str, base_url: str, tmp_dir: Path) -> str:
    """A copy of a committed database (no connection may be open to it), as a new database.

    A test that runs the app's own transactions gets a world of its own this way in a fraction
    of the time migrating and seeding take (SQLite: the backup API; PostgreSQL: a template).
    """
    url = make_url(source)
    if url.get_backend_name() == "sqlite":
        copy = f"sqlite:///{tmp_dir / f'clone-{uuid.uuid4().hex[:8]}.db'}"
        with (
            sqlite3.connect(str(url.database)) as src,
            sqlite3.connect(str(make_url(copy).database)) as dst,
        ):
            src.backup(dst)
        return copy
    name = f"{url.database}_clone_{uuid.uuid4().hex[:8]}"
    # Connected to the suite's database: a template must have no connection of its own.
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
