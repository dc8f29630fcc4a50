"""SQLAlchemy 1.4 declarative models of the shop.

Conventions (see :mod:`bot.timeutil` and :mod:`bot.db.enums`):

* money is an integer number of fen (分): exact, and free of SQLite's Decimal warning;
* every ``DateTime`` is a naive Beijing time;
* enums are stored by *value* in a VARCHAR with a CHECK constraint rather than a native
  PostgreSQL enum type, so adding a state later is a plain constraint change in a migration and
  SQLite enforces the same vocabulary.

The initial Alembic revision mirrors this module exactly; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

# Base and metadata are re-exported (the `as` form): callers import the schema from here.
from bot.db.base import Base as Base
from bot.db.base import enum_type
from bot.db.base import metadata as metadata
from bot.db.enums import (
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    Carrier,
    Category,
    ComplaintCategory,
    DeliveryException,
    EventKind,
    MembershipLevel,
    OrderStatus,
    PaymentMethod,
    ServiceRecordKind,
)
from bot.timeutil import beijing_now


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, unique=True)
    name = Column(String(100), nullable=False)
    category = Column(enum_type(Category, "category"), nullable=False, index=True)
    # The type word the NLU extracts (羽绒服, 跑鞋 …); always a substring of ``name``.
    product_type = Column(String(20), nullable=False, index=True)
    brand = Column(String(40), nullable=False)
    price_fen = Column(Integer, nullable=False)
    # 划线价: lets the bot explain a discount or a price-difference claim.
    original_price_fen = Column(Integer, nullable=False)
    material = Column(String(200), nullable=False, default="")
    care_notes = Column(Text, nullable=False, default="")
    usage_notes = Column(Text, nullable=False, default="")
    selling_points = Column(Text, nullable=False, default="")
    # Comma-separated scene/season/audience tags used by recommendations (通勤,冬季,男款 …).
    tags = Column(String(200), nullable=False, default="")
    warranty_months = Column(Integer, nullable=False, default=0)
    # Custom-made items are exempt from 7-day no-reason returns. Opened skincare is exempt too,
    # but that rule follows from the category, so it is not a flag.
    return_exempt = Column(Boolean, nullable=False, default=False)
    rating = Column(Float, nullable=False, default=5.0)
    sales_count = Column(Integer, nullable=False, default=0)
    on_sale = Column(Boolean, nullable=False, default=True)

    __table_args__ = (
        CheckConstraint("price_fen > 0", name="price_positive"),
        CheckConstraint("warranty_months >= 0", name="warranty_non_negative"),
    )

    variants = relationship(
        "ProductVariant", back_populates="product", cascade="all, delete-orphan"
    )
    size_chart = relationship(
        "SizeChartRow",
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="SizeChartRow.sort_order",
    )

    @property
    def display_name(self) -> str:
        return f"{self.brand} {self.name}"


class ProductVariant(Base):
    __tablename__ = "product_variants"

    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    sku = Column(String(40), nullable=False, unique=True)
    colour = Column(String(20), nullable=False)
    # Clothing/shoe size, or the specification of other goods (5L, 50ml, 7号); NULL when the
    # product comes in one size only.
    size = Column(String(20), nullable=True)
    stock = Column(Integer, nullable=False, default=0)

    __table_args__ = (CheckConstraint("stock >= 0", name="stock_non_negative"),)

    product = relationship("Product", back_populates="variants")

    @property
    def spec(self) -> str:
        return f"{self.colour} {self.size}" if self.size else str(self.colour)


class SizeChartRow(Base):
    """One size of a product's size chart: apparel by height/weight, shoes by foot length."""

    __tablename__ = "size_chart_rows"

    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    size = Column(String(10), nullable=False)
    sort_order = Column(Integer, nullable=False, default=0)
    # Inclusive ranges; NULL where the dimension does not apply to the product.
    height_min_cm = Column(Integer, nullable=True)
    height_max_cm = Column(Integer, nullable=True)
    weight_min_kg = Column(Integer, nullable=True)
    weight_max_kg = Column(Integer, nullable=True)
    foot_length_min_mm = Column(Integer, nullable=True)
    foot_length_max_mm = Column(Integer, nullable=True)

    __table_args__ = (UniqueConstraint("product_id", "size", name="uq_size_chart_product_size"),)

    product = relationship("Product", back_populates="size_chart")


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)
    phone = Column(String(11), nullable=False, unique=True)
    level = Column(enum_type(MembershipLevel, "membership_level"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=beijing_now)

    __table_args__ = (CheckConstraint("length(phone) = 11", name="phone_11_digits"),)

    addresses = relationship(
        "Address", back_populates="customer", cascade="all, delete-orphan", order_by="Address.id"
    )
    orders = relationship("Order", back_populates="customer", order_by="Order.created_at")


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    recipient = Column(String(40), nullable=False)
    phone = Column(String(11), nullable=False)
    province = Column(String(20), nullable=False)
    city = Column(String(20), nullable=False)
    district = Column(String(20), nullable=False)
    detail = Column(String(200), nullable=False)
    is_default = Column(Boolean, nullable=False, default=False)

    customer = relationship("Customer", back_populates="addresses")

    @property
    def full_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    # 18 digits, never starting with 1 so it cannot be mistaken for an 11-digit mobile number.
    order_no = Column(String(18), nullable=False, unique=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False)
    status = Column(enum_type(OrderStatus, "order_status"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=beijing_now)
    paid_at = Column(DateTime, nullable=True)
    shipped_at = Column(DateTime, nullable=True)
    signed_at = Column(DateTime, nullable=True)
    completed_at = Column(DateTime, nullable=True)
    cancelled_at = Column(DateTime, nullable=True)
    cancel_reason = Column(String(100), nullable=True)
    # NULL while unpaid: the method is only known once the customer has paid.
    payment_method = Column(enum_type(PaymentMethod, "payment_method"), nullable=True)
    goods_amount_fen = Column(Integer, nullable=False)
    shipping_fee_fen = Column(Integer, nullable=False, default=0)
    discount_fen = Column(Integer, nullable=False, default=0)
    paid_amount_fen = Column(Integer, nullable=False)
    # Snapshot of the delivery address: editing the address book must not move an order, and an
    # address change on an order (before shipment) must not edit the address book.
    address_id = Column(ForeignKey("addresses.id", ondelete="SET NULL"), nullable=True)
    ship_recipient = Column(String(40), nullable=False)
    ship_phone = Column(String(11), nullable=False)
    ship_province = Column(String(20), nullable=False)
    ship_city = Column(String(20), nullable=False)
    ship_district = Column(String(20), nullable=False)
    ship_detail = Column(String(200), nullable=False)
    # 买家留言 left at checkout.
    notes = Column(String(200), nullable=False, default="")

    __table_args__ = (
        CheckConstraint("length(order_no) = 18", name="order_no_18_digits"),
        CheckConstraint("paid_amount_fen >= 0", name="paid_amount_non_negative"),
        Index("ix_orders_customer_created", "customer_id", "created_at"),
    )

    customer = relationship("Customer", back_populates="orders")
    items = relationship(
        "OrderItem", back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    shipments = relationship(
        "Shipment", back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )
    tickets = relationship(
        "AfterSaleTicket", back_populates="order", order_by="AfterSaleTicket.created_at"
    )
    service_records = relationship(
        "ServiceRecord", back_populates="order", order_by="ServiceRecord.created_at"
    )

    @property
    def ship_address_text(self) -> str:
        return f"{self.ship_province}{self.ship_city}{self.ship_district}{self.ship_detail}"


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    variant_id = Column(ForeignKey("product_variants.id"), nullable=False, index=True)
    # Snapshots, so an order reads the same after the catalogue is edited.
    product_name = Column(String(100), nullable=False)
    spec = Column(String(60), nullable=False, default="")
    qty = Column(Integer, nullable=False)
    unit_price_fen = Column(Integer, nullable=False)

    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    order = relationship("Order", back_populates="items")
    variant = relationship("ProductVariant")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    carrier = Column(enum_type(Carrier, "carrier"), nullable=False)
    # Carrier prefix (SF/YT/ZT/YD/JT/JDX) + 12 digits.
    tracking_no = Column(String(20), nullable=False, unique=True)
    shipped_at = Column(DateTime, nullable=False)
    # Set while a delivery problem is open; the matching 异常 event explains it.
    exception = Column(enum_type(DeliveryException, "delivery_exception"), nullable=True)
    signed_by = Column(String(20), nullable=True)

    order = relationship("Order", back_populates="shipments")
    events = relationship(
        "LogisticsEvent",
        back_populates="shipment",
        cascade="all, delete-orphan",
        order_by="LogisticsEvent.occurred_at",
    )


class LogisticsEvent(Base):
    __tablename__ = "logistics_events"

    id = Column(Integer, primary_key=True)
    shipment_id = Column(ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False)
    occurred_at = Column(DateTime, nullable=False)
    kind = Column(enum_type(EventKind, "event_kind"), nullable=False)
    location = Column(String(60), nullable=False)
    # As the carrier shows it, e.g. "【杭州转运中心】已发出,下一站【上海转运中心】".
    description = Column(String(200), nullable=False)

    __table_args__ = (Index("ix_logistics_events_shipment_time", "shipment_id", "occurred_at"),)

    shipment = relationship("Shipment", back_populates="events")


class AfterSaleTicket(Base):
    __tablename__ = "after_sale_tickets"

    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(20), nullable=False, unique=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    # NULL when the ticket concerns the whole order (e.g. not received).
    order_item_id = Column(ForeignKey("order_items.id"), nullable=True)
    type = Column(enum_type(AfterSaleType, "after_sale_type"), nullable=False)
    reason = Column(enum_type(AfterSaleReason, "after_sale_reason"), nullable=False)
    status = Column(enum_type(AfterSaleStatus, "after_sale_status"), nullable=False, index=True)
    refund_amount_fen = Column(Integer, nullable=False, default=0)
    description = Column(String(300), nullable=False, default="")
    # Tracking number of the parcel the customer sends back (returns and exchanges).
    return_tracking_no = Column(String(20), nullable=True)
    created_at = Column(DateTime, nullable=False, default=beijing_now)
    updated_at = Column(DateTime, nullable=False, default=beijing_now, onupdate=beijing_now)

    __table_args__ = (CheckConstraint("refund_amount_fen >= 0", name="refund_non_negative"),)

    order = relationship("Order", back_populates="tickets")
    item = relationship("OrderItem")


class ServiceRecord(Base):
    """Something the service desk recorded: an inquiry, an urge, an address change, a handoff,
    a complaint or a suggestion (the last two with a reference number the customer is given)."""

    __tablename__ = "service_records"

    id = Column(Integer, primary_key=True)
    # Either may be NULL: a pre-sale question has no order, an anonymous chat has no customer.
    order_id = Column(ForeignKey("orders.id"), nullable=True, index=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    kind = Column(enum_type(ServiceRecordKind, "service_record_kind"), nullable=False)
    text = Column(Text, nullable=False)
    # Who wrote it: "bot" for the assistant, otherwise the agent's name.
    operator = Column(String(40), nullable=False, default="bot")
    created_at = Column(DateTime, nullable=False, default=beijing_now)
    # The Rasa conversation it came from: keeps one complaint per conversation and day.
    sender_id = Column(String(255), nullable=True, index=True)
    # Complaints only (bot.services.records.classify).
    category = Column(enum_type(ComplaintCategory, "complaint_category"), nullable=True)
    # Complaints and suggestions: "TS20261201-0007" / "JY20261201-0003", quoted by the customer.
    reference_no = Column(String(20), nullable=True, unique=True)
    # When the customer was promised an answer (complaints).
    due_at = Column(DateTime, nullable=True)

    order = relationship("Order", back_populates="service_records")
    customer = relationship("Customer")


class StoreMeta(Base):
    """Key/value facts about the store itself (seed version, demo reference time)."""

    __tablename__ = "store_meta"

    key = Column(String(40), primary_key=True)
    value = Column(String(200), nullable=False)


# Keys of store_meta rows. The demo seed writes both; a real shop's database has neither, so the
# store clock falls back to the wall clock (bot.services.clock).
META_SEED_VERSION = "seed_version"
META_REFERENCE_TIME = "reference_time"
