"""A chain chief's review of firms entering a segment; firms whose credit code is still to come

Revision ID: 9b4e7d2c1a60
Revises: 60e6f82e238f
Create Date: 2026-12-05 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '9b4e7d2c1a60'
down_revision: str | None = '60e6f82e238f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The chain map's counts read confirmed places only: the review state joins the covering index.
OLD_COVER = ['segment_id', 'enterprise_id', 'role', 'hidden_champion']


def upgrade() -> None:
    # Every place held so far was drawn or loaded as the chiefs know it: confirmed.
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.Enum('confirmed', 'pending', name='membershipreview', native_enum=False, length=10), server_default='confirmed', nullable=False))
        batch_op.add_column(sa.Column('entered_by', sa.Enum('project', 'import', 'edit', 'suggestion', 'seed', name='membershipsource', native_enum=False, length=12), nullable=True))
        batch_op.add_column(sa.Column('entered_note', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_membership_reviewed_by_id_app_user'), 'app_user', ['reviewed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index('ix_membership_segment_cover')
        batch_op.create_index('ix_membership_segment_cover', [*OLD_COVER, 'review'], unique=False)
        batch_op.create_index('ix_membership_review', ['review', 'segment_id'], unique=False)

    op.add_column('enterprise', sa.Column('credit_code_pending', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # Not in a batch: SQLite would rebuild the table and lose its search index's triggers.
    op.drop_column('enterprise', 'credit_code_pending')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_review')
        batch_op.drop_index('ix_membership_segment_cover')
        batch_op.create_index('ix_membership_segment_cover', OLD_COVER, unique=False)
        batch_op.drop_constraint(batch_op.f('fk_membership_reviewed_by_id_app_user'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('entered_at')
        batch_op.drop_column('entered_note')
        batch_op.drop_column('entered_by')
        batch_op.drop_column('review')
