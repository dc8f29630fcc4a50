"""After-sale review (seed 001 §3.2-3.3): the desk approves or rejects, the parcel comes back,
the refund or the replacement goes out, and the customer hears of every step.

Each step writes a ``ticket_events`` row (who, when, why) and queues a notice for the customer
(bot.services.notices: live if connected, else on their next visit). Transitions are
conditional updates on the ticket's status, so two agents deciding at once, or a retried
command, change a ticket once. The demo's ``bot demo receive-return`` plays the warehouse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.enums import (
    AFTER_SALE_REASON_LABELS,
    AFTER_SALE_TYPE_LABELS,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
)
from bot.db.models import AfterSaleTicket, Order
from bot.db.models_followup import TicketEvent
from bot.formatting import yuan
from bot.policy.refunds import arrival_text
from bot.policy.returns import NO_REASON_WINDOW, QUALITY_WINDOW, SHOP_FAULT_REASONS
from bot.services.aftersales.returns import RETURN_ADDRESS
from bot.services.followups.promises import Matter, close_for_ticket, open_follow_up
from bot.services.notices.store import queue_notice

MAX_REASON = 300
RETURN_TRACKING = re.compile(
    r"(?<![A-Za-z0-9])((?:SF|YT|ZT|YD|JT|JDX|JD|EMS|STO|DB)\d{9,15}|\d{12,15})(?!\d)", re.I
)
# The desk answers an after-sale request within a day (the bot promises "第一时间通知您").
REVIEW_WITHIN = timedelta(hours=24)
WAREHOUSE = "warehouse"
CUSTOMER = "customer"


class ReviewError(ValueError):
    """The step is not possible now; the message says why, in Chinese."""


class BadReason(ReviewError):
    """The reason given is missing or too long (the reviewer's input, not the ticket's state)."""


def handbook_rule(type_: AfterSaleType, reason: AfterSaleReason) -> str:
    """The service rule the reviewer applies to this kind of request (seed 000 / 001 §3.2)."""
    if reason in SHOP_FAULT_REASONS:
        return (
            f"质量问题或发错货：签收 {QUALITY_WINDOW.days} 天内可退可换，运费由店铺承担；"
            "核对照片能看到问题部位后通过，看不出问题请说明原因并请客户补拍。"
        )
    if reason is AfterSaleReason.NOT_RECEIVED:
        return "未收到货：先向快递核实签收记录；确认未妥投或丢件后通过，仅退款。"
    if reason is AfterSaleReason.MISSING_ITEM:
        return "少件/漏发：核对包裹照片、发货单和仓库出库称重；确认少发后补发或仅退款。"
    if reason is AfterSaleReason.PRICE_DIFFERENCE:
        return "价保：付款后 7 天内降价可退差价，按实付单价与现价之差退回。"
    freight = "客户承担" if type_ is AfterSaleType.RETURN else "双方各承担一半"
    return (
        f"{AFTER_SALE_REASON_LABELS[reason]}：签收 {NO_REASON_WINDOW.days} 天内、商品完好不影响"
        f"二次销售可退换，运费{freight}。"
    )


def log_ticket_event(
    session: Session, ticket: AfterSaleTicket, kind: str, actor: str, detail: str, now: datetime
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id, kind=kind, actor=actor[:40], detail=detail, created_at=now
    )
    session.add(event)
    session.flush()
    return event


def ticket_by_no(session: Session, ticket_no: str) -> AfterSaleTicket | None:
    query = select(AfterSaleTicket).where(AfterSaleTicket.ticket_no == ticket_no.strip().upper())
    ticket: AfterSaleTicket | None = session.execute(query).scalars().first()
    return ticket


def pending_review(session: Session) -> list[AfterSaleTicket]:
    """Tickets waiting for a person's decision, oldest first."""
    query = (
        select(AfterSaleTicket)
        .where(AfterSaleTicket.status == AfterSaleStatus.PENDING_REVIEW)
        .order_by(AfterSaleTicket.created_at, AfterSaleTicket.id)
    )
    return list(session.execute(query).scalars())


