"""What the desk can tell about an order and the desk notes it keeps (seed 002, 1.2).

Functions take a session and the store's ``now`` and return detached, frozen views that
:mod:`bot.services.orders.replies` turns into replies. Desk records are idempotent per order,
kind and day, so a customer who asks again (or a retried action) never produces a second
inquiry or a second urge for the warehouse.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import (
    AFTER_SALE_TYPE_LABELS,
    CARRIER_FULL_NAMES,
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    OPEN_AFTER_SALE_STATUSES,
    AfterSaleType,
    DeliveryException,
    OrderStatus,
    PaymentMethod,
    ServiceRecordKind,
)
from bot.db.models import AfterSaleTicket, Order, ServiceRecord, Shipment
from bot.policy import logistics
from bot.policy import orders as order_rules
from bot.policy.logistics import DeliveryWindow
from bot.policy.returns import NO_REASON_WINDOW
from bot.services.followups.promises import promise_order_news

BOT_OPERATOR = "bot"
EVENTS_SHOWN = 3


@dataclass(frozen=True)
class ItemLine:
    name: str
    spec: str
    qty: int
    unit_price_fen: int


@dataclass(frozen=True)
class EventLine:
    at: datetime
    text: str


@dataclass(frozen=True)
class TicketLine:
    ticket_no: str
    type_label: str
    status: str
    refund_fen: int


@dataclass(frozen=True)
class Tracking:
    """Everything a tracking answer needs; detached from the session."""

    order_no: str
    status: OrderStatus
    carrier: str | None = None
    tracking_no: str | None = None
    events: tuple[EventLine, ...] = ()
    window: DeliveryWindow | None = None
    ship_by: datetime | None = None
    overdue: bool = False
    signed_at: datetime | None = None
    signed_by: str | None = None
    cancelled_at: datetime | None = None
    exception: DeliveryException | None = None
    # Set when the parcel has had no carrier update for 48 hours.
    stuck_since: datetime | None = None
    # When the desk's inquiry for a stuck or troubled parcel was opened, and answer promised by.
    inquiry_at: datetime | None = None
    follow_up_by: datetime | None = None
    inquiry_is_new: bool = False


@dataclass(frozen=True)
class Overview:
    order_no: str
    status: OrderStatus
    created_at: datetime
    items: tuple[ItemLine, ...]
    paid_amount_fen: int
    payment_method: PaymentMethod | None
    ship_by: datetime | None
    overdue: bool
    carrier: str | None
    tracking_no: str | None
    latest_event: EventLine | None
    signed_at: datetime | None
    return_window_open: bool
    cancelled_at: datetime | None
    open_ticket: TicketLine | None


class UrgeOutcome(str, enum.Enum):
    URGED = "urged"
    ALREADY_URGED = "already_urged"
    UNPAID = "unpaid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class UrgeResult:
    outcome: UrgeOutcome
    order_no: str
    ship_by: datetime | None = None
    overdue: bool = False
    urged_at: datetime | None = None
    follow_up_by: datetime | None = None
    tracking: Tracking | None = None


def items_of(order: Order) -> tuple[ItemLine, ...]:
    return tuple(ItemLine(i.product_name, i.spec, i.qty, i.unit_price_fen) for i in order.items)


def latest_shipment(order: Order) -> Shipment | None:
    shipments = list(order.shipments)
    return shipments[-1] if shipments else None


def last_update(shipment: Shipment) -> datetime:
    """When the carrier last reported anything (shipping itself counts)."""
    events = list(shipment.events)
    return events[-1].occurred_at if events else shipment.shipped_at


def recent_events(shipment: Shipment, limit: int = EVENTS_SHOWN) -> tuple[EventLine, ...]:
    """The newest events first, as the carrier describes them."""
    events = sorted(shipment.events, key=lambda e: (e.occurred_at, e.id), reverse=True)
    return tuple(EventLine(e.occurred_at, e.description) for e in events[:limit])


def record_today(
    session: Session,
    order: Order,
    kind: ServiceRecordKind,
    now: datetime,
    text: str | None = None,
) -> ServiceRecord | None:
    """The desk's record of this kind (and text, if given) on the order today, if any."""
    start = datetime.combine(now.date(), time())
    query = select(ServiceRecord).where(
        ServiceRecord.order_id == order.id,
        ServiceRecord.kind == kind,
        ServiceRecord.created_at >= start,
        ServiceRecord.created_at < start + timedelta(days=1),
    )
    if text is not None:
        query = query.where(ServiceRecord.text == text)
    query = query.order_by(ServiceRecord.created_at, ServiceRecord.id)
    return session.execute(query).scalars().first()


