"""An index of audit entries by object, for a record's history

Revision ID: 2a389a2c8758
Revises: efdba889319c
Create Date: 2026-11-27 15:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '2a389a2c8758'
down_revision: str | None = 'efdba889319c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_object", "audit_entry", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_object", table_name="audit_entry")
