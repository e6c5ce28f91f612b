"""Import batches written in chunks: a version to claim them, how far they got, what stopped
them; the version each import record left its firm or cultivation at; an index on
import_change.cultivation_id

Revision ID: 5d2e8c41a7b9
Revises: 5da458da3ead
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '5d2e8c41a7b9'
down_revision: str | None = '5da458da3ead'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('rows_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('failure', sa.String(length=1000), server_default='', nullable=False)
        )
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_import_change_cultivation_id'), ['cultivation_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_change_cultivation_id'))
        batch_op.drop_column('version')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('failure')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('rows_done')
        batch_op.drop_column('version')
