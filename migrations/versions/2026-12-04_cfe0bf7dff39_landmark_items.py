"""The projects, platforms, carriers and zones plan 003 names under each industrial landmark

Revision ID: cfe0bf7dff39
Revises: 5d2e8c41a7b9
Create Date: 2026-12-04 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = 'cfe0bf7dff39'
down_revision: str | None = '5d2e8c41a7b9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The unique (landmark_id, name) also serves lookups by landmark: no separate index.
    op.create_table('landmark_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('landmark_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('project', 'platform', 'carrier', 'zone', name='landmarkitemkind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['landmark_id'], ['landmark.id'], name=op.f('fk_landmark_item_landmark_id_landmark'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_landmark_item')),
    sa.UniqueConstraint('landmark_id', 'name', name=op.f('uq_landmark_item_landmark_id_name'))
    )


def downgrade() -> None:
    op.drop_table('landmark_item')
