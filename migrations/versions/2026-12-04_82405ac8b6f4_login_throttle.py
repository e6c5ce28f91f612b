"""Failed logins slow their address down instead of locking the account

Revision ID: 82405ac8b6f4
Revises: 2a389a2c8758
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '82405ac8b6f4'
down_revision: str | None = '2a389a2c8758'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    op.create_index('ix_login_failure_address_at', 'login_failure', ['address', 'at'])
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'])
    # Not in batch mode: SQLite (3.35+) drops a plain column in place, where a batch would
    # copy app_user and fail on the rows that refer to it (sessions, the audit log).
    op.drop_column('app_user', 'locked_until')
    op.drop_column('app_user', 'failed_logins')


def downgrade() -> None:
    op.add_column('app_user', sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    op.add_column('app_user', sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.drop_index(op.f('ix_login_failure_at'), table_name='login_failure')
    op.drop_index('ix_login_failure_address_at', table_name='login_failure')
    op.drop_table('login_failure')
