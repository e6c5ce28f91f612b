"""An index for the open leads aimed at each segment of a chain (the chain map counts them)

Revision ID: 6c0d22e4001a
Revises: 7365f62cde63
Create Date: 2026-11-27 09:00:18.650553
"""

from collections.abc import Sequence

from alembic import op

revision: str = '6c0d22e4001a'
down_revision: str | None = '7365f62cde63'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_chain_segment', ['chain_id', 'segment_id', 'stage'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_chain_segment')

