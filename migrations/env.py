"""Alembic environment: runs against CHAINPLAN_DATABASE_URL or a connection passed in."""

from alembic import context
from sqlmodel import SQLModel

from core import migrate
from core.db import make_engine
from core.settings import get_settings
from migrations.tables import import_tables

import_tables()
target_metadata = SQLModel.metadata


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
        include_name=migrate.modelled,
    )


def run() -> None:
    """Run migrations on the given connection, or open one from the settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


run()
