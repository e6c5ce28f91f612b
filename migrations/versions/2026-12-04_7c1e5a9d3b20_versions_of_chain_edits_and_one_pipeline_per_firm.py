"""Versions of a chain's settings, segments and dossier items; one pipeline per firm and designation

Revision ID: 7c1e5a9d3b20
Revises: 82405ac8b6f4
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c1e5a9d3b20'
down_revision: str | None = '82405ac8b6f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("chain", "segment", "dossier_item")
# The unique constraint on (enterprise_id, designation_id, chain_id) lets rows whose chain is
# NULL repeat, and concurrent starts on PostgreSQL did: a partial unique index closes that.
NO_CHAIN = "uq_cultivation_firm_designation_no_chain"
DUPLICATES = """
SELECT enterprise_id, designation_id, COUNT(*) FROM cultivation WHERE chain_id IS NULL
GROUP BY enterprise_id, designation_id HAVING COUNT(*) > 1
"""


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    twice = op.get_bind().execute(sa.text(DUPLICATES)).all()
    if twice:
        pairs = ", ".join(f"firm {firm} in designation {designation}" for firm, designation, _ in twice)
        raise RuntimeError(f"cultivations held twice, merge them before upgrading: {pairs}")
    op.create_index(
        NO_CHAIN,
        "cultivation",
        ["enterprise_id", "designation_id"],
        unique=True,
        postgresql_where=sa.text("chain_id IS NULL"),
        sqlite_where=sa.text("chain_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(NO_CHAIN, table_name="cultivation")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
