"""Finding the product a customer means, and recommending products (seed 000 售前客服).

Matching is done against the catalogue's own words: SKU, full name, brand + type word, type word,
brand. Several products can fit a generic word ("蓝牙耳机"); they are ranked by how much of the
customer's wording each name shares, then by whether they can be bought now, then by sales, so
the answer is about the likeliest one and the others can be offered as alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from bot.catalogue.index import TYPE_ALIASES
from bot.db.enums import Category, OrderStatus, ServiceRecordKind
from bot.db.models import Order, OrderItem, Product, ProductVariant, ServiceRecord
from bot.services.customers.identity import get_customer

SKU = re.compile(r"(?<![A-Za-z])([A-Za-z]{2}\d{3})(?!\d)")
# Orders that never became a purchase do not count as history.
NOT_BOUGHT = (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT)


def _contained_in(text: str, column: Any) -> ColumnElement[Any]:
    """SQL: the column's value occurs in the given text (case-insensitive).

    The column becomes a LIKE pattern, so a "%" or "_" in a catalogue word would act as a
    wildcard; the catalogue's names, brands and type words contain neither.
    """
    return func.lower(literal(text)).contains(func.lower(column))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _rank(products: Iterable[Product], hint: str) -> list[Product]:
    """Most of the customer's wording shared with the name first, then what can be bought now
    (on sale and in stock), then sales."""
    wanted = _bigrams(hint.lower())

    def key(p: Product) -> tuple[int, bool, int]:
        shared = len(wanted & _bigrams(f"{p.brand}{p.name}".lower()))
        return (-shared, not (p.on_sale and in_stock(p)), -(p.sales_count or 0))

    return sorted(products, key=key)


def _drop_shadowed_types(products: list[Product], text: str) -> list[Product]:
    """Keeps only the longest type words the text names: "篮球鞋" also contains "篮球"."""
    types = {p.product_type for p in products}
    longest = {t for t in types if not any(t != o and t in o and o in text for o in types)}
    return [p for p in products if p.product_type in longest]


def find_products(session: Session, text_or_entity: str, hint: str = "") -> list[Product]:
    """Catalogue products named by an SKU, full name, brand + type, type word or brand.

    ``hint`` (usually the whole message) only ranks the matches: "降噪蓝牙耳机" puts the
    noise-cancelling earphones before the sports ones.
    """
    text = (text_or_entity or "").strip()
    if not text:
        return []
    base = select(Product).options(selectinload(Product.variants))
    sku = SKU.search(text)
    if sku:
        found = session.execute(base.where(func.upper(Product.sku) == sku.group(1).upper()))
        product = found.scalars().first()
        if product is not None:
            return [product]
    hint = f"{text} {hint}"
    text = with_type_words(text)
    for condition in (
        _contained_in(text, Product.name),
        _contained_in(text, Product.brand) & _contained_in(text, Product.product_type),
        _contained_in(text, Product.product_type),
    ):
        matches = list(session.execute(base.where(condition)).scalars())
        if matches:
            return _rank(_drop_shadowed_types(matches, text), hint)
    by_brand = list(session.execute(base.where(_contained_in(text, Product.brand))).scalars())
    return _rank(by_brand, hint)


def with_type_words(text: str) -> str:
    """The text with the catalogue's type word after each colloquial alias of it ("耳机" →
    "耳机蓝牙耳机"), so the type-word match finds what the customer calls it."""
    for alias, product_type in TYPE_ALIASES.items():
        if alias in text and product_type not in text:
            text = text.replace(alias, alias + product_type)
    return text


def product_from_recent_order(session: Session, customer_id: int) -> Product | None:
    """The product of the first item of the customer's latest order (what "这个" usually means)."""
    order = session.execute(
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return product_of_order(order)


def product_of_order(order: Order | None) -> Product | None:
    if order is None or not order.items:
        return None
    return order.items[0].variant.product


def in_stock(product: Product) -> bool:
    return any(v.stock > 0 for v in product.variants)


def known_tags(session: Session) -> set[str]:
    tags = session.execute(select(Product.tags).where(Product.on_sale.is_(True))).scalars()
    return {t.strip() for row in tags for t in (row or "").split(",") if t.strip()}


def purchased_products(session: Session, customer_id: int) -> list[Product]:
    """What the customer has bought (paid orders), newest purchase first, without repeats."""
    rows = session.execute(
        select(Product, Order.created_at)
        .join(ProductVariant, ProductVariant.product_id == Product.id)
        .join(OrderItem, OrderItem.variant_id == ProductVariant.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.customer_id == customer_id, Order.status.not_in(NOT_BOUGHT))
        .order_by(Order.created_at.desc(), OrderItem.id)
    ).all()
    return list({row[0].id: row[0] for row in rows}.values())


def warranty_by_category(session: Session) -> dict[Category, int]:
    """The longest warranty (months) of the products on sale in each category."""
    rows = session.execute(
        select(Product.category, func.max(Product.warranty_months))
        .where(Product.on_sale.is_(True))
        .group_by(Product.category)
    ).all()
    return {Category(category): int(months or 0) for category, months in rows}


def record_product_question(
    session: Session, customer_id: int | None, text: str, now: datetime
) -> bool:
    """Notes a signed-in customer's product question for the desk's reports (seed 001 1.2).

    The same question twice on one day is noted once, so a repeated message does not inflate the
    report. Returns whether a record was written.
    """
    if customer_id is None or get_customer(session, customer_id) is None:
        return False
    start = datetime.combine(now.date(), time())
    duplicate = session.execute(
        select(ServiceRecord.id).where(
            ServiceRecord.customer_id == customer_id,
            ServiceRecord.kind == ServiceRecordKind.PRODUCT_QUESTION,
            ServiceRecord.text == text,
            ServiceRecord.created_at >= start,
            ServiceRecord.created_at < start + timedelta(days=1),
        )
    ).first()
    if duplicate is not None:
        return False
    session.add(
        ServiceRecord(
            customer_id=customer_id,
            kind=ServiceRecordKind.PRODUCT_QUESTION,
            text=text,
            operator="bot",
            created_at=now,
        )
    )
    session.flush()
    return True


# ---------------------------------------------------------------------------------------------
# Recommendations


@dataclass(frozen=True)
class RecommendQuery:
    category: Category | None = None
    product_type: str | None = None
    budget_max_yuan: int | None = None
    budget_min_yuan: int | None = None
    purpose_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    products: list[Product]
    # Constraints dropped to find anything, in the order they were dropped: "purpose",
    # "budget", "type". Empty when the products meet everything the customer asked for.
    widened: tuple[str, ...] = ()


def _tags(product: Product) -> set[str]:
    return {t for t in (product.tags or "").split(",") if t}


def _purpose_score(product: Product, purposes: Sequence[str]) -> int:
    tags = _tags(product)
    score = sum(1 for w in purposes if w in tags)
    if "男女同款" in tags:
        score += sum(1 for w in purposes if w in ("男款", "女款"))
    return score


def _wrong_gender(product: Product, purposes: Sequence[str]) -> bool:
    tags = _tags(product)
    return ("男款" in purposes and "女款" in tags) or ("女款" in purposes and "男款" in tags)


def _candidates(session: Session, query: RecommendQuery) -> list[Product]:
    stmt = select(Product).options(selectinload(Product.variants))
    stmt = stmt.where(Product.on_sale.is_(True))
    if query.category is not None:
        stmt = stmt.where(Product.category == query.category)
    if query.product_type:
        stmt = stmt.where(Product.product_type == query.product_type)
    if query.budget_max_yuan is not None:
        stmt = stmt.where(Product.price_fen <= query.budget_max_yuan * 100)
    if query.budget_min_yuan is not None:
        stmt = stmt.where(Product.price_fen >= query.budget_min_yuan * 100)
    found = [p for p in session.execute(stmt).scalars() if in_stock(p)]
    return [p for p in found if not _wrong_gender(p, query.purpose_words)]


def _best(
    products: list[Product], purposes: Sequence[str], bought: set[int], n: int, by_sales: bool
) -> list[Product]:
    def key(p: Product) -> tuple[int, bool, float, int]:
        quality = (-p.sales_count, -p.rating) if by_sales else (-p.rating, -p.sales_count)
        return (-_purpose_score(p, purposes), p.id in bought, *quality)

    return sorted(products, key=key)[:n]


def _budget_gap(low: int | None, high: int | None) -> Callable[[Product], int]:
    """How far (fen) a product's price is outside the customer's budget."""

    def gap(product: Product) -> int:
        price = int(product.price_fen)
        if high is not None and price > high * 100:
            return price - high * 100
        if low is not None and price < low * 100:
            return low * 100 - price
        return 0

    return gap


def recommend(
    session: Session,
    category: Category | None,
    budget_max_yuan: int | None,
    purpose_words: Sequence[str],
    customer_id: int | None,
    *,
    product_type: str | None = None,
    budget_min_yuan: int | None = None,
    by_sales: bool = False,
    limit: int = 3,
) -> Recommendation:
    """Up to ``limit`` in-stock products for the request, best rated and best selling first.

    When nothing meets every condition the search is widened step by step (purpose, then budget,
    then the product type within its category) and the result says which, so the reply can be
    honest about it. Products the customer already owns go after the others. ``by_sales`` ranks
    best sellers first (for "热销款有哪些") instead of best rated.
    """
    query = RecommendQuery(
        category, product_type, budget_max_yuan, budget_min_yuan, tuple(purpose_words)
    )
    bought = {p.id for p in purchased_products(session, customer_id)} if customer_id else set()
    widened: list[str] = []
    steps = (
        ("purpose", {"purpose_words": ()}),
        ("budget", {"budget_max_yuan": None, "budget_min_yuan": None}),
        ("type", {"product_type": None}),
    )
    for step, relax in (("", {}), *steps):
        if step:
            if all(getattr(query, k) in (None, ()) for k in relax):
                continue  # nothing to widen here
            query = replace(query, **relax)
            widened.append(step)
        candidates = _candidates(session, query)
        if not candidates:
            continue
        purposes = list(purpose_words) if "purpose" not in widened else []
        if purposes:
            candidates = [p for p in candidates if _purpose_score(p, purposes)]
            if not candidates:
                continue
        if "budget" in widened:
            # Outside the budget: the closest to what the customer wanted to spend comes first.
            gap = _budget_gap(budget_min_yuan, budget_max_yuan)
            chosen = sorted(candidates, key=lambda p: (gap(p), p.price_fen))[:limit]
        else:
            chosen = _best(candidates, purposes, bought, limit, by_sales)
        return Recommendation(chosen, tuple(widened))
    return Recommendation([], tuple(widened))
