"""WeChat channel: openid bindings, picture evidence, the customer-service outbox, replay marks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Must mirror bot/db/models_wechat.py exactly (tests/integration/test_db_migrations.py compares
the metadata with the migrated schema). Constraint names come from the naming convention in
bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "wechat_users",
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(), nullable=True),
        sa.Column("last_interaction_at", sa.DateTime(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_wechat_users_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_wechat_users")),
    )
    op.create_index(op.f("ix_wechat_users_customer_id"), "wechat_users", ["customer_id"])
    op.create_table(
        "wechat_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("msg_id", sa.String(length=32), nullable=True),
        sa.Column("media_id", sa.String(length=128), nullable=False),
        sa.Column("pic_url", sa.String(length=512), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_wechat_evidence_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["after_sale_tickets.id"],
            name=op.f("fk_wechat_evidence_ticket_id_after_sale_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_evidence")),
    )
    op.create_index(op.f("ix_wechat_evidence_openid"), "wechat_evidence", ["openid"])
    op.create_index(op.f("ix_wechat_evidence_order_id"), "wechat_evidence", ["order_id"])
    op.create_index(op.f("ix_wechat_evidence_ticket_id"), "wechat_evidence", ["ticket_id"])
    op.create_table(
        "wechat_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_outbox")),
    )
    op.create_index(
        "ix_wechat_outbox_status_next_attempt_at", "wechat_outbox", ["status", "next_attempt_at"]
    )
    op.create_index("ix_wechat_outbox_openid_status", "wechat_outbox", ["openid", "status"])
    op.create_table(
        "wechat_replay_marks",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_wechat_replay_marks")),
    )
    op.create_index(op.f("ix_wechat_replay_marks_seen_at"), "wechat_replay_marks", ["seen_at"])


def downgrade() -> None:
    op.drop_table("wechat_replay_marks")
    op.drop_table("wechat_outbox")
    op.drop_table("wechat_evidence")
    op.drop_table("wechat_users")