def ensure_review_follow_ups(session: Session, now: datetime) -> None:
    """Every ticket waiting for review is a promise ("结果会第一时间通知您") with a due time.

    Done here rather than where the bot opens tickets, so tickets from any source (the bot,
    the seed, an import) are tracked alike; opening is idempotent per ticket.
    """
    for ticket in pending_review(session):
        open_follow_up(
            session,
            kind="ticket_review",
            promise=f"售后单 {ticket.ticket_no} 审核结果第一时间通知客户",
            due_at=ticket.created_at + REVIEW_WITHIN,
            now=now,
            matter=Matter(
                customer_id=ticket.order.customer_id,
                order_id=ticket.order_id,
                ticket_id=ticket.id,
            ),
        )


def _move(
    session: Session, ticket: AfterSaleTicket, from_: AfterSaleStatus, to: AfterSaleStatus
) -> None:
    result = session.execute(
        update(AfterSaleTicket)
        .where(AfterSaleTicket.id == ticket.id, AfterSaleTicket.status == from_)
        .values(status=to)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise ReviewError(
            f"售后单 {ticket.ticket_no} 的状态已经变了（现在是{ticket.status.value}）。"
        )


def _reason(text: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise BadReason("请填写理由，客户会看到这段话。")
    if len(text) > MAX_REASON:
        raise BadReason(f"理由不能超过 {MAX_REASON} 个字。")
    return text


def _tell(
    session: Session, ticket: AfterSaleTicket, kind: str, text: str, now: datetime, *, rate: bool
) -> None:
    queue_notice(
        session,
        kind=kind,
        text=text,
        now=now,
        customer_id=ticket.order.customer_id,
        ticket_id=ticket.id,
        ask_rating=rate,
    )


def _item(ticket: AfterSaleTicket) -> str:
    return ticket.item.product_name if ticket.item is not None else f"订单 {ticket.order.order_no}"


@dataclass(frozen=True)
class StepResult:
    ticket_no: str
    status: AfterSaleStatus
    customer_text: str


def approve(
    session: Session, ticket_no: str, *, actor: str, note: str, now: datetime
) -> StepResult:
    """Approve a pending ticket: a return or exchange waits for the parcel, a refund-only
    request is refunded at once. The customer is asked for the return tracking number."""
    ticket = _ticket(session, ticket_no)
    note = _reason(note, required=False)
    label = AFTER_SALE_TYPE_LABELS[ticket.type]
    if ticket.type is AfterSaleType.REFUND:
        _move(session, ticket, AfterSaleStatus.PENDING_REVIEW, AfterSaleStatus.REFUNDED)
        text = (
            f"好消息！您的{label}申请（售后单 {ticket.ticket_no}）审核通过了，"
            f"{yuan(ticket.refund_amount_fen)} 已为您办理退款，"
            f"{arrival_text(ticket.order.payment_method)}。"
        )
        log_ticket_event(session, ticket, "approved", actor, note, now)
        log_ticket_event(session, ticket, "refunded", actor, yuan(ticket.refund_amount_fen), now)
    else:
        _move(session, ticket, AfterSaleStatus.PENDING_REVIEW, AfterSaleStatus.AWAITING_RETURN)
        text = (
            f"好消息！您的{label}申请（售后单 {ticket.ticket_no}，{_item(ticket)}）审核通过了。"
            f"请把商品寄回：{RETURN_ADDRESS}。寄出后把退货快递单号发给小优就可以，"
            "例如「退货单号 SF1234567890」，我们收到包裹后马上为您处理。"
        )
        log_ticket_event(session, ticket, "approved", actor, note, now)
    if note:
        text += f"\n审核备注：{note}"
    _tell(session, ticket, "review", text, now, rate=ticket.type is AfterSaleType.REFUND)
    close_for_ticket(
        session, ticket.id, outcome=f"审核通过{('：' + note) if note else ''}", by=actor, now=now
    )
    return StepResult(ticket.ticket_no, ticket.status, text)


def reject(
    session: Session, ticket_no: str, *, actor: str, reason: str, now: datetime
) -> StepResult:
    """Turn a pending ticket down with a reason the customer reads (and may contest)."""
    ticket = _ticket(session, ticket_no)
    reason = _reason(reason, required=True)
    _move(session, ticket, AfterSaleStatus.PENDING_REVIEW, AfterSaleStatus.REJECTED)
    log_ticket_event(session, ticket, "rejected", actor, reason, now)
    text = (
        f"关于您的{AFTER_SALE_TYPE_LABELS[ticket.type]}申请（售后单 {ticket.ticket_no}），"
        f"很抱歉这次没能通过审核：{reason}\n"
        "如果您有补充的照片或说明，直接发给小优，或者说「转人工」，客服会再帮您看一看。"
    )
    _tell(session, ticket, "review", text, now, rate=False)
    close_for_ticket(session, ticket.id, outcome=f"审核未通过：{reason}", by=actor, now=now)
    return StepResult(ticket.ticket_no, ticket.status, text)


def _ticket(session: Session, ticket_no: str) -> AfterSaleTicket:
    ticket = ticket_by_no(session, ticket_no)
    if ticket is None:
        raise LookupError(ticket_no)
    return ticket


def return_tracking_in(text: str) -> str | None:
    """A carrier tracking number in the customer's words ("退货单号 SF1234567890"), or None.

    Looser than the NLU's identifier pattern: carriers print 10-15 digits after the prefix,
    and a bare number of 12-15 digits is one too (never an 18-digit order or an 11-digit phone).
    """
    match = RETURN_TRACKING.search(text)
    return match.group(1).upper() if match else None


def awaiting_tracking(
    session: Session, *, customer_id: int | None, order_nos: Sequence[str] = ()
) -> list[AfterSaleTicket]:
    """Approved returns and exchanges still without a return tracking number, newest first:
    the signed-in customer's, or those of the orders this visitor verified."""
    if customer_id is not None:
        whose = Order.customer_id == customer_id
    elif order_nos:
        whose = Order.order_no.in_(list(order_nos))
    else:
        return []
    query = (
        select(AfterSaleTicket)
        .join(Order, Order.id == AfterSaleTicket.order_id)
        .where(
            whose,
            AfterSaleTicket.status == AfterSaleStatus.AWAITING_RETURN,
            AfterSaleTicket.return_tracking_no.is_(None),
        )
        .order_by(AfterSaleTicket.updated_at.desc(), AfterSaleTicket.id.desc())
    )
    return list(session.execute(query).scalars())


def record_return_tracking(
    session: Session, ticket: AfterSaleTicket, tracking_no: str, now: datetime
) -> StepResult:
    """The customer sent the parcel back: keep its tracking number on the ticket."""
    if ticket.status is not AfterSaleStatus.AWAITING_RETURN:
        raise ReviewError(f"售后单 {ticket.ticket_no} 现在不需要寄回商品。")
    tracking_no = tracking_no.strip().upper()
    ticket.return_tracking_no = tracking_no
    ticket.updated_at = now
    log_ticket_event(session, ticket, "return_shipped", CUSTOMER, tracking_no, now)
    text = (
        f"收到～退货快递单号 {tracking_no} 已经登记到售后单 {ticket.ticket_no}。"
        "仓库签收后会马上为您处理，到时小优会主动通知您。"
    )
    return StepResult(ticket.ticket_no, ticket.status, text)


def receive_return(session: Session, ticket_no: str, *, now: datetime) -> StepResult:
    """The warehouse got the parcel: refund a return, ship the replacement of an exchange."""
    ticket = _ticket(session, ticket_no)
    if ticket.status is not AfterSaleStatus.AWAITING_RETURN:
        raise ReviewError(
            f"售后单 {ticket.ticket_no} 不在待寄回状态（现在是{ticket.status.value}）。"
        )
    log_ticket_event(
        session, ticket, "return_received", WAREHOUSE, ticket.return_tracking_no or "", now
    )
    if ticket.type is AfterSaleType.EXCHANGE:
        _move(session, ticket, AfterSaleStatus.AWAITING_RETURN, AfterSaleStatus.COMPLETED)
        log_ticket_event(session, ticket, "reshipped", WAREHOUSE, ticket.description, now)
        text = (
            f"您寄回的商品仓库已经收到啦（售后单 {ticket.ticket_no}），"
            f"换货的新商品已经为您发出：{ticket.description}，请留意查收～"
        )
    else:
        _move(session, ticket, AfterSaleStatus.AWAITING_RETURN, AfterSaleStatus.REFUNDED)
        amount = yuan(ticket.refund_amount_fen)
        log_ticket_event(session, ticket, "refunded", WAREHOUSE, amount, now)
        text = (
            f"您寄回的商品仓库已经收到啦（售后单 {ticket.ticket_no}），{amount} 已为您办理退款，"
            f"{arrival_text(ticket.order.payment_method)}。"
        )
    ticket.updated_at = now
    _tell(session, ticket, "after_sale", text, now, rate=True)
    return StepResult(ticket.ticket_no, ticket.status, text)
