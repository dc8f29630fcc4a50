"""Initial schema: catalogue, customers, orders, logistics, after-sales, service records.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Must mirror bot/db/models.py exactly (tests/integration/test_db_migrations.py compares them). Constraint
names come from the models' naming convention, which Alembic applies through target_metadata.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "普通",
                "银卡",
                "金卡",
                "钻石卡",
                name="membership_level",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(phone) = 11", name=op.f("ck_customers_phone_11_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("phone", name=op.f("uq_customers_phone")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "apparel",
                "shoes",
                "sports",
                "kitchen",
                "skincare",
                "electronics",
                name="category",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("product_type", sa.String(length=20), nullable=False),
        sa.Column("brand", sa.String(length=40), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("original_price_fen", sa.Integer(), nullable=False),
        sa.Column("material", sa.String(length=200), nullable=False),
        sa.Column("care_notes", sa.Text(), nullable=False),
        sa.Column("usage_notes", sa.Text(), nullable=False),
        sa.Column("selling_points", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(length=200), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("return_exempt", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
        sa.Column("sales_count", sa.Integer(), nullable=False),
        sa.Column("on_sale", sa.Boolean(), nullable=False),
        sa.CheckConstraint("price_fen > 0", name=op.f("ck_products_price_positive")),
        sa.CheckConstraint("warranty_months >= 0", name=op.f("ck_products_warranty_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    op.create_index(op.f("ix_products_category"), "products", ["category"], unique=False)
    op.create_index(op.f("ix_products_product_type"), "products", ["product_type"], unique=False)

    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_meta")),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("province", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_index(op.f("ix_addresses_customer_id"), "addresses", ["customer_id"], unique=False)

    op.create_table(
        "product_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=20), nullable=False),
        sa.Column("size", sa.String(length=20), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_product_variants_stock_non_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_variants_sku")),
    )
    op.create_index(
        op.f("ix_product_variants_product_id"), "product_variants", ["product_id"], unique=False
    )

    op.create_table(
        "size_chart_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=10), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("height_min_cm", sa.Integer(), nullable=True),
        sa.Column("height_max_cm", sa.Integer(), nullable=True),
        sa.Column("weight_min_kg", sa.Integer(), nullable=True),
        sa.Column("weight_max_kg", sa.Integer(), nullable=True),
        sa.Column("foot_length_min_mm", sa.Integer(), nullable=True),
        sa.Column("foot_length_max_mm", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_size_chart_rows_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_size_chart_rows")),
        sa.UniqueConstraint("product_id", "size", name="uq_size_chart_product_size"),
    )
    op.create_index(
        op.f("ix_size_chart_rows_product_id"), "size_chart_rows", ["product_id"], unique=False
    )

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=18), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "待付款",
                "待发货",
                "已发货",
                "运输中",
                "派送中",
                "已签收",
                "已取消",
                "售后中",
                "已完成",
                name="order_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("shipped_at", sa.DateTime(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=100), nullable=True),
        sa.Column(
            "payment_method",
            sa.Enum(
                "微信支付",
                "支付宝",
                "银行卡",
                "花呗",
                name="payment_method",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("goods_amount_fen", sa.Integer(), nullable=False),
        sa.Column("shipping_fee_fen", sa.Integer(), nullable=False),
        sa.Column("discount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_amount_fen", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("ship_recipient", sa.String(length=40), nullable=False),
        sa.Column("ship_phone", sa.String(length=11), nullable=False),
        sa.Column("ship_province", sa.String(length=20), nullable=False),
        sa.Column("ship_city", sa.String(length=20), nullable=False),
        sa.Column("ship_district", sa.String(length=20), nullable=False),
        sa.Column("ship_detail", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.String(length=200), nullable=False),
        sa.CheckConstraint("length(order_no) = 18", name=op.f("ck_orders_order_no_18_digits")),
        sa.CheckConstraint("paid_amount_fen >= 0", name=op.f("ck_orders_paid_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["addresses.id"],
            name=op.f("fk_orders_address_id_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("order_no", name=op.f("uq_orders_order_no")),
    )
    op.create_index(
        "ix_orders_customer_created", "orders", ["customer_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_orders_status"), "orders", ["status"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.String(length=100), nullable=False),
        sa.Column("spec", sa.String(length=60), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("unit_price_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_order_items_qty_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_order_items_variant_id_product_variants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    op.create_index(op.f("ix_order_items_order_id"), "order_items", ["order_id"], unique=False)
    op.create_index(op.f("ix_order_items_variant_id"), "order_items", ["variant_id"], unique=False)

    op.create_table(
        "service_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "logistics_inquiry",
                "urge_shipment",
                "address_change",
                "cancel",
                "after_sale",
                "product_question",
                "complaint",
                "handoff",
                "note",
                name="service_record_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_service_records_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_service_records_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_records")),
    )
    op.create_index(
        op.f("ix_service_records_customer_id"), "service_records", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_order_id"), "service_records", ["order_id"], unique=False
    )

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column(
            "carrier",
            sa.Enum(
                "顺丰",
                "圆通",
                "中通",
                "韵达",
                "极兔",
                "京东",
                name="carrier",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("tracking_no", sa.String(length=20), nullable=False),
        sa.Column("shipped_at", sa.DateTime(), nullable=False),
        sa.Column(
            "exception",
            sa.Enum(
                "地址不详",
                "无人签收",
                "包裹破损",
                "电话无法接通",
                "天气原因延误",
                name="delivery_exception",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("signed_by", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_shipments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("tracking_no", name=op.f("uq_shipments_tracking_no")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)

    op.create_table(
        "after_sale_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_no", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "return",
                "exchange",
                "refund",
                name="after_sale_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "quality",
                "wrong_item",
                "size",
                "no_reason",
                "not_received",
                "missing_item",
                "price_difference",
                name="after_sale_reason",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "待审核",
                "待寄回",
                "退款中",
                "已退款",
                "换货中",
                "已拒绝",
                "已完成",
                "已撤销",
                name="after_sale_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("refund_amount_fen", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("return_tracking_no", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "refund_amount_fen >= 0", name=op.f("ck_after_sale_tickets_refund_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_after_sale_tickets_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_after_sale_tickets_order_item_id_order_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_after_sale_tickets")),
        sa.UniqueConstraint("ticket_no", name=op.f("uq_after_sale_tickets_ticket_no")),
    )
    op.create_index(
        op.f("ix_after_sale_tickets_order_id"), "after_sale_tickets", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_after_sale_tickets_status"), "after_sale_tickets", ["status"], unique=False
    )

    op.create_table(
        "logistics_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "已揽收",
                "运输中",
                "派送中",
                "已签收",
                "异常",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("location", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_logistics_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_events")),
    )
    op.create_index(
        "ix_logistics_events_shipment_time",
        "logistics_events",
        ["shipment_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_logistics_events_shipment_time", table_name="logistics_events")

    op.drop_table("logistics_events")
    op.drop_index(op.f("ix_after_sale_tickets_status"), table_name="after_sale_tickets")
    op.drop_index(op.f("ix_after_sale_tickets_order_id"), table_name="after_sale_tickets")

    op.drop_table("after_sale_tickets")
    op.drop_index(op.f("ix_shipments_order_id"), table_name="shipments")

    op.drop_table("shipments")
    op.drop_index(op.f("ix_service_records_order_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_customer_id"), table_name="service_records")

    op.drop_table("service_records")
    op.drop_index(op.f("ix_order_items_variant_id"), table_name="order_items")
    op.drop_index(op.f("ix_order_items_order_id"), table_name="order_items")

    op.drop_table("order_items")
    op.drop_index(op.f("ix_orders_status"), table_name="orders")
    op.drop_index("ix_orders_customer_created", table_name="orders")

    op.drop_table("orders")
    op.drop_index(op.f("ix_size_chart_rows_product_id"), table_name="size_chart_rows")

    op.drop_table("size_chart_rows")
    op.drop_index(op.f("ix_product_variants_product_id"), table_name="product_variants")

    op.drop_table("product_variants")
    op.drop_index(op.f("ix_addresses_customer_id"), table_name="addresses")

    op.drop_table("addresses")
    op.drop_table("store_meta")
    op.drop_index(op.f("ix_products_product_type"), table_name="products")
    op.drop_index(op.f("ix_products_category"), table_name="products")

    op.drop_table("products")
    op.drop_table("customers")
