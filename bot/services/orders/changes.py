"""Changing an order before it ships: cancelling it, or changing where it goes.

Both changes race the warehouse (and a customer double-clicking): the state check and the
update are one guarded UPDATE ... WHERE status IN (not yet shipped), and only the request whose
UPDATE hit the row goes on to restore stock, open a refund or write the desk record. Every other
request reports the order as it now is, so nothing is ever refunded or recorded twice.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from bot.db.enums import (
    CARRIER_FULL_NAMES,
    DELIVERED_STATUSES,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    OrderStatus,
    ServiceRecordKind,
)
from bot.db.models import AfterSaleTicket, Order, ProductVariant
from bot.formatting import yuan_words
from bot.policy import logistics
from bot.policy.orders import NOT_YET_SHIPPED, can_cancel
from bot.policy.refunds import arrival_text
from bot.policy.refusals import RefusalCode
from bot.policy.returns import NO_REASON_WINDOW
from bot.services.orders.address import ParsedAddress
from bot.services.orders.tracking import (
    ItemLine,
    add_record,
    items_of,
    latest_shipment,
    latest_ticket,
    record_once,
)

CANCEL_REASON = "买家在线申请取消（智能客服）"


class CancelOutcome(str, enum.Enum):
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    IN_FLIGHT = "in_flight"  # on its way: the customer can refuse the parcel
    DELIVERED = "delivered"  # signed for: a return instead


@dataclass(frozen=True)
class Refund:
    amount_fen: int
    arrival: str
    # None for orders refunded before the desk opened tickets for cancellations (seed data).
    ticket_no: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class CancelPreview:
    order_no: str
    status: OrderStatus
    items: tuple[ItemLine, ...]
    paid_amount_fen: int
    refund: Refund | None


@dataclass(frozen=True)
class CancelResult:
    outcome: CancelOutcome
    order_no: str
    status: OrderStatus
    cancelled_at: datetime | None = None
    refund: Refund | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    return_window_open: bool = False

    @property
    def refusal(self) -> RefusalCode | None:
        """The code when the order could not be cancelled any more."""
        return CANCEL_REFUSALS.get(self.outcome)


CANCEL_REFUSALS = {
    CancelOutcome.IN_FLIGHT: RefusalCode.CANCEL_AFTER_SHIPMENT,
    CancelOutcome.DELIVERED: RefusalCode.CANCEL_AFTER_DELIVERY,
}


def _paid(order: Order) -> bool:
    return order.paid_at is not None and order.payment_method is not None


def cancel_preview(order: Order) -> CancelPreview:
    """What cancelling would mean for the customer, shown before they confirm."""
    refund = None
    if _paid(order) and order.paid_amount_fen > 0:
        refund = Refund(order.paid_amount_fen, arrival_text(order.payment_method))
    return CancelPreview(
        order.order_no, order.status, items_of(order), order.paid_amount_fen, refund
    )


def _open_refund_ticket(session: Session, order: Order, now: datetime) -> AfterSaleTicket:
    ticket = AfterSaleTicket(
        # A unique placeholder: the real number (AS + date + id, as in the seed) needs the id.
        ticket_no=f"TMP{uuid.uuid4().hex[:17]}",
        order_id=order.id,
        type=AfterSaleType.REFUND,
        reason=AfterSaleReason.NO_REASON,
        status=AfterSaleStatus.REFUNDING,
        refund_amount_fen=order.paid_amount_fen,
        description="订单发货前取消，全额退款",
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    ticket.ticket_no = f"AS{now:%Y%m%d}{ticket.id:06d}"
    # Mark it changed (same value) so the UPDATE carries it: otherwise the column's onupdate
    # stamps the wall clock instead of the store's.
    ticket.updated_at = now
    flag_modified(ticket, "updated_at")
    session.flush()
    return ticket


def _refund_of_cancelled(session: Session, order: Order) -> Refund | None:
    if not _paid(order):
        return None
    ticket = latest_ticket(session, order, type_=AfterSaleType.REFUND)
    arrival = arrival_text(order.payment_method)
    if ticket is None:
        return Refund(order.paid_amount_fen, arrival)
    return Refund(ticket.refund_amount_fen, arrival, ticket.ticket_no, ticket.status.value)


def _cannot_cancel(session: Session, order: Order, now: datetime) -> CancelResult:
    if order.status is OrderStatus.CANCELLED:
        return CancelResult(
            CancelOutcome.ALREADY_CANCELLED,
            order.order_no,
            order.status,
            cancelled_at=order.cancelled_at,
            refund=_refund_of_cancelled(session, order),
        )
    shipment = latest_shipment(order)
    delivered = order.status in DELIVERED_STATUSES
    return CancelResult(
        CancelOutcome.DELIVERED if delivered else CancelOutcome.IN_FLIGHT,
        order.order_no,
        order.status,
        carrier=CARRIER_FULL_NAMES[shipment.carrier] if shipment is not None else None,
        tracking_no=shipment.tracking_no if shipment is not None else None,
        return_window_open=(
            delivered and order.signed_at is not None and now - order.signed_at <= NO_REASON_WINDOW
        ),
    )


def cancel_order(
    session: Session, order: Order, now: datetime, reason: str = CANCEL_REASON
) -> CancelResult:
    """Cancel an unshipped order: state 已取消, stock back, a refund ticket if it was paid.

    Touches orders, product_variants (stock), after_sale_tickets and service_records, all in
    the caller's transaction. Safe to call twice or concurrently: only one call cancels.
    """
    session.refresh(order)
    if not can_cancel(order.status):
        return _cannot_cancel(session, order, now)
    guarded = (
        update(Order)
        .where(Order.id == order.id, Order.status.in_(list(NOT_YET_SHIPPED)))
        .values(status=OrderStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
        .execution_options(synchronize_session=False)
    )
    won = session.execute(guarded).rowcount == 1
    session.refresh(order)
    if not won:
        # Someone else cancelled (or the warehouse shipped) between our read and our write.
        return _cannot_cancel(session, order, now)
    for item in order.items:
        session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == item.variant_id)
            .values(stock=ProductVariant.stock + item.qty)
            .execution_options(synchronize_session=False)
        )
    refund = None
    text = "客户在线取消订单（未发货）"
    if _paid(order) and order.paid_amount_fen > 0:
        ticket = _open_refund_ticket(session, order, now)
        refund = Refund(
            ticket.refund_amount_fen,
            arrival_text(order.payment_method),
            ticket.ticket_no,
            ticket.status.value,
        )
        text += f"，全额退款 {yuan_words(ticket.refund_amount_fen)}，退款单 {ticket.ticket_no}"
    add_record(session, order, ServiceRecordKind.CANCEL, text, now)
    return CancelResult(
        CancelOutcome.CANCELLED, order.order_no, order.status, cancelled_at=now, refund=refund
    )


@dataclass(frozen=True)
class ShipTo:
    """The delivery snapshot on an order: who receives it, on which phone, where."""

    recipient: str
    phone: str
    province: str
    city: str
    district: str
    detail: str

    @property
    def address_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


def ship_to(order: Order) -> ShipTo:
    return ShipTo(
        order.ship_recipient,
        order.ship_phone,
        order.ship_province,
        order.ship_city,
        order.ship_district,
        order.ship_detail,
    )


def proposed_ship_to(current: ShipTo, parsed: ParsedAddress, new_phone: str | None) -> ShipTo:
    """The snapshot after the change: parts the customer did not give stay as they were."""
    new = current
    if parsed.has_address:
        new = replace(
            new,
            province=parsed.province,
            city=parsed.city,
            district=parsed.district,
            detail=parsed.detail,
        )
    if parsed.recipient:
        new = replace(new, recipient=parsed.recipient)
    phone = new_phone or parsed.phone
    return replace(new, phone=phone) if phone else new


class AddressOutcome(str, enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AddressChange:
    outcome: AddressOutcome
    order_no: str
    old: ShipTo
    new: ShipTo | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    follow_up_by: datetime | None = None

    @property
    def refusal(self) -> RefusalCode | None:
        """The code when the parcel had left and the address could not be changed here."""
        return ADDRESS_REFUSALS.get(self.outcome)


ADDRESS_REFUSALS = {
    AddressOutcome.SHIPPED: RefusalCode.ADDRESS_AFTER_SHIPMENT,
    AddressOutcome.DELIVERED: RefusalCode.ADDRESS_AFTER_DELIVERY,
}


def _too_late(
    session: Session, order: Order, wanted: ShipTo | None, now: datetime
) -> AddressChange:
    """The parcel has left: note the wish (once a day per wish) so a person can ask the carrier."""
    if order.status is OrderStatus.CANCELLED:
        return AddressChange(AddressOutcome.CANCELLED, order.order_no, ship_to(order))
    if order.status in DELIVERED_STATUSES:
        return AddressChange(AddressOutcome.DELIVERED, order.order_no, ship_to(order))
    shipment = latest_shipment(order)
    target = f"改寄到「{wanted.address_text}」" if wanted is not None else "修改收货地址"
    text = f"客户在包裹发出后希望{target}，待联系快递公司改派"
    record, _created = record_once(
        session, order, ServiceRecordKind.NOTE, text, now, same_text=True
    )
    return AddressChange(
        AddressOutcome.SHIPPED,
        order.order_no,
        ship_to(order),
        wanted,
        carrier=CARRIER_FULL_NAMES[shipment.carrier] if shipment is not None else None,
        tracking_no=shipment.tracking_no if shipment is not None else None,
        follow_up_by=logistics.follow_up_by(record.created_at),
    )


def change_address(
    session: Session, order: Order, wanted: ShipTo | None, now: datetime
) -> AddressChange:
    """Point an unshipped order at a new address (the order's snapshot, not the address book).

    Writes orders.ship_* and an ADDRESS_CHANGE service record; after shipment only a NOTE.
    """
    session.refresh(order)
    old = ship_to(order)
    if order.status not in NOT_YET_SHIPPED:
        return _too_late(session, order, wanted, now)
    if wanted is None or wanted == old:
        return AddressChange(AddressOutcome.UNCHANGED, order.order_no, old, wanted)
    guarded = (
        update(Order)
        .where(Order.id == order.id, Order.status.in_(list(NOT_YET_SHIPPED)))
        .values(
            ship_recipient=wanted.recipient,
            ship_phone=wanted.phone,
            ship_province=wanted.province,
            ship_city=wanted.city,
            ship_district=wanted.district,
            ship_detail=wanted.detail,
        )
        .execution_options(synchronize_session=False)
    )
    won = session.execute(guarded).rowcount == 1
    session.refresh(order)
    if not won:
        return _too_late(session, order, wanted, now)
    text = (
        f"客户修改收货信息：{old.recipient} {old.phone} {old.address_text} → "
        f"{wanted.recipient} {wanted.phone} {wanted.address_text}"
    )
    add_record(session, order, ServiceRecordKind.ADDRESS_CHANGE, text, now)
    return AddressChange(AddressOutcome.CHANGED, order.order_no, old, wanted)
