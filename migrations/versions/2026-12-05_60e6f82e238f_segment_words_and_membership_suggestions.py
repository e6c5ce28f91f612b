"""Segment words (what a firm's products must say to be suggested for a segment) and the suggested
memberships the chain chief reviews

Revision ID: 60e6f82e238f
Revises: cfe0bf7dff39
Create Date: 2026-12-05 02:09:55.742310
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "60e6f82e238f"
down_revision: str | None = "cfe0bf7dff39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "rejected",
                name="suggestionstatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chain.id"],
            name=op.f("fk_membership_suggestion_chain_id_chain"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_membership_suggestion_decided_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_membership_suggestion_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segment.id"],
            name=op.f("fk_membership_suggestion_segment_id_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_suggestion")),
        sa.UniqueConstraint(
            "enterprise_id",
            "segment_id",
            name=op.f("uq_membership_suggestion_enterprise_id_segment_id"),
        ),
    )
    with op.batch_alter_table("membership_suggestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_suggestion_review", ["chain_id", "status", "score"], unique=False
        )
        batch_op.create_index(
            "ix_membership_suggestion_segment", ["segment_id", "status"], unique=False
        )

    op.create_table(
        "segment_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("word", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column(
            "source",
            sa.Enum("plan", "chief", name="wordsource", native_enum=False, length=10),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segment.id"],
            name=op.f("fk_segment_word_segment_id_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_word")),
        sa.UniqueConstraint("segment_id", "word", name=op.f("uq_segment_word_segment_id_word")),
    )
    with op.batch_alter_table("segment_word", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segment_word_segment_id"), ["segment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("segment_word", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segment_word_segment_id"))

    op.drop_table("segment_word")
    with op.batch_alter_table("membership_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_suggestion_segment")
        batch_op.drop_index("ix_membership_suggestion_review")

    op.drop_table("membership_suggestion")
