"""The deterministic demo store: determinism, idempotence, coverage and consistency."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.catalogue.index import CATEGORY_TYPE_WORDS, brand_names, product_type_words, products
from bot.db.enums import (
    CARRIER_PREFIXES,
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    OPEN_AFTER_SALE_STATUSES,
    AfterSaleStatus,
    Category,
    EventKind,
    OrderStatus,
)
from bot.db.models import AfterSaleTicket, Customer, Order, Product, Shipment
from bot.db.session import session_scope
from bot.demo.seed import DEMO_REFERENCE_TIME, SeedError, SeedReport, build_store, seed

REF = DEMO_REFERENCE_TIME
ORDER_NO = re.compile(r"^[2-9]\d{17}$")
PHONE = re.compile(r"^1[3-9]\d{9}$")
TRACKING = re.compile(r"^(SF|YT|ZT|YD|JT|JDX)\d{12}$")


def _order_numbers(url: str) -> list[str]:
    with session_scope(url) as session:
        return list(session.execute(select(Order.order_no).order_by(Order.id)).scalars())


def test_seed_is_deterministic(db_url: str, seeded_db: tuple[str, SeedReport]) -> None:
    url, report = seeded_db
    fresh = seed(db_url)
    assert fresh.created
    assert fresh.table_counts == report.table_counts
    assert fresh.status_counts == report.status_counts
    assert _order_numbers(db_url) == _order_numbers(url)
    # The in-memory build is pure as well: same rows every time.
    assert build_store()["logistics_events"][-5:] == build_store()["logistics_events"][-5:]


def test_seed_is_idempotent(db_url: str) -> None:
    first = seed(db_url)
    numbers = _order_numbers(db_url)
    again = seed(db_url)
    assert not again.created
    assert again.table_counts == first.table_counts
    assert _order_numbers(db_url) == numbers


def test_reset_restores_the_store(db_url: str) -> None:
    first = seed(db_url)
    with session_scope(db_url) as session:
        session.execute(update(Order).values(notes="改过"))
    seed(db_url, reset=True)
    with session_scope(db_url) as session:
        assert session.execute(select(func.count()).where(Order.notes == "改过")).scalar() == 0
    assert seed(db_url).table_counts == first.table_counts


def test_refuses_to_mix_with_foreign_data(db_url: str) -> None:
    from bot.db.migrate import upgrade

    upgrade(db_url)
    with session_scope(db_url) as session:
        session.add(Customer(name="外人", phone="13000000000", level="普通"))
    with pytest.raises(SeedError):
        seed(db_url)


def test_sizes_and_every_state(seeded_db: tuple[str, SeedReport]) -> None:
    _, report = seeded_db
    counts = report.table_counts
    assert counts["products"] >= 60
    assert counts["customers"] >= 200
    assert counts["orders"] >= 1500
    assert set(report.status_counts) == {s.value for s in OrderStatus}
    assert all(count >= 20 for count in report.status_counts.values()), report.status_counts


def test_formats(seeded_session: Session) -> None:
    order_nos = seeded_session.execute(select(Order.order_no)).scalars().all()
    assert all(ORDER_NO.match(n) for n in order_nos)
    assert len(set(order_nos)) == len(order_nos)
    phones = seeded_session.execute(select(Customer.phone)).scalars().all()
    assert all(PHONE.match(p) for p in phones) and len(set(phones)) == len(phones)
    for carrier, tracking_no in seeded_session.execute(
        select(Shipment.carrier, Shipment.tracking_no)
    ):
        assert TRACKING.match(tracking_no)
        assert tracking_no.startswith(CARRIER_PREFIXES[carrier])
        assert tracking_no[len(CARRIER_PREFIXES[carrier]) :].isdigit()
    for ticket_no, returned in seeded_session.execute(
        select(AfterSaleTicket.ticket_no, AfterSaleTicket.return_tracking_no)
    ):
        assert re.match(r"^AS\d{14}$", ticket_no)
        assert returned is None or TRACKING.match(returned)


@pytest.fixture(scope="module")
def all_orders(seeded_url: str) -> list[Order]:
    """Every order with items, shipments, events and tickets loaded (detached, read-only)."""
    query = select(Order).options(
        selectinload(Order.items),
        selectinload(Order.shipments).selectinload(Shipment.events),
        selectinload(Order.tickets),
    )
    with session_scope(seeded_url) as session:
        return list(session.execute(query).scalars())


def test_timeline_and_amounts(all_orders: list[Order]) -> None:
    for order in all_orders:
        assert order.created_at <= REF
        stamps = [order.created_at, order.paid_at, order.shipped_at, order.signed_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present), order.order_no
        assert all(s <= REF for s in present)
        assert order.goods_amount_fen == sum(i.qty * i.unit_price_fen for i in order.items)
        assert order.paid_amount_fen == (
            order.goods_amount_fen + order.shipping_fee_fen - order.discount_fen
        )
        assert (order.payment_method is None) == (order.paid_at is None)
        if order.status == OrderStatus.PENDING_PAYMENT:
            assert order.paid_at is None
        if order.status == OrderStatus.CANCELLED:
            assert order.cancelled_at is not None and order.cancel_reason
        if order.status == OrderStatus.COMPLETED:
            assert order.completed_at is not None and order.completed_at >= order.signed_at


def test_shipments_and_events_match_the_state(all_orders: list[Order]) -> None:
    unshipped = {OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_SHIPMENT, OrderStatus.CANCELLED}
    for order in all_orders:
        if order.status in unshipped:
            assert order.shipments == [] and order.shipped_at is None, order.order_no
            continue
        assert len(order.shipments) == 1, order.order_no
        shipment = order.shipments[0]
        events = shipment.events
        kinds = [e.kind for e in events]
        times = [e.occurred_at for e in events]
        assert times == sorted(times) and times[-1] <= REF
        assert shipment.shipped_at <= times[0]
        assert kinds[0] == EventKind.PICKED_UP
        assert all(e.description.startswith(f"【{e.location}】") for e in events)
        if order.status in DELIVERED_STATUSES:
            assert kinds[-1] == EventKind.SIGNED and "已签收" in events[-1].description
            assert order.signed_at == times[-1] and shipment.signed_by
            assert shipment.exception is None
        else:
            assert EventKind.SIGNED not in kinds and order.signed_at is None
            assert order.status in IN_FLIGHT_STATUSES
        if order.status == OrderStatus.SHIPPED:
            assert kinds == [EventKind.PICKED_UP]
        if order.status == OrderStatus.OUT_FOR_DELIVERY:
            assert EventKind.OUT_FOR_DELIVERY in kinds
        if shipment.exception is not None:
            assert kinds[-1] == EventKind.EXCEPTION
            assert shipment.exception.value in events[-1].description


def _last_event_age(order: Order) -> timedelta:
    return REF - order.shipments[0].events[-1].occurred_at


def test_stuck_parcels_exceptions_and_return_windows(all_orders: list[Order]) -> None:
    orders = all_orders
    in_flight = [o for o in orders if o.status in IN_FLIGHT_STATUSES]
    stuck = [o for o in in_flight if _last_event_age(o) >= timedelta(days=3)]
    assert len(stuck) >= 20
    assert all(_last_event_age(o) <= timedelta(days=6) for o in stuck)
    moving = [o for o in in_flight if o not in stuck]
    # Nothing in between: a parcel is either clearly moving or clearly stuck.
    assert all(_last_event_age(o) < timedelta(hours=48) for o in moving)
    assert sum(1 for o in in_flight if o.shipments[0].exception is not None) >= 10
    delivered = [o for o in orders if o.status in DELIVERED_STATUSES]
    assert any(REF - o.signed_at <= timedelta(days=7) for o in delivered)
    assert any(REF - o.signed_at > timedelta(days=60) for o in delivered)


def test_after_sale_tickets(all_orders: list[Order]) -> None:
    orders = all_orders
    after_sale_states: Counter[str] = Counter()
    closed_states: Counter[str] = Counter()
    for order in orders:
        if order.status == OrderStatus.AFTER_SALE:
            assert any(t.status in OPEN_AFTER_SALE_STATUSES for t in order.tickets)
            after_sale_states.update(t.status.value for t in order.tickets)
        elif order.tickets:
            assert order.status == OrderStatus.COMPLETED
            assert all(t.status not in OPEN_AFTER_SALE_STATUSES for t in order.tickets)
            closed_states.update(t.status.value for t in order.tickets)
        for ticket in order.tickets:
            assert order.signed_at <= ticket.created_at <= ticket.updated_at <= REF
            assert 0 <= ticket.refund_amount_fen <= order.paid_amount_fen
    assert len(after_sale_states) >= 3
    assert {AfterSaleStatus.REFUNDED.value, AfterSaleStatus.REJECTED.value} <= set(closed_states)


def test_demo_customers_tell_every_story(seeded_session: Session, all_orders: list[Order]) -> None:
    demo = seeded_session.execute(select(Customer).order_by(Customer.id).limit(4)).scalars()
    orders = all_orders
    for customer in demo:
        mine = [o for o in orders if o.customer_id == customer.id]
        assert len({o.status for o in mine}) >= 6, customer.name
        flying = [o for o in mine if o.status in IN_FLIGHT_STATUSES]
        assert any(_last_event_age(o) >= timedelta(days=3) for o in flying), customer.name
        assert any(o.shipments[0].exception is not None for o in flying), customer.name


def test_catalogue_covers_every_type_word() -> None:
    words = product_type_words()
    for category, required in CATEGORY_TYPE_WORDS.items():
        for word in required:
            assert word in words
            assert any(
                p.product_type == word and p.category == category and word in p.name
                for p in products()
            ), word
    assert len(brand_names()) >= 10 and all(brand_names())
    assert len({p.sku for p in products()}) == len(products()) >= 60
    assert {p.category for p in products()} == set(Category)


def test_seeded_catalogue_details(seeded_session: Session) -> None:
    catalogue = seeded_session.execute(
        select(Product).options(selectinload(Product.variants), selectinload(Product.size_chart))
    ).scalars()
    stocks = []
    for product in catalogue:
        assert product.product_type in product.name and product.material and product.care_notes
        sizes = [row.size for row in product.size_chart]
        if product.category == Category.APPAREL:
            assert sizes == ["S", "M", "L", "XL", "XXL"]
            assert all(row.height_min_cm and row.weight_max_kg for row in product.size_chart)
        elif product.category == Category.SHOES:
            assert set(sizes) <= {str(n) for n in range(36, 46)} and len(sizes) >= 5
            assert all(row.foot_length_min_mm for row in product.size_chart)
        else:
            assert sizes == []
        expected_warranty = {Category.ELECTRONICS: 12, Category.KITCHEN: 24}
        assert product.warranty_months == expected_warranty.get(product.category, 0)
        stocks += [v.stock for v in product.variants]
    assert 0 in stocks and max(stocks) > 0
    exempt = seeded_session.execute(select(func.count()).where(Product.return_exempt)).scalar()
    assert exempt and exempt >= 2
