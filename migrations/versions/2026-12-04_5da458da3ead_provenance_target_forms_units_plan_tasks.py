"""Provenance of seeded rows, target forms (range, relative, milestone), units' duties and an
account's unit, plan tasks with their units and progress reports

Revision ID: 5da458da3ead
Revises: 7c1e5a9d3b20
Create Date: 2026-12-04 19:07:10.839281
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '5da458da3ead'
down_revision: str | None = '7c1e5a9d3b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('provenance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('basis', sa.Enum('plan', 'public', 'inferred', name='basis', native_enum=False, length=10), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('quote', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provenance')),
    sa.UniqueConstraint('object_type', 'object_id', name=op.f('uq_provenance_object_type_object_id'))
    )
    op.create_table('plan_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('units_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'in_progress', 'blocked', 'done', name='taskstatus', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_task_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_task')),
    sa.UniqueConstraint('code', name=op.f('uq_plan_task_code'))
    )
    with op.batch_alter_table('plan_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_task_unit',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], name=op.f('fk_plan_task_unit_task_id_plan_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_plan_task_unit_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_plan_task_unit'))
    )
    with op.batch_alter_table('plan_task_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('task_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sa.Enum('pending', 'in_progress', 'blocked', 'done', name='taskstatus', native_enum=False, length=20), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], name=op.f('fk_task_report_reporter_id_app_user')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], name=op.f('fk_task_report_task_id_plan_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_report'))
    )
    with op.batch_alter_table('task_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_report_task_id'), ['task_id'], unique=False)

    # Not in batch mode: a batch would copy app_user and fail on the rows that refer to it
    # (sessions, the audit log); SQLite adds a nullable column with its reference in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE app_user ADD COLUMN unit_id INTEGER '
            'CONSTRAINT fk_app_user_unit_id_org_unit REFERENCES org_unit (id)'
        )
    else:
        op.add_column('app_user', sa.Column('unit_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_app_user_unit_id_org_unit'), 'app_user', 'org_unit', ['unit_id'], ['id']
        )

    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('form', sa.Enum('level', 'range', 'relative', 'milestone', name='targetform', native_enum=False, length=10), server_default='level', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_column('form')
        batch_op.drop_column('target_high')

    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('description')

    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_app_user_unit_id_org_unit'), 'app_user', type_='foreignkey')
    op.drop_column('app_user', 'unit_id')

    with op.batch_alter_table('task_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_report_task_id'))

    op.drop_table('task_report')
    with op.batch_alter_table('plan_task_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_unit_unit_id'))

    op.drop_table('plan_task_unit')
    with op.batch_alter_table('plan_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_plan_id'))

    op.drop_table('plan_task')
    op.drop_table('provenance')
