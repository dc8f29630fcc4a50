"""Complaints and suggestions as service records: suggestion kind, category, reference number.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Must mirror ServiceRecord in bot/db/models.py exactly (tests/integration/test_db_migrations.py
compares the metadata with the migrated schema). Constraint names come from the naming
convention in bot/db/base.py. Batch mode, because SQLite rebuilds the table to change a CHECK.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_OLD_KINDS = (
    "logistics_inquiry",
    "urge_shipment",
    "address_change",
    "cancel",
    "after_sale",
    "product_question",
    "complaint",
    "handoff",
    "note",
)
_NEW_KINDS = (*_OLD_KINDS[:7], "suggestion", *_OLD_KINDS[7:])
_CATEGORIES = ("物流", "质量", "服务", "价格", "其他")


def _kind_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="service_record_kind", native_enum=False, create_constraint=True, length=20
    )


def upgrade() -> None:
    with op.batch_alter_table("service_records") as batch:
        batch.alter_column(
            "kind",
            existing_type=_kind_type(_OLD_KINDS),
            type_=_kind_type(_NEW_KINDS),
            existing_nullable=False,
        )
        batch.add_column(sa.Column("sender_id", sa.String(length=255), nullable=True))
        # A plain column plus a named CHECK: an Enum added in batch mode gets its CHECK twice.
        batch.add_column(sa.Column("category", sa.String(length=20), nullable=True))
        categories = ", ".join(f"'{c}'" for c in _CATEGORIES)
        batch.create_check_constraint("complaint_category", f"category IN ({categories})")
        batch.add_column(sa.Column("reference_no", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch.create_unique_constraint(
            batch.f("uq_service_records_reference_no"), ["reference_no"]
        )
        batch.create_index(batch.f("ix_service_records_sender_id"), ["sender_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM service_records WHERE kind = 'suggestion'")
    with op.batch_alter_table("service_records") as batch:
        batch.drop_index(batch.f("ix_service_records_sender_id"))
        batch.drop_constraint(batch.f("uq_service_records_reference_no"), type_="unique")
        batch.drop_constraint(batch.f("ck_service_records_complaint_category"), type_="check")
        batch.drop_column("due_at")
        batch.drop_column("reference_no")
        batch.drop_column("category")
        batch.drop_column("sender_id")
        batch.alter_column(
            "kind",
            existing_type=_kind_type(_NEW_KINDS),
            type_=_kind_type(_OLD_KINDS),
            existing_nullable=False,
        )
