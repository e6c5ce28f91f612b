"""An index of the characters of each target firm's name, products and tags, for search

Revision ID: d4e8a1f7b2c3
Revises: c3f1a7d92e48
Create Date: 2026-12-05 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd4e8a1f7b2c3'
down_revision: str | None = 'c3f1a7d92e48'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As enterprises.prospects.models.SEARCH_CHARS was when this revision was written.
SEARCH_CHARS = (
    "string_to_array(lower((((name::text || ' '::text) || products::text) || ' '::text) || "
    "tags::text), NULL::text)"
)
# SQLite: an FTS5 table without content of its own, one character a token, kept by triggers,
# as enterprise_chars (efdba889319c).
CHARS = "spaced_chars({row}.name || ' ' || {row}.products || ' ' || {row}.tags)"
ADD = f"INSERT INTO prospect_chars(rowid, chars) VALUES (new.id, {CHARS.format(row='new')});"
DROP = (
    "INSERT INTO prospect_chars(prospect_chars, rowid, chars) "
    f"VALUES ('delete', old.id, {CHARS.format(row='old')});"
)
TRIGGERS = {
    "prospect_chars_insert": f"AFTER INSERT ON prospect BEGIN {ADD} END",
    "prospect_chars_update": f"AFTER UPDATE OF name, products, tags ON prospect BEGIN {DROP} {ADD} END",
    "prospect_chars_delete": f"AFTER DELETE ON prospect BEGIN {DROP} END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_prospect_search_chars", "prospect", [sa.text(SEARCH_CHARS)], postgresql_using="gin"
        )
        return
    op.execute("CREATE VIRTUAL TABLE prospect_chars USING fts5(chars, content='', detail=none)")
    op.execute(
        f"INSERT INTO prospect_chars(rowid, chars) SELECT id, {CHARS.format(row='prospect')} "
        "FROM prospect"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_prospect_search_chars", table_name="prospect")
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE prospect_chars")
