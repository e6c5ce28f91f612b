"""Run Alembic from code, so the CLI and the tests need no alembic.ini lookup."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

ROOT = Path(__file__).resolve().parent.parent


def modelled(name: str | None, kind: str, _parents: object) -> bool:
    """Whether autogenerate compares it with the models: not SQLite's full-text index of
    characters and its own tables, which only a migration creates (no model describes a
    virtual table)."""
    return not (kind == "table" and (name or "").startswith(("enterprise_chars", "prospect_chars")))


def config(connection: Connection | None = None) -> Config:
    """Return an Alembic config for the migrations folder, optionally bound to a connection."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection | None = None, revision: str = "head") -> None:
    """Upgrade the database to a revision."""
    command.upgrade(config(connection), revision)


def downgrade(connection: Connection | None = None, revision: str = "base") -> None:
    """Downgrade the database to a revision."""
    command.downgrade(config(connection), revision)
