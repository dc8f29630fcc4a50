"""Follow-ups: every promise made to a customer, open until someone closes it with the outcome.

Opening is idempotent per matter (one open follow-up of a kind per order, ticket or case), so a
customer asking twice about the same stuck parcel is promised one answer, not two. Closing
tells the customer the outcome through a notice (bot.services.notices), live or on their next
visit. Due times are on the store's clock (bot.services.clock), the one the promise was made on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Order
from bot.db.models_followup import (
    FOLLOW_UP_CLOSED,
    FOLLOW_UP_OPEN,
    OWNER_DESK,
    FollowUp,
)
from bot.services.notices.store import queue_notice

MAX_OUTCOME = 500
# "Due" in the console: the promise falls due within this time.
DUE_SOON = timedelta(hours=24)

KIND_LABELS = {
    "logistics": "物流核实",
    "shipment": "催发货",
    "callback": "下班后回电",
    "ticket_review": "售后审核",
    "low_rating": "低分回访",
}


class Urgency(str, enum.Enum):
    OVERDUE = "overdue"
    DUE = "due"
    LATER = "later"


def urgency(due_at: datetime, now: datetime) -> Urgency:
    """Overdue once the promised time has passed; due when it falls within a day."""
    if due_at < now:
        return Urgency.OVERDUE
    return Urgency.DUE if due_at - now <= DUE_SOON else Urgency.LATER


@dataclass(frozen=True)
class Matter:
    """What a promise is about and who hears the outcome (any of these may be unknown)."""

    customer_id: int | None = None
    sender_id: str | None = None
    channel: str | None = None
    order_id: int | None = None
    ticket_id: int | None = None
    handoff_case_id: int | None = None


def _existing(session: Session, kind: str, matter: Matter) -> FollowUp | None:
    query = select(FollowUp).where(FollowUp.kind == kind, FollowUp.status == FOLLOW_UP_OPEN)
    keyed = False
    for column, value in (
        (FollowUp.ticket_id, matter.ticket_id),
        (FollowUp.handoff_case_id, matter.handoff_case_id),
        (FollowUp.order_id, matter.order_id),
    ):
        if value is not None:
            query, keyed = query.where(column == value), True
    if not keyed:
        # About nothing in particular (a low rating of a bot-only chat): one per conversation.
        query = query.where(FollowUp.sender_id == matter.sender_id)
    return session.execute(query.order_by(FollowUp.id)).scalars().first()


def open_follow_up(
    session: Session,
    *,
    kind: str,
    promise: str,
    due_at: datetime,
    now: datetime,
    matter: Matter,
    owner: str = OWNER_DESK,
) -> tuple[FollowUp, bool]:
    """(follow-up, created): the open one about this matter, or a new one."""
    existing = _existing(session, kind, matter)
    if existing is not None:
        return existing, False
    follow_up = FollowUp(
        kind=kind,
        status=FOLLOW_UP_OPEN,
        customer_id=matter.customer_id,
        sender_id=matter.sender_id,
        channel=matter.channel,
        order_id=matter.order_id,
        ticket_id=matter.ticket_id,
        handoff_case_id=matter.handoff_case_id,
        promise=promise,
        owner=owner,
        due_at=due_at,
        created_at=now,
    )
    session.add(follow_up)
    session.flush()
    return follow_up, True


def open_follow_ups(session: Session) -> list[FollowUp]:
    query = (
        select(FollowUp)
        .where(FollowUp.status == FOLLOW_UP_OPEN)
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return list(session.execute(query).scalars())


def outcome_text(follow_up: FollowUp, outcome: str) -> str:
    """What the customer reads when the promise is kept."""
    about = f"订单 {follow_up.order.order_no} " if follow_up.order is not None else ""
    return (
        f"您好，小优来跟您同步之前{about}{KIND_LABELS[follow_up.kind]}的处理结果：{outcome}"
        "\n还有什么疑问可以直接回复小优～"
    )


class CloseError(ValueError):
    """The follow-up cannot be closed as asked (the message says why, in Chinese)."""


class AlreadyClosed(CloseError):
    """Someone closed it first; the customer has had the outcome."""


def close_follow_up(
    session: Session,
    follow_up_id: int,
    *,
    outcome: str,
    closed_by: str,
    now: datetime,
    tell_customer: bool = True,
) -> FollowUp:
    """Close it with the outcome and queue the customer's notice (unless told already)."""
    outcome = outcome.strip()
    if not outcome:
        raise CloseError("请填写处理结果，客户会收到这段话。")
    if len(outcome) > MAX_OUTCOME:
        raise CloseError(f"处理结果不能超过 {MAX_OUTCOME} 个字。")
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise LookupError(follow_up_id)
    # Conditional: two agents closing at once must not send the customer two outcomes.
    result = session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.status == FOLLOW_UP_OPEN)
        .values(status=FOLLOW_UP_CLOSED, closed_at=now, closed_by=closed_by[:40], outcome=outcome)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise AlreadyClosed("这条跟进已经关闭了。")
    reachable = follow_up.customer_id is not None or follow_up.sender_id
    if tell_customer and reachable:
        queue_notice(
            session,
            kind="follow_up",
            text=outcome_text(follow_up, outcome),
            now=now,
            customer_id=follow_up.customer_id,
            sender_id=follow_up.sender_id,
            channel=follow_up.channel,
            ticket_id=follow_up.ticket_id,
        )
    return follow_up


def close_for_ticket(
    session: Session, ticket_id: int, *, outcome: str, by: str, now: datetime
) -> None:
    """Close the ticket's review follow-up: the review result itself told the customer."""
    query = select(FollowUp.id).where(
        FollowUp.ticket_id == ticket_id,
        FollowUp.kind == "ticket_review",
        FollowUp.status == FOLLOW_UP_OPEN,
    )
    for follow_up_id in session.execute(query).scalars().all():
        close_follow_up(
            session, follow_up_id, outcome=outcome, closed_by=by, now=now, tell_customer=False
        )


def promise_order_news(
    session: Session, order: Order, *, kind: str, promise: str, due_at: datetime, now: datetime
) -> None:
    """The bot told the customer "…前给您回复进展" about this order: the desk owes the answer."""
    open_follow_up(
        session,
        kind=kind,
        promise=promise,
        due_at=due_at,
        now=now,
        matter=Matter(customer_id=order.customer_id, order_id=order.id),
    )
