"""Each lead move records when the stay it ends began, so stays are read without a window

Revision ID: 520ae2eb1424
Revises: 6c0d22e4001a
Create Date: 2026-11-27 09:01:23.445285
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '520ae2eb1424'
down_revision: str | None = '6c0d22e4001a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_move_on'), ['on'], unique=False)
    # The stay began with the lead's previous move, or its creation for the first.
    op.execute(
        """
        UPDATE lead_move SET since = COALESCE(
            (SELECT earlier."on" FROM lead_move AS earlier
             WHERE earlier.lead_id = lead_move.lead_id
               AND (earlier."on" < lead_move."on"
                    OR (earlier."on" = lead_move."on" AND earlier.id < lead_move.id))
             ORDER BY earlier."on" DESC, earlier.id DESC LIMIT 1),
            (SELECT lead.created_on FROM lead WHERE lead.id = lead_move.lead_id))
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_move_on'))
        batch_op.drop_column('since')

