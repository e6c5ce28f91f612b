"""An index of firms by park and name, for a park's cultivation list in name order

Revision ID: cecb4d9b6757
Revises: b5e54d84c68e
Create Date: 2026-11-27 12:15:45.619255
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'cecb4d9b6757'
down_revision: str | None = 'b5e54d84c68e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_enterprise_park_name", "enterprise", ["park_id", "name"])


def downgrade() -> None:
    op.drop_index("ix_enterprise_park_name", table_name="enterprise")
