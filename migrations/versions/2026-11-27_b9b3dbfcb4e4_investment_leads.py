"""investment leads

Revision ID: b9b3dbfcb4e4
Revises: aefaa1474c96
Create Date: 2026-11-27 03:09:26.070385
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = 'b9b3dbfcb4e4'
down_revision: str | None = 'aefaa1474c96'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lead_time_limit',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lead_time_limit'))
    )
    op.create_table('lead',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('investor_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('investor_credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
    sa.Column('source', sa.Enum('business', 'fund', 'expo', 'online', 'agency', 'visit', 'other', name='source', native_enum=False, length=20), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('planned_investment', sa.Float(), nullable=True),
    sa.Column('expected_output', sa.Float(), nullable=True),
    sa.Column('expected_tax', sa.Float(), nullable=True),
    sa.Column('space_need', sa.Float(), nullable=True),
    sa.Column('space_unit', sa.Enum('m2', 'mu', name='spaceunit', native_enum=False, length=4), nullable=False),
    sa.Column('space_kind', sa.Enum('land', 'building', name='spacekind', native_enum=False, length=10), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('investor_core', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum('lead', 'contact', 'visit', 'negotiation', 'signed', 'registered', 'construction', 'production', 'capacity', 'on_hold', 'dropped', name='leadstage', native_enum=False, length=20), nullable=False),
    sa.Column('stage_since', sa.Date(), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('resume_stage', sa.Enum('lead', 'contact', 'visit', 'negotiation', 'signed', 'registered', 'construction', 'production', 'capacity', 'on_hold', 'dropped', name='leadstage', native_enum=False, length=20), nullable=True),
    sa.Column('drop_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('drop_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('site_on', sa.Date(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('capital_arrived', sa.Float(), nullable=False),
    sa.Column('last_followup_on', sa.Date(), nullable=True),
    sa.Column('next_step', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['chain.id'], name=op.f('fk_lead_chain_id_chain')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_lead_enterprise_id_enterprise'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_lead_owner_id_app_user')),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_lead_park_id_park')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_lead_segment_id_segment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_lead_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_chain_id'), ['chain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_created_on'), ['created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_investor_core'), ['investor_core'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_investor_credit_code'), ['investor_credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_next_due'), ['next_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_registered_on'), ['registered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_segment_id'), ['segment_id'], unique=False)
        batch_op.create_index('ix_lead_stage_updated', ['stage', 'updated_at'], unique=False)
        batch_op.create_index('ix_lead_board_cover', ['stage', 'confidential', 'team_id', 'owner_id', 'park_id', 'chain_id', 'planned_investment'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_updated_at'), ['updated_at'], unique=False)

    op.create_table('capital_arrival',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('arrived_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_capital_arrival_actor_id_app_user')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_capital_arrival_lead_id_lead'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capital_arrival'))
    )
    with op.batch_alter_table('capital_arrival', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capital_arrival_lead_id'), ['lead_id'], unique=False)

    op.create_table('carrier',
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sa.Enum('factory', 'office', 'land', 'incubator', name='carrierkind', native_enum=False, length=10), nullable=False),
    sa.Column('total_area', sa.Float(), nullable=False),
    sa.Column('available_area', sa.Float(), nullable=False),
    sa.Column('floor_load', sa.Float(), nullable=True),
    sa.Column('land_use', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rent', sa.Float(), nullable=True),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'available', 'reserved', 'occupied', name='carrierstatus', native_enum=False, length=10), nullable=False),
    sa.Column('landmark_id', sa.Integer(), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reserved_lead_id', sa.Integer(), nullable=True),
    sa.Column('reserved_on', sa.Date(), nullable=True),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['landmark_id'], ['landmark.id'], name=op.f('fk_carrier_landmark_id_landmark')),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_carrier_park_id_park')),
    sa.ForeignKeyConstraint(['reserved_lead_id'], ['lead.id'], name=op.f('fk_carrier_reserved_lead_id_lead')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier')),
    sa.UniqueConstraint('name', name=op.f('uq_carrier_name'))
    )
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carrier_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carrier_reserved_lead_id'), ['reserved_lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carrier_status'), ['status'], unique=False)

    op.create_table('follow_up',
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('people', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('next_step', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('visit', 'call', 'meeting', 'event', 'internal', name='followupkind', native_enum=False, length=10), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_follow_up_actor_id_app_user')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_follow_up_lead_id_lead'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_lead_id'), ['lead_id'], unique=False)

    op.create_table('lead_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_contact_lead_id_lead'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_contact'))
    )
    with op.batch_alter_table('lead_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_contact_lead_id'), ['lead_id'], unique=False)

    op.create_table('lead_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('from_stage', sa.Enum('lead', 'contact', 'visit', 'negotiation', 'signed', 'registered', 'construction', 'production', 'capacity', 'on_hold', 'dropped', name='leadstage', native_enum=False, length=20), nullable=True),
    sa.Column('to_stage', sa.Enum('lead', 'contact', 'visit', 'negotiation', 'signed', 'registered', 'construction', 'production', 'capacity', 'on_hold', 'dropped', name='leadstage', native_enum=False, length=20), nullable=False),
    sa.Column('drop_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_lead_move_actor_id_app_user')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_move_lead_id_lead'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_move'))
    )
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_move_lead_id'), ['lead_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_move_lead_id'))

    op.drop_table('lead_move')
    with op.batch_alter_table('lead_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_contact_lead_id'))

    op.drop_table('lead_contact')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_lead_id'))

    op.drop_table('follow_up')
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carrier_status'))
        batch_op.drop_index(batch_op.f('ix_carrier_reserved_lead_id'))
        batch_op.drop_index(batch_op.f('ix_carrier_park_id'))

    op.drop_table('carrier')
    with op.batch_alter_table('capital_arrival', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capital_arrival_lead_id'))

    op.drop_table('capital_arrival')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_updated_at'))
        batch_op.drop_index(batch_op.f('ix_lead_team_id'))
        batch_op.drop_index('ix_lead_stage_updated')
        batch_op.drop_index('ix_lead_board_cover')
        batch_op.drop_index(batch_op.f('ix_lead_segment_id'))
        batch_op.drop_index(batch_op.f('ix_lead_registered_on'))
        batch_op.drop_index(batch_op.f('ix_lead_park_id'))
        batch_op.drop_index(batch_op.f('ix_lead_owner_id'))
        batch_op.drop_index(batch_op.f('ix_lead_next_due'))
        batch_op.drop_index(batch_op.f('ix_lead_investor_credit_code'))
        batch_op.drop_index(batch_op.f('ix_lead_investor_core'))
        batch_op.drop_index(batch_op.f('ix_lead_created_on'))
        batch_op.drop_index(batch_op.f('ix_lead_chain_id'))

    op.drop_table('lead')
    op.drop_table('lead_time_limit')
