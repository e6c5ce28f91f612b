"""A plan's source text and whether it is demo data

Revision ID: 3c8e1f5a7b42
Revises: 3c8e51f0a7d2
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3c8e1f5a7b42'
down_revision: str | None = '3c8e51f0a7d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('demo')
        batch_op.drop_column('source_text')
