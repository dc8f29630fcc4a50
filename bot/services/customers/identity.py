"""Who is asking, and which orders they may see (seed 001, 四.3: never reveal a customer's data).

Every order lookup on behalf of a customer goes through here. A lookup that fails answers None
whether the order does not exist or belongs to someone else, so the reply cannot reveal which.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Customer, Order

ORDER_NO = re.compile(r"^[2-9]\d{17}$")
PHONE_TAIL = re.compile(r"^\d{4}$")


def get_customer(session: Session, customer_id: int | str | None) -> Customer | None:
    """The customer the channel says is chatting, if that customer exists."""
    try:
        key = int(customer_id) if customer_id is not None else None
    except (TypeError, ValueError):
        return None
    return session.get(Customer, key) if key is not None else None


def order_of_customer(session: Session, order_no: str, customer_id: int) -> Order | None:
    """The order if it exists and belongs to the customer, otherwise None (same answer for both)."""
    if not ORDER_NO.match(order_no or ""):
        return None
    return session.execute(
        select(Order).where(Order.order_no == order_no, Order.customer_id == customer_id)
    ).scalar_one_or_none()


def order_by_phone_tail(session: Session, order_no: str, phone_tail: str) -> Order | None:
    """Verification for anonymous visitors: the order number plus the last four digits of the
    buyer's phone or of the recipient's phone on the order."""
    if not (ORDER_NO.match(order_no or "") and PHONE_TAIL.match(phone_tail or "")):
        return None
    order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
    if order is None:
        return None
    phones = {order.ship_phone, order.customer.phone}
    return order if any(p.endswith(phone_tail) for p in phones) else None
