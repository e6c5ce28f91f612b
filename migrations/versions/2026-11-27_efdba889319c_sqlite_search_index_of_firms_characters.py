"""SQLite: a full-text index of the characters of each firm's name and products, for search

Revision ID: efdba889319c
Revises: cecb4d9b6757
Create Date: 2026-11-27 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'efdba889319c'
down_revision: str | None = 'cecb4d9b6757'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL has its GIN index of characters (b5e54d84c68e). SQLite gets an FTS5 table without
# content of its own, one character a token (core.db.spaced_chars), kept by triggers; without
# positions (detail=none): a term's characters are looked up each, as on PostgreSQL, and the
# index is written faster.
CHARS = "spaced_chars({row}.name || ' ' || {row}.main_products)"
ADD = f"INSERT INTO enterprise_chars(rowid, chars) VALUES (new.id, {CHARS.format(row='new')});"
DROP = (
    "INSERT INTO enterprise_chars(enterprise_chars, rowid, chars) "
    f"VALUES ('delete', old.id, {CHARS.format(row='old')});"
)
TRIGGERS = {
    "enterprise_chars_insert": f"AFTER INSERT ON enterprise BEGIN {ADD} END",
    "enterprise_chars_update": f"AFTER UPDATE OF name, main_products ON enterprise BEGIN {DROP} {ADD} END",
    "enterprise_chars_delete": f"AFTER DELETE ON enterprise BEGIN {DROP} END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE VIRTUAL TABLE enterprise_chars USING fts5(chars, content='', detail=none)")
    op.execute(
        "INSERT INTO enterprise_chars(rowid, chars) "
        f"SELECT id, {CHARS.format(row='enterprise')} FROM enterprise"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE enterprise_chars")
