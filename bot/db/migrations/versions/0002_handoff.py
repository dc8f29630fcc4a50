"""Human handoff: console agents and their sessions, handoff cases and the cases' audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Must mirror bot/db/models_handoff.py exactly (tests/integration/test_db_migrations.py compares the metadata
with the migrated schema). Constraint names come from the naming convention in bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('agent', 'supervisor')", name=op.f("ck_agents_role_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("username", name=op.f("uq_agents_username")),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_sessions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agent_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_agent_sessions_agent_id"), "agent_sessions", ["agent_id"], unique=False
    )
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.String(length=300), nullable=True),
        sa.Column("after_hours", sa.Boolean(), nullable=False),
        sa.Column("callback_by", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'active', 'resolved')",
            name=op.f("ck_handoff_cases_status_valid"),
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
            name=op.f("ck_handoff_cases_rating_1_to_5"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_handoff_cases_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_handoff_cases_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_cases")),
    )
    op.create_index(op.f("ix_handoff_cases_agent_id"), "handoff_cases", ["agent_id"], unique=False)
    op.create_index(
        op.f("ix_handoff_cases_customer_id"), "handoff_cases", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_handoff_cases_queue", "handoff_cases", ["status", "priority", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_handoff_cases_sender_id"), "handoff_cases", ["sender_id"], unique=False
    )
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'claimed', 'transferred', 'agent_message', 'resolved', "
            "'rated', 'note')",
            name=op.f("ck_handoff_events_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["handoff_cases.id"],
            name=op.f("fk_handoff_events_case_id_handoff_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    op.create_index(
        op.f("ix_handoff_events_case_id"), "handoff_events", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_handoff_events_case_id"), table_name="handoff_events")
    op.drop_table("handoff_events")
    op.drop_index(op.f("ix_handoff_cases_sender_id"), table_name="handoff_cases")
    op.drop_index("ix_handoff_cases_queue", table_name="handoff_cases")
    op.drop_index(op.f("ix_handoff_cases_customer_id"), table_name="handoff_cases")
    op.drop_index(op.f("ix_handoff_cases_agent_id"), table_name="handoff_cases")
    op.drop_table("handoff_cases")
    op.drop_index(op.f("ix_agent_sessions_agent_id"), table_name="agent_sessions")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
