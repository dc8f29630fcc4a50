"""Retraining loop: intent corrections made by service-desk agents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Must mirror bot/db/models_retrain.py exactly (tests/integration/test_db_migrations.py compares the metadata
with the migrated schema). Constraint names come from the naming convention in bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "intent_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("message_timestamp", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_intent", sa.String(length=100), nullable=False),
        sa.Column("corrected_intent", sa.String(length=100), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_intent_corrections_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intent_corrections")),
        sa.UniqueConstraint(
            "sender_id", "message_timestamp", name=op.f("uq_intent_corrections_sender_id")
        ),
    )
    op.create_index(
        op.f("ix_intent_corrections_agent_id"), "intent_corrections", ["agent_id"], unique=False
    )
    op.create_index(
        op.f("ix_intent_corrections_sender_id"), "intent_corrections", ["sender_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_intent_corrections_sender_id"), table_name="intent_corrections")
    op.drop_index(op.f("ix_intent_corrections_agent_id"), table_name="intent_corrections")
    op.drop_table("intent_corrections")
