"""Pictures from WeChat kept as after-sale evidence (table ``wechat_evidence``).

A picture goes to the customer's open after-sale ticket (the newest), else to their latest
order; "the customer" is the bound one, or for an anonymous user the orders they verified in
this conversation. Tickets and orders are only read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import OPEN_AFTER_SALE_STATUSES
from bot.db.models import AfterSaleTicket, Order
from bot.db.models_wechat import WeChatEvidence


@dataclass(frozen=True)
class Picture:
    openid: str
    msg_id: str | None
    media_id: str
    pic_url: str


@dataclass(frozen=True)
class EvidenceLink:
    """Where a picture was filed: a ticket number, an order number, or neither."""

    ticket_no: str | None = None
    order_no: str | None = None


def _orders(session: Session, customer_id: int | None, verified: Sequence[str]) -> list[Order]:
    if customer_id is not None:
        query = select(Order).where(Order.customer_id == customer_id)
    elif verified:
        query = select(Order).where(Order.order_no.in_(list(verified)))
    else:
        return []
    return list(session.execute(query.order_by(Order.created_at.desc())).scalars())


def _open_ticket(session: Session, orders: list[Order]) -> AfterSaleTicket | None:
    if not orders:
        return None
    query = (
        select(AfterSaleTicket)
        .where(
            AfterSaleTicket.order_id.in_([o.id for o in orders]),
            AfterSaleTicket.status.in_(list(OPEN_AFTER_SALE_STATUSES)),
        )
        .order_by(AfterSaleTicket.created_at.desc(), AfterSaleTicket.id.desc())
    )
    ticket: AfterSaleTicket | None = session.execute(query.limit(1)).scalar_one_or_none()
    return ticket


def keep_picture(
    session: Session,
    picture: Picture,
    customer_id: int | None,
    verified_orders: Sequence[str],
    now: datetime,
) -> EvidenceLink:
    orders = _orders(session, customer_id, verified_orders)
    ticket = _open_ticket(session, orders)
    order = ticket.order if ticket is not None else (orders[0] if orders else None)
    session.add(
        WeChatEvidence(
            openid=picture.openid,
            msg_id=picture.msg_id,
            media_id=picture.media_id,
            pic_url=picture.pic_url,
            ticket_id=ticket.id if ticket is not None else None,
            order_id=order.id if order is not None else None,
            received_at=now,
        )
    )
    session.flush()
    return EvidenceLink(
        ticket_no=str(ticket.ticket_no) if ticket is not None else None,
        order_no=str(order.order_no) if order is not None else None,
    )
