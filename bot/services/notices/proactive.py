"""What the shop learns before the customer asks: a stuck parcel, a shipment running late.

Seed 002 (主动同步进度): say it first, with what we are doing about it, rather than wait to be
chased. Each call queues one notice for the order's customer and opens a follow-up for the desk,
who owes the customer the next piece of news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Order
from bot.policy import logistics
from bot.services.followups.promises import promise_order_news
from bot.services.notices.store import queue_notice

MAX_TEXT = 300


@dataclass(frozen=True)
class Proactive:
    notice_id: int
    customer_text: str


def _order(session: Session, order_no: str) -> Order:
    order: Order | None = session.execute(
        select(Order).where(Order.order_no == order_no.strip())
    ).scalar_one_or_none()
    if order is None:
        raise LookupError(order_no)
    return order


def _notify(
    session: Session, order: Order, *, kind: str, what: str, doing: str, now: datetime
) -> Proactive:
    what = what.strip()[:MAX_TEXT]
    if not what:
        raise ValueError("the notice needs a text")
    due = logistics.follow_up_by(now)
    text = (
        f"您好，小优主动跟您同步一下订单 {order.order_no} 的情况：{what}。"
        f"{doing}，{due:%m月%d日 %H:%M} 前一定给您回复进展，给您添麻烦了，非常抱歉 🙏"
    )
    notice = queue_notice(session, kind=kind, text=text, now=now, customer_id=order.customer_id)
    promise_order_news(
        session, order, kind=kind, promise=f"主动告知客户：{what}", due_at=due, now=now
    )
    return Proactive(int(notice.id), text)


def notify_logistics_exception(
    session: Session, order_no: str, text: str, *, now: datetime
) -> Proactive:
    """A parcel stuck or in trouble on its way (the carrier told us)."""
    order = _order(session, order_no)
    doing = (
        f"我们已经联系{order.shipments[-1].carrier.value}加急核实"
        if order.shipments
        else "我们已经联系快递加急核实"
    )
    return _notify(session, order, kind="logistics", what=text, doing=doing, now=now)


def notify_late_shipment(session: Session, order_no: str, text: str, *, now: datetime) -> Proactive:
    """An order that will leave the warehouse later than promised."""
    order = _order(session, order_no)
    doing = "我们已经通知仓库优先处理您的订单"
    return _notify(session, order, kind="shipment", what=text, doing=doing, now=now)
