"""Which database the suite runs on, and throwaway databases for tests that commit."""

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


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
