"""chain maps

Revision ID: 1672d3bc894a
Revises: 1507a8f86c45
Create Date: 2026-11-27 00:05:38.208064
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '1672d3bc894a'
down_revision: str | None = '1507a8f86c45'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    data_version = op.create_table('data_version',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version'))
    )
    # The row core.versions bumps; without it nothing would ever invalidate cached figures.
    op.bulk_insert(data_version, [{'name': 'registry', 'token': 'initial'}])

    op.create_table('dossier_item',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('issued_date', sa.Date(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('project', 'platform', 'policy', 'advisory', name='dossierkind', native_enum=False, length=20), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['chain.id'], name=op.f('fk_dossier_item_chain_id_chain'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_item'))
    )
    with op.batch_alter_table('dossier_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_item_chain_id'), ['chain_id'], unique=False)

    with op.batch_alter_table('chain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weak_threshold', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('anchor_target', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('curated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_champion', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_membership_segment_id'))
        batch_op.create_index('ix_membership_segment_cover', ['segment_id', 'enterprise_id', 'role', 'hidden_champion'], unique=False)

    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_size_cover', ['id', 'above_size', 'annual_output'], unique=False)

    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('technology', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('choke_point', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('choke_note', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_segment_technology'), ['technology'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_segment_confirmed_by_id_app_user'), 'app_user', ['confirmed_by_id'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_segment_confirmed_by_id_app_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_segment_technology'))
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('choke_note')
        batch_op.drop_column('choke_point')
        batch_op.drop_column('technology')

    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_size_cover')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_segment_cover')
        batch_op.create_index(batch_op.f('ix_membership_segment_id'), ['segment_id'], unique=False)
        batch_op.drop_column('hidden_champion')

    with op.batch_alter_table('chain', schema=None) as batch_op:
        batch_op.drop_column('curated_at')
        batch_op.drop_column('anchor_target')
        batch_op.drop_column('weak_threshold')

    with op.batch_alter_table('dossier_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_item_chain_id'))

    op.drop_table('dossier_item')
    op.drop_table('data_version')

