"""A version token for the investment projects, whose evaluation is cached per version

Revision ID: dc44d78ab16e
Revises: 520ae2eb1424
Create Date: 2026-11-27 09:03:21.086624
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'dc44d78ab16e'
down_revision: str | None = '520ae2eb1424'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("INSERT INTO data_version (name, token) VALUES ('projects', 'initial')")


def downgrade() -> None:
    op.execute("DELETE FROM data_version WHERE name = 'projects'")
