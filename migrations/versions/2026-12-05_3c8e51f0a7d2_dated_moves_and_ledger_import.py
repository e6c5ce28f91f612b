"""Dated moves keep a corrected date's reason; leads entered from a ledger are marked 补录

Revision ID: 3c8e51f0a7d2
Revises: 9b4e7d2c1a60
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3c8e51f0a7d2'
down_revision: str | None = '9b4e7d2c1a60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_corrected_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('date_correction', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('backfilled', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('backfilled')
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.drop_column('date_correction')
        batch_op.drop_column('date_corrected_at')
