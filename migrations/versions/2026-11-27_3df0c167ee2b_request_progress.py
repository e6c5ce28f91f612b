"""Progress of long requests, in the database so that every worker process sees it

Revision ID: 3df0c167ee2b
Revises: 8aada4e134fb
Create Date: 2026-11-27 08:37:48.671567
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '3df0c167ee2b'
down_revision: str | None = '8aada4e134fb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('request_progress',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_request_progress'))
    )


def downgrade() -> None:
    op.drop_table('request_progress')
