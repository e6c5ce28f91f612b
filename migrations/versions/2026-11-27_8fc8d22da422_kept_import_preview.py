"""kept import preview

Revision ID: 8fc8d22da422
Revises: 2d0c8afd0d3e
Create Date: 2026-11-27 05:29:39.565715
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '8fc8d22da422'
down_revision: str | None = '2d0c8afd0d3e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('checked_key', sqlmodel.sql.sqltypes.AutoString(length=60), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('checked_key')
        batch_op.drop_column('checked')

