"""Failed phone-tail checks per order number (verification lock-out across conversations).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Must mirror bot/db/models_security.py exactly (tests/integration/test_db_migrations.py compares
the metadata with the migrated schema). Constraint names come from the naming convention in
bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempts")),
        sa.UniqueConstraint("order_no", name=op.f("uq_verification_attempts_order_no")),
    )


def downgrade() -> None:
    op.drop_table("verification_attempts")
