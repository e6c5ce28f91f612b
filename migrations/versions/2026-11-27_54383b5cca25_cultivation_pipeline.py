"""cultivation pipeline

Revision ID: 54383b5cca25
Revises: 1672d3bc894a
Create Date: 2026-11-27 00:50:35.033164
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '54383b5cca25'
down_revision: str | None = '1672d3bc894a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('designation',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('validity_years', sa.Integer(), nullable=True),
    sa.Column('remind_days', sa.Integer(), nullable=False),
    sa.Column('high_growth', sa.Boolean(), nullable=False),
    sa.Column('per_chain', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designation')),
    sa.UniqueConstraint('code', name=op.f('uq_designation_code'))
    )
    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.Enum('age_years_max', 'revenue_min', 'revenue_growth_3y_min', 'rd_ratio_min', 'employees_min', 'invention_patents_min', name='metric', native_enum=False, length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['designation_id'], ['designation.id'], name=op.f('fk_criterion_designation_id_designation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion')),
    sa.UniqueConstraint('designation_id', 'metric', name=op.f('uq_criterion_designation_id_metric'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_designation_id'), ['designation_id'], unique=False)

    op.create_table('tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['designation_id'], ['designation.id'], name=op.f('fk_tier_designation_id_designation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier')),
    sa.UniqueConstraint('designation_id', 'code', name=op.f('uq_tier_designation_id_code'))
    )
    with op.batch_alter_table('tier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_designation_id'), ['designation_id'], unique=False)

    op.create_table('cultivation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum('candidate', 'pool', 'applied', 'recognised', 'rejected', 'lapsed', 'revoked', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('recognised_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['chain.id'], name=op.f('fk_cultivation_chain_id_chain')),
    sa.ForeignKeyConstraint(['designation_id'], ['designation.id'], name=op.f('fk_cultivation_designation_id_designation')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_cultivation_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tier.id'], name=op.f('fk_cultivation_tier_id_tier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cultivation')),
    sa.UniqueConstraint('enterprise_id', 'designation_id', 'chain_id', name=op.f('uq_cultivation_enterprise_id_designation_id_chain_id'))
    )
    with op.batch_alter_table('cultivation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cultivation_designation_id'), ['designation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cultivation_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cultivation_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_cultivation_valid_until'), ['valid_until'], unique=False)

    op.create_table('enterprise_figure',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Float(), nullable=True),
    sa.Column('output', sa.Float(), nullable=True),
    sa.Column('tax', sa.Float(), nullable=True),
    sa.Column('rd_spend', sa.Float(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('invention_patents', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_figure_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_figure')),
    sa.UniqueConstraint('enterprise_id', 'year', name=op.f('uq_enterprise_figure_enterprise_id_year'))
    )
    with op.batch_alter_table('enterprise_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_figure_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('cultivation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cultivation_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('from_stage', sa.Enum('candidate', 'pool', 'applied', 'recognised', 'rejected', 'lapsed', 'revoked', name='stage', native_enum=False, length=20), nullable=True),
    sa.Column('to_stage', sa.Enum('candidate', 'pool', 'applied', 'recognised', 'rejected', 'lapsed', 'revoked', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('document_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('evidence_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_cultivation_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['cultivation_id'], ['cultivation.id'], name=op.f('fk_cultivation_event_cultivation_id_cultivation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tier.id'], name=op.f('fk_cultivation_event_tier_id_tier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cultivation_event'))
    )
    with op.batch_alter_table('cultivation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cultivation_event_cultivation_id'), ['cultivation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cultivation_event_on'), ['on'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('cultivation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cultivation_event_on'))
        batch_op.drop_index(batch_op.f('ix_cultivation_event_cultivation_id'))

    op.drop_table('cultivation_event')
    with op.batch_alter_table('enterprise_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_figure_enterprise_id'))

    op.drop_table('enterprise_figure')
    with op.batch_alter_table('cultivation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cultivation_valid_until'))
        batch_op.drop_index(batch_op.f('ix_cultivation_stage'))
        batch_op.drop_index(batch_op.f('ix_cultivation_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_cultivation_designation_id'))

    op.drop_table('cultivation')
    with op.batch_alter_table('tier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_designation_id'))

    op.drop_table('tier')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_designation_id'))

    op.drop_table('criterion')
    op.drop_table('designation')

