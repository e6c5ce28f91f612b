"""An index of the characters of each firm's searchable text, for search (PostgreSQL only)

Revision ID: b5e54d84c68e
Revises: 226f31579ce4
Create Date: 2026-11-27 11:44:33.717823
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b5e54d84c68e'
down_revision: str | None = '226f31579ce4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As enterprises.models.SEARCH_CHARS was when this revision was written.
SEARCH_CHARS = "string_to_array(lower((name::text || ' '::text) || main_products::text), NULL::text)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_enterprise_search_chars",
            "enterprise",
            [sa.text(SEARCH_CHARS)],
            postgresql_using="gin",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_enterprise_search_chars", table_name="enterprise")
