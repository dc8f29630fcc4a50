"""After-sale tickets and service records: opened once, numbered like the seed, always recorded.

Every ticket the desk opens is idempotent (an open ticket for the same item and type, or the
same order and reason, is reused) so a customer who repeats a request, or a retried action,
never ends up with two parcels to send back or two refunds (seed 002: record every case).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import (
    AFTER_SALE_REASON_LABELS,
    AFTER_SALE_TYPE_LABELS,
    DELIVERED_STATUSES,
    OPEN_AFTER_SALE_STATUSES,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    OrderStatus,
)
from bot.db.models import AfterSaleTicket, Order, OrderItem
from bot.policy.refusals import RefusalCode


@dataclass(frozen=True)
class TicketView:
    """What a customer may be told about a ticket; detached from the session."""

    ticket_no: str
    type: AfterSaleType
    reason: AfterSaleReason
    status: AfterSaleStatus
    refund_fen: int
    description: str
    created_at: datetime
    updated_at: datetime
    return_tracking_no: str | None = None

    @property
    def type_label(self) -> str:
        return AFTER_SALE_TYPE_LABELS[self.type]

    @property
    def reason_label(self) -> str:
        return AFTER_SALE_REASON_LABELS[self.reason]


def view(ticket: AfterSaleTicket) -> TicketView:
    return TicketView(
        ticket_no=ticket.ticket_no,
        type=ticket.type,
        reason=ticket.reason,
        status=ticket.status,
        refund_fen=ticket.refund_amount_fen,
        description=ticket.description,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        return_tracking_no=ticket.return_tracking_no,
    )


def tickets_of(session: Session, order: Order) -> list[TicketView]:
    """All of the order's tickets, oldest first."""
    query = (
        select(AfterSaleTicket)
        .where(AfterSaleTicket.order_id == order.id)
        .order_by(AfterSaleTicket.created_at, AfterSaleTicket.id)
    )
    return [view(t) for t in session.execute(query).scalars()]


def review_refusal(tickets: Collection[TicketView]) -> RefusalCode | None:
    """REVIEW_REJECTED when a reviewer turned one of these tickets down (which may be contested)."""
    rejected = any(t.status is AfterSaleStatus.REJECTED for t in tickets)
    return RefusalCode.REVIEW_REJECTED if rejected else None


def find_open_ticket(
    session: Session,
    order: Order,
    type_: AfterSaleType | Collection[AfterSaleType],
    *,
    item: OrderItem | None = None,
    reason: AfterSaleReason | None = None,
) -> AfterSaleTicket | None:
    """The open ticket this request would duplicate: same item and type, or same reason."""
    types = [type_] if isinstance(type_, AfterSaleType) else list(type_)
    query = select(AfterSaleTicket).where(
        AfterSaleTicket.order_id == order.id,
        AfterSaleTicket.type.in_(types),
        AfterSaleTicket.status.in_(list(OPEN_AFTER_SALE_STATUSES)),
    )
    if item is not None:
        query = query.where(AfterSaleTicket.order_item_id == item.id)
    if reason is not None:
        query = query.where(AfterSaleTicket.reason == reason)
    return session.execute(query.order_by(AfterSaleTicket.id)).scalars().first()


def open_ticket(
    session: Session,
    *,
    order: Order,
    item: OrderItem | None,
    type_: AfterSaleType,
    reason: AfterSaleReason,
    status: AfterSaleStatus,
    refund_fen: int,
    description: str,
    now: datetime,
) -> AfterSaleTicket:
    """A new ticket numbered AS + date + id (the seed's format), on the store's clock."""
    ticket = AfterSaleTicket(
        # A unique placeholder until the id is known; the real number needs the id.
        ticket_no=f"TMP{uuid.uuid4().hex[:17]}",
        order_id=order.id,
        order_item_id=item.id if item is not None else None,
        type=type_,
        reason=reason,
        status=status,
        refund_amount_fen=refund_fen,
        description=description[:300],
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    ticket.ticket_no = f"AS{now:%Y%m%d}{ticket.id:06d}"
    # An order with an open ticket reads 售后中 (the store's invariant). Only a delivered order
    # moves: a parcel still on its way keeps its logistics state for tracking.
    if order.status in DELIVERED_STATUSES and order.status is not OrderStatus.AFTER_SALE:
        order.status = OrderStatus.AFTER_SALE
    session.flush()
    return ticket
