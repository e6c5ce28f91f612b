"""plans and targets

Revision ID: 76375f71af3e
Revises: b9b3dbfcb4e4
Create Date: 2026-11-27 03:37:46.806481
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '76375f71af3e'
down_revision: str | None = 'b9b3dbfcb4e4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('document_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_plan_code'))
    )
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('comparator', sa.Enum('ge', 'gt', 'le', 'approx', name='comparator', native_enum=False, length=10), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=True),
    sa.Column('lead_units', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('cooperating_units', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kind', sa.Enum('computed', 'reported', name='targetkind', native_enum=False, length=10), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=True),
    sa.Column('headline', sa.Boolean(), nullable=False),
    sa.Column('quote', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_target_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('code', name=op.f('uq_target_code'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_plan_id'), ['plan_id'], unique=False)

    op.create_table('reported_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('evidence_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], name=op.f('fk_reported_value_reporter_id_app_user')),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_reported_value_target_id_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reported_value'))
    )
    with op.batch_alter_table('reported_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reported_value_target_id'), ['target_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reported_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reported_value_target_id'))

    op.drop_table('reported_value')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_plan_id'))

    op.drop_table('target')
    op.drop_table('plan')
