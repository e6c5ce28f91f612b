"""The cultivation stage a designation list places its firms at (候选, 入库培育, 申报, 认定)

Revision ID: c3f1a7d92e48
Revises: c18e5c020c5a
Create Date: 2026-12-05 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c3f1a7d92e48'
down_revision: str | None = 'c18e5c020c5a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('stage', sa.String(length=20), server_default='recognised', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('stage')
