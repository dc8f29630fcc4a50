"""Returns, exchanges and refunds against a real seeded store (a private copy per test)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.enums import (
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    Category,
    OrderStatus,
    ServiceRecordKind,
)
from bot.db.models import AfterSaleTicket, Order, OrderItem, Product, ProductVariant, ServiceRecord
from bot.db.session import session_scope
from bot.policy.refunds import arrival_text
from bot.policy.refusals import RefusalCode
from bot.policy.returns import FreightPayer, Kind, Refusal
from bot.services.aftersales.exchange_spec import (
    SpecOutcome,
    VariantOption,
    choose_exchange_spec,
)
from bot.services.aftersales.refund_replies import refund_reply, refund_status_reply
from bot.services.aftersales.refunds import RefundOutcome, request_refund
from bot.services.aftersales.replies import FREIGHT_TEXT, after_sale_reply, spec_reply
from bot.services.aftersales.returns import RETURN_ADDRESS, items_named, submit_after_sale
from bot.services.aftersales.tickets import review_refusal, tickets_of
from bot.services.aftersales.words import (
    classify_refund_reason,
    classify_return_reason,
    opened_in,
    photo_answer,
)
from bot.services.clock import store_now

R = AfterSaleReason


@pytest.fixture
def session(store_url: str) -> Iterator[Session]:
    with session_scope(store_url) as s:
        yield s


def find_order(
    session: Session,
    *,
    statuses: frozenset[OrderStatus] = frozenset({OrderStatus.SIGNED, OrderStatus.COMPLETED}),
    signed_days: tuple[float, float] | None = None,
    category: Category | None = None,
    exempt: bool = False,
    warranty: bool | None = None,
    items: int = 1,
) -> Order:
    """A seeded order matching the story, without tickets, so the test starts clean."""
    now = store_now(session)
    query = (
        select(Order)
        .join(OrderItem)
        .join(ProductVariant)
        .join(Product)
        .where(Order.status.in_(list(statuses)), ~Order.tickets.any())
        .where(Product.return_exempt == exempt)
        .order_by(Order.id)
    )
    if signed_days is not None:
        low, high = signed_days
        query = query.where(
            Order.signed_at <= now - timedelta(days=low),
            Order.signed_at >= now - timedelta(days=high),
        )
    if category is not None:
        query = query.where(Product.category == category)
    if warranty is not None:
        query = query.where(
            Product.warranty_months > 0 if warranty else Product.warranty_months == 0
        )
    for order in session.execute(query).scalars().unique():
        if len(order.items) == items:
            return order
    raise LookupError("no seeded order fits this story")


def submit(
    session: Session,
    order: Order,
    kind: Kind,
    reason: AfterSaleReason,
    *,
    opened: bool = False,
    photo: bool | None = None,
    spec: str | None = None,
) -> str:
    result = submit_after_sale(
        session,
        order,
        order.items[0],
        kind=kind,
        reason=reason,
        opened=opened,
        photo_provided=photo,
        exchange_spec=spec,
        now=store_now(session),
    )
    return after_sale_reply(result)


def count(session: Session, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return int(session.execute(query).scalar_one())


# --- returns and exchanges -------------------------------------------------------------------


def test_no_reason_return_three_days_after_signing_opens_a_ticket(session: Session) -> None:
    order = find_order(session, signed_days=(2.5, 3.5), category=Category.APPAREL)
    item = order.items[0]
    text = submit(session, order, Kind.RETURN, R.NO_REASON)
    ticket = session.execute(
        select(AfterSaleTicket).where(AfterSaleTicket.order_id == order.id)
    ).scalar_one()
    assert ticket.type is AfterSaleType.RETURN and ticket.status is AfterSaleStatus.AWAITING_RETURN
    assert ticket.refund_amount_fen == min(item.unit_price_fen * item.qty, order.paid_amount_fen)
    assert ticket.ticket_no.startswith("AS20261120") and ticket.order_item_id == item.id
    assert order.status is OrderStatus.AFTER_SALE
    assert ticket.ticket_no in text and RETURN_ADDRESS in text
    assert FREIGHT_TEXT[FreightPayer.CUSTOMER] in text
    assert arrival_text(order.payment_method) in text
    assert "写上售后单号" in text and "快递单号" in text and "配件" in text
    records = count(session, ServiceRecord, order_id=order.id, kind=ServiceRecordKind.AFTER_SALE)
    assert records == 1


def test_asking_twice_reuses_the_open_ticket(session: Session) -> None:
    order = find_order(session, signed_days=(1, 6), category=Category.APPAREL)
    first = submit(session, order, Kind.RETURN, R.SIZE)
    second = submit(session, order, Kind.RETURN, R.SIZE)
    tickets = tickets_of(session, order)
    assert len(tickets) == 1
    assert tickets[0].ticket_no in first and tickets[0].ticket_no in second
    assert "不用重复申请" in second
    assert count(session, ServiceRecord, order_id=order.id, kind=ServiceRecordKind.AFTER_SALE) == 1


def test_an_open_return_answers_a_later_exchange_request(session: Session) -> None:
    order = find_order(session, signed_days=(1, 6), category=Category.APPAREL)
    submit(session, order, Kind.RETURN, R.SIZE)
    text = submit(session, order, Kind.EXCHANGE, R.SIZE, spec="黑色 XL")
    [ticket] = tickets_of(session, order)
    assert ticket.type is AfterSaleType.RETURN
    assert "退货退款售后单" in text and "如果想改为换货" in text
    assert FREIGHT_TEXT[FreightPayer.CUSTOMER] in text  # the open return's terms, not a new deal


def test_ticket_already_past_the_send_back_step_gets_no_address_again(session: Session) -> None:
    order = find_order(session, signed_days=(1, 6), category=Category.APPAREL)
    submit(session, order, Kind.RETURN, R.NO_REASON)
    ticket = session.execute(
        select(AfterSaleTicket).where(AfterSaleTicket.order_id == order.id)
    ).scalar_one()
    ticket.status = AfterSaleStatus.REFUNDING
    text = submit(session, order, Kind.RETURN, R.NO_REASON)
    assert ticket.ticket_no in text and "退款中" in text and RETURN_ADDRESS not in text


def test_quality_return_waits_for_photo_review_and_shop_pays_freight(session: Session) -> None:
    order = find_order(session, signed_days=(1, 10))
    text = submit(session, order, Kind.RETURN, R.QUALITY, photo=False)
    ticket = tickets_of(session, order)[0]
    assert ticket.status is AfterSaleStatus.PENDING_REVIEW
    assert text.startswith("真不好意思给您添麻烦了")
    assert FREIGHT_TEXT[FreightPayer.SHOP] in text and "上传凭证" in text


def test_size_exchange_splits_freight_and_names_the_new_spec(session: Session) -> None:
    order = find_order(session, signed_days=(1, 6), category=Category.APPAREL)
    text = submit(session, order, Kind.EXCHANGE, R.SIZE, spec="黑色 XL")
    ticket = tickets_of(session, order)[0]
    assert ticket.type is AfterSaleType.EXCHANGE and ticket.refund_fen == 0
    assert "换成 黑色 XL" in ticket.description
    assert FREIGHT_TEXT[FreightPayer.SPLIT] in text and "新的 黑色 XL" in text
    assert "退款" not in text.split("寄回地址")[0]


def test_no_reason_return_after_twenty_days_is_refused_honestly(session: Session) -> None:
    order = find_order(session, signed_days=(18, 25), exempt=False)
    text = submit(session, order, Kind.RETURN, R.NO_REASON)
    assert tickets_of(session, order) == []
    assert "7 天" in text and "转人工" in text and "质量问题" in text
    assert order.status is not OrderStatus.AFTER_SALE


def test_faulty_item_past_the_window_is_offered_a_warranty_repair(session: Session) -> None:
    order = find_order(session, signed_days=(20, 200), warranty=True)
    result = submit_after_sale(
        session,
        order,
        order.items[0],
        kind=Kind.RETURN,
        reason=R.QUALITY,
        opened=False,
        photo_provided=True,
        exchange_spec=None,
        now=store_now(session),
    )
    assert result.eligibility.refusal is Refusal.WINDOW_PASSED
    assert result.eligibility.warranty_repair
    text = after_sale_reply(result)
    assert "保修" in text and "15 天" in text and "转人工" in text
    assert tickets_of(session, order) == []


def test_opened_skincare_cannot_go_back_without_a_fault(session: Session) -> None:
    order = find_order(session, signed_days=(0.5, 6.5), category=Category.SKINCARE)
    text = submit(session, order, Kind.RETURN, R.NO_REASON, opened=True)
    assert tickets_of(session, order) == []
    assert "拆封" in text and "质量问题" in text and "转人工" in text
    unopened = submit(session, order, Kind.RETURN, R.NO_REASON, opened=False)
    assert tickets_of(session, order)[0].ticket_no in unopened


def test_custom_made_goods_are_exempt_from_no_reason_returns(session: Session) -> None:
    order = find_order(session, exempt=True)
    text = submit(session, order, Kind.RETURN, R.NO_REASON)
    assert "定制" in text and tickets_of(session, order) == []


def test_parcel_on_its_way_can_be_refused_instead(session: Session) -> None:
    order = find_order(session, statuses=IN_FLIGHT_STATUSES)
    text = submit(session, order, Kind.RETURN, R.NO_REASON)
    assert "拒收" in text and "签收后" in text and tickets_of(session, order) == []


def test_unshipped_order_is_cancelled_not_returned(session: Session) -> None:
    order = find_order(session, statuses=frozenset({OrderStatus.PENDING_SHIPMENT}))
    text = submit(session, order, Kind.EXCHANGE, R.SIZE)
    assert "取消" in text and "还没有发货" in text and tickets_of(session, order) == []


def test_items_named_by_product_type(session: Session) -> None:
    order = find_order(session, statuses=DELIVERED_STATUSES, items=2)
    first = order.items[0]
    product_type = first.variant.product.product_type
    named = items_named(order, f"{product_type}有问题")
    assert first in named
    assert items_named(order, "完全无关的话") == []


# --- refunds ---------------------------------------------------------------------------------


def test_parcel_moving_normally_is_explained_without_a_ticket(session: Session) -> None:
    now = store_now(session)
    for order in session.execute(
        select(Order).where(Order.status.in_([OrderStatus.IN_TRANSIT])).order_by(Order.id)
    ).scalars():
        events = order.shipments[-1].events if order.shipments else []
        if events and now - events[-1].occurred_at < timedelta(hours=12) and not order.tickets:
            break
    result = request_refund(session, order, R.NOT_RECEIVED, now)
    assert result.outcome is RefundOutcome.ON_THE_WAY and result.ticket is None
    text = refund_reply(result)
    assert "正常运输" in text and "预计" in text and events[-1].description in text
    assert tickets_of(session, order) == []


def stuck_order(session: Session) -> Order:
    now = store_now(session)
    for order in session.execute(
        select(Order).where(Order.status.in_(list(IN_FLIGHT_STATUSES))).order_by(Order.id)
    ).scalars():
        events = order.shipments[-1].events if order.shipments else []
        if events and now - events[-1].occurred_at > timedelta(hours=60) and not order.tickets:
            return order
    raise LookupError("no stuck parcel in the seed")


def test_stuck_parcel_opens_an_inquiry_once(session: Session) -> None:
    order = stuck_order(session)
    now = store_now(session)

    def inquiries() -> int:
        kind = ServiceRecordKind.LOGISTICS_INQUIRY
        return count(session, ServiceRecord, order_id=order.id, kind=kind)

    before = inquiries()
    first = request_refund(session, order, R.NOT_RECEIVED, now)
    assert first.outcome is RefundOutcome.INQUIRY_OPENED and first.ticket is not None
    assert first.ticket.status is AfterSaleStatus.PENDING_REVIEW
    assert first.ticket.reason is R.NOT_RECEIVED
    text = refund_reply(first)
    assert first.ticket.ticket_no in text and "48 小时" in text and "11月21日 10:00" in text
    assert order.status in IN_FLIGHT_STATUSES  # the parcel keeps its logistics state
    second = request_refund(session, order, R.NOT_RECEIVED, now)
    assert second.reused and second.ticket == first.ticket
    assert "不用重复申请" in refund_reply(second)
    assert len(tickets_of(session, order)) == 1
    assert inquiries() == before + 1  # one inquiry for the two requests


def test_signed_but_not_received_opens_a_ticket_and_asks_to_check_around(session: Session) -> None:
    order = find_order(session, statuses=frozenset({OrderStatus.SIGNED}))
    result = request_refund(session, order, R.NOT_RECEIVED, store_now(session))
    assert result.outcome is RefundOutcome.INQUIRY_OPENED and result.ticket is not None
    text = refund_reply(result)
    assert "已" in text and "签收" in text and "驿站" in text and result.ticket.ticket_no in text


def test_missing_item_asks_for_parcel_and_packing_slip_photos(session: Session) -> None:
    order = find_order(session, signed_days=(0.5, 5))
    result = request_refund(session, order, R.MISSING_ITEM, store_now(session))
    assert result.outcome is RefundOutcome.MISSING_OPENED and result.ticket is not None
    assert result.ticket.status is AfterSaleStatus.PENDING_REVIEW
    assert "发货单" in refund_reply(result) and "快递面单" in refund_reply(result)
    again = request_refund(session, order, R.MISSING_ITEM, store_now(session))
    assert again.reused and len(tickets_of(session, order)) == 1


def test_price_drop_within_seven_days_refunds_the_difference(session: Session) -> None:
    now = store_now(session)
    order = find_order(session, statuses=DELIVERED_STATUSES, signed_days=(0.5, 4))
    assert order.paid_at is not None and now - order.paid_at <= timedelta(days=7)
    item = order.items[0]
    item.variant.product.price_fen = item.unit_price_fen - 1000
    result = request_refund(session, order, R.PRICE_DIFFERENCE, now)
    assert result.outcome is RefundOutcome.PRICE_REFUNDED and result.ticket is not None
    assert result.ticket.status is AfterSaleStatus.REFUNDING
    assert result.ticket.refund_fen == 1000 * item.qty
    text = refund_reply(result)
    assert f"¥{10 * item.qty:.2f}" in text and arrival_text(order.payment_method) in text
    again = request_refund(session, order, R.PRICE_DIFFERENCE, now)
    assert again.reused and len(tickets_of(session, order)) == 1
    assert result.refusal is None


def test_price_protection_rules_are_explained_when_nothing_is_due(session: Session) -> None:
    now = store_now(session)
    recent = find_order(session, statuses=DELIVERED_STATUSES, signed_days=(0.5, 4))
    result = request_refund(session, recent, R.PRICE_DIFFERENCE, now)
    assert result.outcome is RefundOutcome.PRICE_NOT_LOWER
    assert result.refusal is RefusalCode.NO_PRICE_DIFFERENCE
    assert "没有低于" in refund_reply(result) and "7 天" in refund_reply(result)
    old = find_order(session, signed_days=(20, 60))
    old.items[0].variant.product.price_fen = old.items[0].unit_price_fen - 500
    late = request_refund(session, old, R.PRICE_DIFFERENCE, now)
    assert late.outcome is RefundOutcome.PRICE_WINDOW_PASSED
    assert late.refusal is RefusalCode.PRICE_WINDOW_PASSED
    assert "已经超过 7 天" in refund_reply(late) and "转人工" in refund_reply(late)
    assert tickets_of(session, recent) == [] and tickets_of(session, old) == []


def test_refunds_of_unpaid_or_unshipped_orders(session: Session) -> None:
    now = store_now(session)
    unpaid = find_order(session, statuses=frozenset({OrderStatus.PENDING_PAYMENT}))
    assert "还没有付款" in refund_reply(request_refund(session, unpaid, R.NOT_RECEIVED, now))
    waiting = find_order(session, statuses=frozenset({OrderStatus.PENDING_SHIPMENT}))
    text = refund_reply(request_refund(session, waiting, R.NOT_RECEIVED, now))
    assert "还没有发货" in text and "取消订单" in text
    in_flight = find_order(session, statuses=IN_FLIGHT_STATUSES)
    result = request_refund(session, in_flight, R.MISSING_ITEM, now)
    assert result.outcome is RefundOutcome.WAIT_FOR_DELIVERY and "清点" in refund_reply(result)


# --- refund status ---------------------------------------------------------------------------


def test_refund_status_lists_tickets_with_arrival_and_rejections(session: Session) -> None:
    def with_ticket(status: AfterSaleStatus) -> Order:
        query = select(AfterSaleTicket).where(AfterSaleTicket.status == status)
        return session.execute(query.order_by(AfterSaleTicket.id)).scalars().first().order

    refunding = with_ticket(AfterSaleStatus.REFUNDING)
    text = refund_status_reply(
        refunding.order_no, tickets_of(session, refunding), refunding.payment_method
    )
    ticket = tickets_of(session, refunding)[0]
    assert ticket.ticket_no in text and "退款中" in text
    assert arrival_text(refunding.payment_method) in text
    assert f"{ticket.created_at:%Y-%m-%d %H:%M}" in text
    rejected = with_ticket(AfterSaleStatus.REJECTED)
    text = refund_status_reply(
        rejected.order_no, tickets_of(session, rejected), rejected.payment_method
    )
    assert "没有通过审核" in text and "转人工" in text
    assert review_refusal(tickets_of(session, rejected)) is RefusalCode.REVIEW_REJECTED
    assert review_refusal(tickets_of(session, refunding)) is None
    assert "没有售后或退款记录" in refund_status_reply("2" * 18, [], None)


# --- pure readers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("快递一直没到，我要退款", R.NOT_RECEIVED),
        ("显示签收了但没拿到", R.NOT_RECEIVED),
        ("包裹丢件了", R.NOT_RECEIVED),
        ("少了一件", R.MISSING_ITEM),
        ("漏发了赠品", R.MISSING_ITEM),
        ("刚买就降价了", R.PRICE_DIFFERENCE),
        ("能退差价吗", R.PRICE_DIFFERENCE),
        ("你好", None),
    ],
)
def test_refund_reason_keywords(text: str, reason: AfterSaleReason | None) -> None:
    assert classify_refund_reason(text) is reason


def test_return_reason_opened_and_photo_keywords() -> None:
    assert classify_return_reason("衣服开线了") is R.QUALITY
    assert classify_return_reason("发错颜色了") is R.WRONG_ITEM
    assert classify_return_reason("穿着太小了") is R.SIZE
    assert classify_return_reason("不想要了") is R.NO_REASON
    assert classify_return_reason("嗯") is None
    assert opened_in("还没拆") is False and opened_in("用过两次") is True
    assert opened_in("你猜") is None
    for done in ("已上传", "传好了", "发了", "拍了"):
        assert photo_answer(done) is True
    assert photo_answer("还没拍") is False and photo_answer("嗯哼") is None


OPTIONS = [
    VariantOption("黑色", "M", 5),
    VariantOption("黑色", "L", 0),
    VariantOption("黑色", "XL", 3),
    VariantOption("白色", "M", 8),
    VariantOption("白色", "L", 2),
]
CURRENT = OPTIONS[0]


@pytest.mark.parametrize(
    ("text", "outcome", "spec"),
    [
        ("换 XL 码", SpecOutcome.OK, "黑色 XL"),
        ("换白色的", SpecOutcome.OK, "白色 M"),
        ("换白色L", SpecOutcome.OK, "白色 L"),
        ("大一码", SpecOutcome.OUT_OF_STOCK, "黑色 L"),
        ("换L码", SpecOutcome.OUT_OF_STOCK, "黑色 L"),
        ("换紫色", SpecOutcome.UNKNOWN, None),
        ("换XXL", SpecOutcome.UNKNOWN, None),
        ("随便", SpecOutcome.UNCLEAR, None),
        ("换一样的", SpecOutcome.SAME_AS_NOW, "黑色 M"),
    ],
)
def test_exchange_spec_is_checked_against_variants(
    text: str, outcome: SpecOutcome, spec: str | None
) -> None:
    choice = choose_exchange_spec(text, OPTIONS, CURRENT, allow_same=False)
    assert choice.outcome is outcome
    assert (choice.wanted.spec if choice.wanted else None) == spec


def test_exchange_spec_replies_name_what_is_in_stock() -> None:
    sold_out = spec_reply(choose_exchange_spec("换L", OPTIONS, CURRENT, allow_same=False))
    assert "黑色 L 暂时没货" in sold_out and "白色 L" in sold_out and "黑色 XL" in sold_out
    unknown = spec_reply(choose_exchange_spec("换紫色", OPTIONS, CURRENT, allow_same=False))
    assert "紫色" in unknown and "白色 M" in unknown
    assert "黑色 L" not in unknown  # sold out, not offered
    same = choose_exchange_spec("同款", OPTIONS, CURRENT, allow_same=True)
    assert same.outcome is SpecOutcome.OK and "有货" in spec_reply(same)
    keyboard = [VariantOption("黑色", "红轴", 3), VariantOption("黑色", "茶轴", 3)]
    choice = choose_exchange_spec("换茶轴", keyboard, keyboard[0], allow_same=False)
    assert choice.outcome is SpecOutcome.OK and choice.wanted == keyboard[1]


def test_return_reason_understands_the_customers_own_words() -> None:
    from bot.services.aftersales.returns import return_reason_of

    assert return_reason_of("quality") is AfterSaleReason.QUALITY  # button payload
    assert return_reason_of("开线了") is AfterSaleReason.QUALITY  # entity text, no synonym
    assert return_reason_of("not_received") is None  # a refund reason, not a return reason
    assert return_reason_of("随便") is None
