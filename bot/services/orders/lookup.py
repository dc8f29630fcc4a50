"""Which of a customer's orders a request is probably about.

When the customer names no order, the desk picks the one the request can apply to: a parcel on
its way for tracking, an unshipped order for cancelling, a delivered one for a return. With one
candidate the bot goes ahead; with several it asks which (seed 001, 2.1: confirm the order).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import DELIVERED_STATUSES, IN_FLIGHT_STATUSES, OrderStatus
from bot.db.models import AfterSaleTicket, Order
from bot.policy.orders import NOT_YET_SHIPPED


class Purpose(str, enum.Enum):
    ANY = "any"
    TRACK = "track"
    URGE = "urge"
    CANCEL = "cancel"
    READDRESS = "readdress"
    AFTER_SALE = "after_sale"
    REFUND = "refund"
    REFUND_STATUS = "refund_status"


_STATUSES: dict[Purpose, frozenset[OrderStatus]] = {
    Purpose.TRACK: IN_FLIGHT_STATUSES | {OrderStatus.PENDING_SHIPMENT},
    Purpose.URGE: frozenset({OrderStatus.PENDING_SHIPMENT}) | IN_FLIGHT_STATUSES,
    Purpose.CANCEL: NOT_YET_SHIPPED,
    Purpose.READDRESS: NOT_YET_SHIPPED,
    Purpose.AFTER_SALE: DELIVERED_STATUSES,
    Purpose.REFUND: IN_FLIGHT_STATUSES | DELIVERED_STATUSES,
}


@dataclass(frozen=True)
class OrderBrief:
    """What a customer needs to recognise an order in a list."""

    order_no: str
    status: str
    created_at: datetime
    first_item: str
    item_count: int

    @property
    def label(self) -> str:
        more = f"等{self.item_count}件" if self.item_count > 1 else ""
        return f"{self.first_item}{more}（{self.status}，{self.created_at:%m月%d日}下单）"


def brief(order: Order) -> OrderBrief:
    items = list(order.items)
    first = items[0].product_name if items else "订单"
    return OrderBrief(order.order_no, order.status.value, order.created_at, first, len(items))


def candidate_orders(
    session: Session, customer_id: int, purpose: Purpose, limit: int = 5
) -> list[Order]:
    """The customer's orders this request could be about, newest first."""
    query = select(Order).where(Order.customer_id == customer_id)
    if purpose is Purpose.REFUND_STATUS:
        query = query.where(Order.id.in_(select(AfterSaleTicket.order_id)))
    elif purpose in _STATUSES:
        query = query.where(Order.status.in_(list(_STATUSES[purpose])))
    query = query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    found = list(session.execute(query).scalars())
    if not found and purpose is Purpose.TRACK:
        # Nothing on its way: tracking questions are then about the latest order.
        return candidate_orders(session, customer_id, Purpose.ANY, limit=1)
    return found
