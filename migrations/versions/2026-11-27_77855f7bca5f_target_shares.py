"""target shares

Revision ID: 77855f7bca5f
Revises: 76375f71af3e
Create Date: 2026-11-27 03:49:03.059801
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '77855f7bca5f'
down_revision: str | None = '76375f71af3e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('target_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['chain.id'], name=op.f('fk_target_share_chain_id_chain'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_target_share_park_id_park')),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_target_share_target_id_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_share')),
    sa.UniqueConstraint('target_id', 'park_id', 'chain_id', name=op.f('uq_target_share_target_id_park_id_chain_id'))
    )
    with op.batch_alter_table('target_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_share_target_id'), ['target_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('target_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_share_target_id'))

    op.drop_table('target_share')
