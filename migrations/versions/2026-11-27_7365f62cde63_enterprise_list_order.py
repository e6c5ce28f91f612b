"""An index in the enterprise lists' order (largest output first), to read pages off it

Revision ID: 7365f62cde63
Revises: 3df0c167ee2b
Create Date: 2026-11-27 08:41:37.108206
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7365f62cde63'
down_revision: str | None = '3df0c167ee2b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_enterprise_list_order",
        "enterprise",
        [sa.text("coalesce(annual_output, -1) DESC"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_enterprise_list_order", table_name="enterprise")
