"""Dated moves keep a corrected date's reason; leads entered from a ledger are marked 补录,
and a ledger import's batch and created projects are kept for its undo

Revision ID: 3c8e51f0a7d2
Revises: 9b4e7d2c1a60
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '3c8e51f0a7d2'
down_revision: str | None = '9b4e7d2c1a60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('date_corrected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column('date_correction', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('backfilled', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), nullable=False, server_default='firms')
        )
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_change_lead_id'), ['lead_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_import_change_lead_id_lead'), 'lead', ['lead_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_change_lead_id_lead'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_import_change_lead_id'))
        batch_op.drop_column('lead_id')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('backfilled')
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.drop_column('date_correction')
        batch_op.drop_column('date_corrected_at')
