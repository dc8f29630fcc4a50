"""Related products from a customer's purchase history (seed 001 4.2: 根据购买记录推荐).

Which types go together is a small curated mapping (跑鞋 → 运动水壶/护膝); which product of each
type to suggest is decided by what other customers who bought the same type actually bought,
so "买过X的顾客还常买…" is backed by the shop's own orders, with sales as the tie-breaker.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Order, OrderItem, Product, ProductVariant
from bot.services.products.lookup import NOT_BOUGHT, in_stock, purchased_products
from bot.services.products.vocab import COMPLEMENTARY_TYPES


@dataclass(frozen=True)
class Related:
    bought: Product
    products: list[Product]


def _co_purchase_counts(session: Session, product_type: str) -> dict[int, int]:
    """Product id → how many customers who bought ``product_type`` also bought it."""
    buyers = (
        select(Order.customer_id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .join(ProductVariant, ProductVariant.id == OrderItem.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(Product.product_type == product_type, Order.status.not_in(NOT_BOUGHT))
    )
    rows = session.execute(
        select(ProductVariant.product_id, func.count(func.distinct(Order.customer_id)))
        .join(OrderItem, OrderItem.variant_id == ProductVariant.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.customer_id.in_(buyers), Order.status.not_in(NOT_BOUGHT))
        .group_by(ProductVariant.product_id)
    ).all()
    return {product_id: count for product_id, count in rows}


def complements_for(
    session: Session, product: Product, exclude: Collection[int] = (), limit: int = 3
) -> list[Product]:
    """The best in-stock product of each type that goes with ``product``."""
    types = COMPLEMENTARY_TYPES.get(str(product.product_type), ())
    if not types:
        return []
    counts = _co_purchase_counts(session, str(product.product_type))
    candidates = session.execute(
        select(Product)
        .options(selectinload(Product.variants))
        .where(Product.product_type.in_(types), Product.on_sale.is_(True))
    ).scalars()
    best: dict[str, Product] = {}
    for candidate in candidates:
        if candidate.id in exclude or not in_stock(candidate):
            continue
        current = best.get(candidate.product_type)
        key = (counts.get(candidate.id, 0), candidate.sales_count)
        if current is None or key > (counts.get(current.id, 0), current.sales_count):
            best[candidate.product_type] = candidate
    # Keep the curated order of the types: the first is the most natural companion.
    return [best[t] for t in types if t in best][:limit]


def related_for_customer(
    session: Session, customer_id: int, exclude: Collection[int] = (), limit: int = 3
) -> Related | None:
    """Suggestions that go with the customer's most recent purchase that has companions.

    Products the customer already owns, and those in ``exclude`` (already suggested in the same
    reply), are never suggested.
    """
    history = purchased_products(session, customer_id)
    owned = {p.id for p in history} | set(exclude)
    for product in history:
        suggestions = complements_for(session, product, owned, limit)
        if suggestions:
            return Related(product, suggestions)
    return None
