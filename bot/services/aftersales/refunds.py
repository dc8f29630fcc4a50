"""Refund-only requests: a parcel that never arrived, a missing item, a price drop.

Seed 002 (1.2) and seed 000 (纠纷处理): check the facts first (is the parcel still moving?),
never promise what the facts do not support, and when something went wrong open a case, tell
the customer what happens next and when we will be back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import (
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    OrderStatus,
    PaymentMethod,
    ServiceRecordKind,
)
from bot.db.models import AfterSaleTicket, Order
from bot.formatting import yuan
from bot.policy.logistics import DeliveryWindow, expected_delivery, follow_up_by, is_stuck
from bot.policy.refunds import price_difference_fen
from bot.policy.refusals import RefusalCode
from bot.services.aftersales.returns import product_of
from bot.services.aftersales.tickets import (
    TicketView,
    find_open_ticket,
    open_ticket,
    view,
)
from bot.services.orders.tracking import add_record

# 价保: a price drop within this time after payment is refunded.
PRICE_PROTECTION_WINDOW = timedelta(days=7)
REFUND_REASONS = (
    AfterSaleReason.NOT_RECEIVED,
    AfterSaleReason.MISSING_ITEM,
    AfterSaleReason.PRICE_DIFFERENCE,
)


def refund_reason_of(value: object) -> AfterSaleReason | None:
    try:
        reason = AfterSaleReason(str(value))
    except ValueError:
        return None
    return reason if reason in REFUND_REASONS else None


def within_price_protection(paid_at: datetime | None, now: datetime) -> bool:
    return paid_at is not None and now - paid_at <= PRICE_PROTECTION_WINDOW


class RefundOutcome(str, enum.Enum):
    ON_THE_WAY = "on_the_way"
    INQUIRY_OPENED = "inquiry_opened"
    MISSING_OPENED = "missing_opened"
    WAIT_FOR_DELIVERY = "wait_for_delivery"
    PRICE_REFUNDED = "price_refunded"
    PRICE_WINDOW_PASSED = "price_window_passed"
    PRICE_NOT_LOWER = "price_not_lower"
    NOT_SHIPPED = "not_shipped"


@dataclass(frozen=True)
class RefundResult:
    outcome: RefundOutcome
    reason: AfterSaleReason
    order_status: OrderStatus
    payment_method: PaymentMethod | None
    ticket: TicketView | None = None
    reused: bool = False
    last_update: datetime | None = None
    last_event: str | None = None
    expected: DeliveryWindow | None = None
    follow_up: datetime | None = None
    signed_at: datetime | None = None
    signed_by: str | None = None
    paid_at: datetime | None = None
    difference_fen: int = 0
    already_refunded_fen: int = 0
    # The parcel is moving but past the latest promised delivery day.
    late: bool = False

    @property
    def refusal(self) -> RefusalCode | None:
        """The code when the refund was turned down (only price differences are)."""
        return REFUSALS.get(self.outcome)


REFUSALS = {
    RefundOutcome.PRICE_WINDOW_PASSED: RefusalCode.PRICE_WINDOW_PASSED,
    RefundOutcome.PRICE_NOT_LOWER: RefusalCode.NO_PRICE_DIFFERENCE,
}


def request_refund(
    session: Session, order: Order, reason: AfterSaleReason, now: datetime
) -> RefundResult:
    base = RefundResult(
        outcome=RefundOutcome.NOT_SHIPPED,
        reason=reason,
        order_status=order.status,
        payment_method=order.payment_method,
        paid_at=order.paid_at,
        signed_at=order.signed_at,
    )
    if order.paid_at is None or order.status is OrderStatus.CANCELLED:
        return base
    if reason is AfterSaleReason.PRICE_DIFFERENCE:
        return _price_difference(session, order, base, now)
    if reason is AfterSaleReason.MISSING_ITEM:
        return _missing_item(session, order, base, now)
    return _not_received(session, order, base, now)


def _ticket(
    session: Session,
    order: Order,
    reason: AfterSaleReason,
    status: AfterSaleStatus,
    refund_fen: int,
    description: str,
    now: datetime,
) -> tuple[TicketView, bool]:
    """The open refund ticket for this order and reason: the existing one, or a new one."""
    existing = find_open_ticket(session, order, AfterSaleType.REFUND, reason=reason)
    if existing is not None:
        return view(existing), True
    ticket = open_ticket(
        session,
        order=order,
        item=None,
        type_=AfterSaleType.REFUND,
        reason=reason,
        status=status,
        refund_fen=refund_fen,
        description=description,
        now=now,
    )
    return view(ticket), False


def _not_received(
    session: Session, order: Order, base: RefundResult, now: datetime
) -> RefundResult:
    shipment = order.shipments[-1] if order.shipments else None
    if order.status in IN_FLIGHT_STATUSES:
        events = list(shipment.events) if shipment is not None else []
        last = events[-1] if events else None
        shipped_at = shipment.shipped_at if shipment is not None else order.shipped_at
        last_update = last.occurred_at if last is not None else shipped_at
        window = expected_delivery(shipped_at, order.ship_province) if shipped_at else None
        facts = dict(
            last_update=last_update,
            last_event=last.description if last is not None else None,
            expected=window,
            late=window is not None and now.date() > window.latest,
        )
        if last_update is None or not is_stuck(last_update, now):
            return replace(base, outcome=RefundOutcome.ON_THE_WAY, **facts)
        description = f"物流超过48小时未更新（最后更新 {last_update:%m-%d %H:%M}），客户未收到货"
    elif order.status in DELIVERED_STATUSES:
        facts = dict(signed_by=shipment.signed_by if shipment is not None else None)
        description = "物流显示已签收，客户反馈本人没有收到包裹"
    else:
        return base
    ticket, reused = _ticket(
        session,
        order,
        AfterSaleReason.NOT_RECEIVED,
        AfterSaleStatus.PENDING_REVIEW,
        order.paid_amount_fen,
        description,
        now,
    )
    follow_up = follow_up_by(now)
    if not reused:
        note = (
            f"{description}：已向快递公司发起查件，售后单 {ticket.ticket_no}，"
            f"承诺 {follow_up:%m-%d %H:%M} 前回复客户"
        )
        add_record(session, order, ServiceRecordKind.LOGISTICS_INQUIRY, note, now)
    return replace(
        base,
        outcome=RefundOutcome.INQUIRY_OPENED,
        ticket=ticket,
        reused=reused,
        follow_up=follow_up,
        **facts,
    )


def _missing_item(
    session: Session, order: Order, base: RefundResult, now: datetime
) -> RefundResult:
    if order.status in IN_FLIGHT_STATUSES:
        return replace(base, outcome=RefundOutcome.WAIT_FOR_DELIVERY)
    if order.status not in DELIVERED_STATUSES:
        return base
    ticket, reused = _ticket(
        session,
        order,
        AfterSaleReason.MISSING_ITEM,
        AfterSaleStatus.PENDING_REVIEW,
        0,
        "客户反馈包裹少件/漏发，待核对包裹照片和发货单",
        now,
    )
    if not reused:
        note = f"客户反馈少件/漏发，已生成售后单 {ticket.ticket_no}，请客户上传包裹和发货单照片"
        add_record(session, order, ServiceRecordKind.AFTER_SALE, note, now)
    return replace(base, outcome=RefundOutcome.MISSING_OPENED, ticket=ticket, reused=reused)


def _refunded_difference(session: Session, order: Order) -> int:
    """Price differences already paid back on this order (a second claim gets only the rest)."""
    query = select(AfterSaleTicket.refund_amount_fen).where(
        AfterSaleTicket.order_id == order.id,
        AfterSaleTicket.reason == AfterSaleReason.PRICE_DIFFERENCE,
        AfterSaleTicket.status.in_([AfterSaleStatus.REFUNDED, AfterSaleStatus.COMPLETED]),
    )
    return sum(session.execute(query).scalars())


def _price_difference(
    session: Session, order: Order, base: RefundResult, now: datetime
) -> RefundResult:
    existing = find_open_ticket(
        session, order, AfterSaleType.REFUND, reason=AfterSaleReason.PRICE_DIFFERENCE
    )
    if existing is not None:
        return replace(
            base,
            outcome=RefundOutcome.PRICE_REFUNDED,
            ticket=view(existing),
            reused=True,
            difference_fen=existing.refund_amount_fen,
        )
    if not within_price_protection(order.paid_at, now):
        return replace(base, outcome=RefundOutcome.PRICE_WINDOW_PASSED)
    gross = sum(
        price_difference_fen(i.unit_price_fen, product_of(i).price_fen, i.qty) for i in order.items
    )
    already = _refunded_difference(session, order)
    difference = min(max(0, gross - already), order.paid_amount_fen)
    if difference <= 0:
        return replace(base, outcome=RefundOutcome.PRICE_NOT_LOWER, already_refunded_fen=already)
    ticket, _ = _ticket(
        session,
        order,
        AfterSaleReason.PRICE_DIFFERENCE,
        AfterSaleStatus.REFUNDING,
        difference,
        "购买后 7 天内降价，按价保规则退还差价",
        now,
    )
    note = f"价保退差价 {yuan(difference)}，售后单 {ticket.ticket_no}，状态退款中"
    add_record(session, order, ServiceRecordKind.AFTER_SALE, note, now)
    return replace(
        base,
        outcome=RefundOutcome.PRICE_REFUNDED,
        ticket=ticket,
        difference_fen=difference,
        already_refunded_fen=already,
    )
