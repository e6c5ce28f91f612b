"""indexes for deleting firms

Revision ID: 8aada4e134fb
Revises: 8fc8d22da422
Create Date: 2026-11-27 05:57:28.843487
"""

from collections.abc import Sequence

from alembic import op

revision: str = '8aada4e134fb'
down_revision: str | None = '8fc8d22da422'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_change_enterprise_id'), ['enterprise_id'], unique=False)

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_enterprise_id'), ['enterprise_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_enterprise_id'))

    with op.batch_alter_table('import_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_change_enterprise_id'))

