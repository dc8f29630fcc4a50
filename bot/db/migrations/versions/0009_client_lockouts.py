"""Lock-outs per client: phone-tail checks per address, console sign-ins per username+address.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Must mirror ``ClientLockout`` and ``LoginFailure`` in bot/db/models_security.py exactly
(tests/integration/test_db_migrations.py compares the metadata with the migrated schema).
Constraint names come from the naming convention in bot/db/base.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "client_lockouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_lockouts")),
        sa.UniqueConstraint("client_key", name=op.f("uq_client_lockouts_client_key")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
        sa.UniqueConstraint("subject", name=op.f("uq_login_failures_subject")),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("client_lockouts")
