"""Back office of the handbook: after-sale ticket events, follow-ups, customer notices, surveys.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Must mirror bot/db/models_followup.py exactly (tests/integration/test_db_migrations.py compares
the metadata with the migrated schema). Constraint names come from the naming convention in
bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "customer_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.String(length=255), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ask_rating", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_via", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "kind IN ('review', 'after_sale', 'follow_up', 'logistics', 'shipment')",
            name=op.f("ck_customer_notices_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered')", name=op.f("ck_customer_notices_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_notices_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["after_sale_tickets.id"],
            name=op.f("fk_customer_notices_ticket_id_after_sale_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notices")),
    )
    op.create_index(
        op.f("ix_customer_notices_customer_id"), "customer_notices", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_customer_notices_pending", "customer_notices", ["status", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_customer_notices_sender_id"), "customer_notices", ["sender_id"], unique=False
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.String(length=255), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("handoff_case_id", sa.Integer(), nullable=True),
        sa.Column("promise", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('logistics', 'shipment', 'callback', 'ticket_review', 'low_rating')",
            name=op.f("ck_follow_ups_kind_valid"),
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_follow_ups_status_valid")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_follow_ups_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["handoff_case_id"],
            ["handoff_cases.id"],
            name=op.f("fk_follow_ups_handoff_case_id_handoff_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_follow_ups_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["after_sale_tickets.id"],
            name=op.f("fk_follow_ups_ticket_id_after_sale_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_customer_id"), "follow_ups", ["customer_id"], unique=False)
    op.create_index("ix_follow_ups_due", "follow_ups", ["status", "due_at"], unique=False)
    op.create_index(op.f("ix_follow_ups_order_id"), "follow_ups", ["order_id"], unique=False)
    op.create_index(op.f("ix_follow_ups_ticket_id"), "follow_ups", ["ticket_id"], unique=False)
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=300), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "subject IN ('conversation', 'after_sale')",
            name=op.f("ck_satisfaction_surveys_subject_valid"),
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
            name=op.f("ck_satisfaction_surveys_rating_1_to_5"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_satisfaction_surveys_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["after_sale_tickets.id"],
            name=op.f("fk_satisfaction_surveys_ticket_id_after_sale_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
    )
    op.create_index(
        op.f("ix_satisfaction_surveys_customer_id"),
        "satisfaction_surveys",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_satisfaction_surveys_sender_id"),
        "satisfaction_surveys",
        ["sender_id"],
        unique=False,
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('approved', 'rejected', 'return_shipped', 'return_received', 'refunded', "
            "'reshipped')",
            name=op.f("ck_ticket_events_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["after_sale_tickets.id"],
            name=op.f("fk_ticket_events_ticket_id_after_sale_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(
        op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index(op.f("ix_satisfaction_surveys_sender_id"), table_name="satisfaction_surveys")
    op.drop_index(op.f("ix_satisfaction_surveys_customer_id"), table_name="satisfaction_surveys")
    op.drop_table("satisfaction_surveys")
    op.drop_index(op.f("ix_follow_ups_ticket_id"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_order_id"), table_name="follow_ups")
    op.drop_index("ix_follow_ups_due", table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_customer_id"), table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_index(op.f("ix_customer_notices_sender_id"), table_name="customer_notices")
    op.drop_index("ix_customer_notices_pending", table_name="customer_notices")
    op.drop_index(op.f("ix_customer_notices_customer_id"), table_name="customer_notices")
    op.drop_table("customer_notices")