def add_record(
    session: Session,
    order: Order | None,
    kind: ServiceRecordKind,
    text: str,
    now: datetime,
    *,
    customer_id: int | None = None,
) -> ServiceRecord:
    """A desk record about an order, or about a customer (or anonymous chat) when there is none."""
    record = ServiceRecord(
        order_id=order.id if order is not None else None,
        customer_id=order.customer_id if order is not None else customer_id,
        kind=kind,
        text=text,
        operator=BOT_OPERATOR,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def record_once(
    session: Session,
    order: Order,
    kind: ServiceRecordKind,
    text: str,
    now: datetime,
    *,
    same_text: bool = False,
) -> tuple[ServiceRecord, bool]:
    """(record, created): at most one record of a kind (or of this very text) per order a day.

    ``same_text`` is for free notes: a different wish on the same day is a new note.
    """
    existing = record_today(session, order, kind, now, text if same_text else None)
    if existing is not None:
        return existing, False
    return add_record(session, order, kind, text, now), True


def _ship_promise(order: Order, now: datetime) -> tuple[datetime | None, bool]:
    if order.status is not OrderStatus.PENDING_SHIPMENT or order.paid_at is None:
        return None, False
    return order_rules.ship_by(order.paid_at), order_rules.is_overdue(order.paid_at, now)


def track(session: Session, order: Order, now: datetime) -> Tracking:
    """Where the order is; opens a carrier inquiry (once a day) for a stuck or troubled parcel.

    Writes a LOGISTICS_INQUIRY service record when the parcel is stuck (no update for 48 h) or
    has a delivery exception, so that we tell the customer before they have to chase us.
    """
    ship_by, overdue = _ship_promise(order, now)
    base = Tracking(
        order_no=order.order_no,
        status=order.status,
        ship_by=ship_by,
        overdue=overdue,
        cancelled_at=order.cancelled_at,
    )
    shipment = latest_shipment(order)
    if shipment is None:
        return base
    delivered = order.status in DELIVERED_STATUSES
    in_flight = order.status in IN_FLIGHT_STATUSES
    updated = last_update(shipment)
    stuck = in_flight and logistics.is_stuck(updated, now)
    exception = shipment.exception if in_flight else None
    inquiry_at = follow_up = None
    created = False
    if stuck or exception is not None:
        problem = exception.value if exception is not None else f"{updated:%m-%d %H:%M}后无物流更新"
        text = f"客户查询物流（{problem}），已联系{shipment.carrier.value}核实"
        record, created = record_once(
            session, order, ServiceRecordKind.LOGISTICS_INQUIRY, text, now
        )
        inquiry_at = record.created_at
        follow_up = logistics.follow_up_by(record.created_at)
        # The reply promises news by then, every time it is asked: one open follow-up owes it.
        promise_order_news(
            session, order, kind="logistics", promise=text, due_at=follow_up, now=now
        )
    return Tracking(
        order_no=order.order_no,
        status=order.status,
        carrier=CARRIER_FULL_NAMES[shipment.carrier],
        tracking_no=shipment.tracking_no,
        events=recent_events(shipment),
        window=None
        if delivered
        else logistics.expected_delivery(shipment.shipped_at, order.ship_province),
        signed_at=order.signed_at if delivered else None,
        signed_by=shipment.signed_by if delivered else None,
        exception=exception,
        stuck_since=updated if stuck else None,
        inquiry_at=inquiry_at,
        follow_up_by=follow_up,
        inquiry_is_new=created,
    )


def urge_shipment(session: Session, order: Order, now: datetime) -> UrgeResult:
    """Asks the warehouse to hurry an unshipped order: one URGE_SHIPMENT record per day."""
    if order.status is OrderStatus.PENDING_PAYMENT:
        return UrgeResult(UrgeOutcome.UNPAID, order.order_no)
    if order.status is OrderStatus.CANCELLED:
        return UrgeResult(UrgeOutcome.CANCELLED, order.order_no)
    if order.status is not OrderStatus.PENDING_SHIPMENT:
        return UrgeResult(UrgeOutcome.SHIPPED, order.order_no, tracking=track(session, order, now))
    ship_by, overdue = _ship_promise(order, now)
    late = "（已超过承诺发货时间）" if overdue else ""
    text = f"客户催发货{late}，已通知仓库加急处理"
    record, created = record_once(session, order, ServiceRecordKind.URGE_SHIPMENT, text, now)
    follow_up_by = logistics.follow_up_by(record.created_at) if overdue else None
    if follow_up_by is not None:
        # Only a late order is promised news ("…前给您回复发货进展"); an urge in time is not.
        promise_order_news(
            session, order, kind="shipment", promise=text, due_at=follow_up_by, now=now
        )
    return UrgeResult(
        UrgeOutcome.URGED if created else UrgeOutcome.ALREADY_URGED,
        order.order_no,
        ship_by=ship_by,
        overdue=overdue,
        urged_at=record.created_at,
        follow_up_by=follow_up_by,
    )


def ticket_line(ticket: AfterSaleTicket) -> TicketLine:
    return TicketLine(
        ticket.ticket_no,
        AFTER_SALE_TYPE_LABELS[ticket.type],
        ticket.status.value,
        ticket.refund_amount_fen,
    )


def latest_ticket(
    session: Session, order: Order, *, type_: AfterSaleType | None = None, open_only: bool = False
) -> AfterSaleTicket | None:
    query = select(AfterSaleTicket).where(AfterSaleTicket.order_id == order.id)
    if type_ is not None:
        query = query.where(AfterSaleTicket.type == type_)
    if open_only:
        query = query.where(AfterSaleTicket.status.in_(list(OPEN_AFTER_SALE_STATUSES)))
    query = query.order_by(AfterSaleTicket.created_at.desc(), AfterSaleTicket.id.desc())
    return session.execute(query).scalars().first()


def overview(session: Session, order: Order, now: datetime) -> Overview:
    """A short picture of the order for a customer who just sends its number (read-only)."""
    ship_by, overdue = _ship_promise(order, now)
    shipment = latest_shipment(order)
    events = recent_events(shipment, 1) if shipment is not None else ()
    ticket = latest_ticket(session, order, open_only=True)
    signed_at = order.signed_at if order.status in DELIVERED_STATUSES else None
    return Overview(
        order_no=order.order_no,
        status=order.status,
        created_at=order.created_at,
        items=items_of(order),
        paid_amount_fen=order.paid_amount_fen,
        payment_method=order.payment_method,
        ship_by=ship_by,
        overdue=overdue,
        carrier=CARRIER_FULL_NAMES[shipment.carrier] if shipment is not None else None,
        tracking_no=shipment.tracking_no if shipment is not None else None,
        latest_event=events[0] if events else None,
        signed_at=signed_at,
        return_window_open=signed_at is not None and now - signed_at <= NO_REASON_WINDOW,
        cancelled_at=order.cancelled_at,
        open_ticket=ticket_line(ticket) if ticket is not None else None,
    )
