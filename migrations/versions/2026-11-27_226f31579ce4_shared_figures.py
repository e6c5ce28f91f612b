"""Figures computed by one server process, kept for the others

Revision ID: 226f31579ce4
Revises: dc44d78ab16e
Create Date: 2026-11-27 09:27:42.082432
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '226f31579ce4'
down_revision: str | None = 'dc44d78ab16e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('shared_figure',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_shared_figure'))
    )


def downgrade() -> None:
    op.drop_table('shared_figure')
