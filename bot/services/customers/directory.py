"""Customers as the chat page's picker, the README and the service desk see them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import OrderStatus
from bot.db.models import Customer, Order
from bot.formatting import mask_phone

_NON_DIGITS = re.compile(r"\D")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: int
    name: str
    phone: str
    masked_phone: str
    level: str
    order_count: int
    # Status value (待付款 …) → order numbers, newest first; statuses in life-cycle order and
    # only those the customer has.
    orders_by_status: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderSample:
    order_no: str
    status: str
    owner_name: str
    owner_phone: str


def normalise_phone(text: str) -> str | None:
    """An 11-digit mainland mobile number from user input ("+86 138-1234-1234"), or None."""
    digits = _NON_DIGITS.sub("", text or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else None


def find_customer_by_phone(session: Session, phone: str) -> Customer | None:
    normalised = normalise_phone(phone)
    if normalised is None:
        return None
    query = select(Customer).where(Customer.phone == normalised)
    customer: Customer | None = session.execute(query).scalar_one_or_none()
    return customer


def _value(member: enum.Enum | str) -> str:
    # Enum columns load as members; be lenient with plain strings (e.g. raw SQL rows).
    return str(member.value) if isinstance(member, enum.Enum) else str(member)


def _group_by_status(orders: list[Order]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {status.value: [] for status in OrderStatus}
    for order in sorted(orders, key=lambda o: (o.created_at, o.id), reverse=True):
        grouped[_value(order.status)].append(order.order_no)
    return {status: numbers for status, numbers in grouped.items() if numbers}


def demo_customers(session: Session, limit: int = 6) -> list[DemoCustomer]:
    """The first ``limit`` customers (the seed's scripted demo customers) with their orders."""
    customers = session.execute(select(Customer).order_by(Customer.id).limit(limit)).scalars().all()
    if not customers:
        return []
    ids = [c.id for c in customers]
    orders = session.execute(select(Order).where(Order.customer_id.in_(ids))).scalars().all()
    by_customer: dict[int, list[Order]] = {cid: [] for cid in ids}
    for order in orders:
        by_customer[order.customer_id].append(order)
    return [
        DemoCustomer(
            customer_id=c.id,
            name=c.name,
            phone=c.phone,
            masked_phone=mask_phone(c.phone),
            level=_value(c.level),
            order_count=len(by_customer[c.id]),
            orders_by_status=_group_by_status(by_customer[c.id]),
        )
        for c in customers
    ]


def sample_orders_by_status(
    session: Session, per_status: int = 3, exclude_customer_ids: tuple[int, ...] = ()
) -> dict[str, list[OrderSample]]:
    """A few orders of every state (lowest ids first, so the choice is stable) with their owner."""
    samples: dict[str, list[OrderSample]] = {}
    for status in OrderStatus:
        query = (
            select(Order.order_no, Customer.name, Customer.phone)
            .join(Customer, Order.customer_id == Customer.id)
            .where(Order.status == status)
            .order_by(Order.id)
            .limit(per_status)
        )
        if exclude_customer_ids:
            query = query.where(Order.customer_id.not_in(exclude_customer_ids))
        samples[status.value] = [
            OrderSample(order_no, status.value, name, phone)
            for order_no, name, phone in session.execute(query).all()
        ]
    return samples
