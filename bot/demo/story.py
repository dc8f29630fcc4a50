"""The ``bot demo`` report: demo customers, what makes each of their orders worth showing
(stuck parcel, delivery exception, open return …) and sample orders of every state.

Its Markdown is pasted into the README, so a presenter knows which order shows which flow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.db.enums import (
    AFTER_SALE_TYPE_LABELS,
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    OPEN_AFTER_SALE_STATUSES,
    OrderStatus,
)
from bot.db.models import Order, Shipment
from bot.policy.logistics import is_stuck
from bot.services.clock import store_now
from bot.services.customers.directory import demo_customers, sample_orders_by_status

RETURN_WINDOW_DAYS = 7


def _days(delta_seconds: float) -> str:
    return f"{delta_seconds / 86400:.1f}"


def order_highlight(order: Order, now: datetime) -> str:
    """A short Chinese note for a demo order, or "" when there is nothing special to show."""
    notes: list[str] = []
    shipment: Shipment | None = order.shipments[-1] if order.shipments else None
    if shipment is not None and shipment.events:
        last = shipment.events[-1]
        if order.status in IN_FLIGHT_STATUSES and is_stuck(last.occurred_at, now):
            age = _days((now - last.occurred_at).total_seconds())
            notes.append(f"物流停滞{age}天(最后:{last.location})")
        if shipment.exception is not None:
            notes.append(f"派送异常:{shipment.exception.value}")
    if order.status == OrderStatus.PENDING_SHIPMENT and order.paid_at is not None:
        hours = (now - order.paid_at).total_seconds() / 3600
        notes.append(f"付款{hours:.0f}小时未发货" + ("(已超48小时)" if hours > 48 else ""))
    if order.status in DELIVERED_STATUSES and order.signed_at is not None:
        days = (now - order.signed_at).total_seconds() / 86400
        window = "七天内" if days <= RETURN_WINDOW_DAYS else "已过七天"
        notes.append(f"签收{days:.0f}天({window})")
    for ticket in order.tickets:
        if ticket.status in OPEN_AFTER_SALE_STATUSES:
            notes.append(
                f"售后{ticket.ticket_no}:{AFTER_SALE_TYPE_LABELS[ticket.type]}·{ticket.status.value}"
            )
    return ";".join(notes)


def highlights(session: Session, customer_ids: list[int], now: datetime) -> dict[str, str]:
    """order_no → note for the given customers' orders that have something to show."""
    query = (
        select(Order)
        .where(Order.customer_id.in_(customer_ids))
        .options(
            selectinload(Order.shipments).selectinload(Shipment.events),
            selectinload(Order.tickets),
        )
    )
    result: dict[str, str] = {}
    for order in session.execute(query).scalars():
        note = order_highlight(order, now)
        if note:
            result[order.order_no] = note
    return result


def render_demo(session: Session, limit: int = 6, per_status: int = 3) -> str | None:
    """Markdown for the README: the demo customers, then sample orders of every state.

    None when the database has no customers (not seeded).
    """
    customers = demo_customers(session, limit)
    if not customers:
        return None
    now = store_now(session)
    notes = highlights(session, [c.customer_id for c in customers], now)
    lines = [
        f"数据基准时间:{now:%Y-%m-%d %H:%M}(北京时间)",
        "",
        "### 演示客户",
        "",
        "| # | 姓名 | 手机号 | 会员等级 | 订单数 | 订单(按状态) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for i, c in enumerate(customers, start=1):
        cells = "<br>".join(
            f"{status}:{'、'.join(numbers)}" for status, numbers in c.orders_by_status.items()
        )
        lines.append(f"| {i} | {c.name} | {c.phone} | {c.level} | {c.order_count} | {cells} |")

    lines += [
        "",
        "### 演示订单要点",
        "",
        "| 姓名 | 订单号 | 状态 | 要点 |",
        "| --- | --- | --- | --- |",
    ]
    for c in customers:
        for status, numbers in c.orders_by_status.items():
            for order_no in numbers:
                if order_no in notes:
                    lines.append(f"| {c.name} | {order_no} | {status} | {notes[order_no]} |")

    samples = sample_orders_by_status(
        session, per_status, exclude_customer_ids=tuple(c.customer_id for c in customers)
    )
    lines += [
        "",
        "### 各状态订单示例(其他客户)",
        "",
        "| 状态 | 订单号 | 下单人 | 手机号 |",
        "| --- | --- | --- | --- |",
    ]
    for status, orders in samples.items():
        for sample in orders:
            lines.append(
                f"| {status} | {sample.order_no} | {sample.owner_name} | {sample.owner_phone} |"
            )
    return "\n".join(lines)
