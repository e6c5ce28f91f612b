"""recognition index

Revision ID: e461e4b1fc51
Revises: 77855f7bca5f
Create Date: 2026-11-27 04:00:27.210497
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'e461e4b1fc51'
down_revision: str | None = '77855f7bca5f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cultivation_event', schema=None) as batch_op:
        batch_op.create_index('ix_cultivation_event_stage_on', ['to_stage', 'on', 'cultivation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cultivation_event', schema=None) as batch_op:
        batch_op.drop_index('ix_cultivation_event_stage_on')

