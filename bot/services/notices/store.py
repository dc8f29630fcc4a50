"""The customer_notices table: queue a notice, find what is pending, claim a delivery once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.db.models_followup import NOTICE_DELIVERED, NOTICE_PENDING, CustomerNotice

# Long enough for every notice we compose; a runaway text must not flood the chat.
MAX_TEXT = 1000


@dataclass(frozen=True)
class PendingNotice:
    """A notice as a sender needs it; detached from the session."""

    id: int
    kind: str
    text: str
    customer_id: int | None
    sender_id: str | None
    channel: str | None
    ticket_id: int | None
    ask_rating: bool


def pending_view(notice: CustomerNotice) -> PendingNotice:
    return PendingNotice(
        id=int(notice.id),
        kind=str(notice.kind),
        text=str(notice.text),
        customer_id=notice.customer_id,
        sender_id=notice.sender_id,
        channel=notice.channel,
        ticket_id=notice.ticket_id,
        ask_rating=bool(notice.ask_rating),
    )


def queue_notice(
    session: Session,
    *,
    kind: str,
    text: str,
    now: datetime,
    customer_id: int | None = None,
    sender_id: str | None = None,
    channel: str | None = None,
    ticket_id: int | None = None,
    ask_rating: bool = False,
) -> CustomerNotice:
    """A pending notice for a customer (by id) or a conversation (by sender id), or both."""
    if customer_id is None and not sender_id:
        raise ValueError("a notice needs a customer or a conversation to go to")
    notice = CustomerNotice(
        kind=kind,
        status=NOTICE_PENDING,
        customer_id=customer_id,
        sender_id=sender_id or None,
        channel=channel,
        ticket_id=ticket_id,
        text=text[:MAX_TEXT],
        ask_rating=ask_rating,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def pending_for(
    session: Session, *, sender_id: str, customer_id: int | None
) -> list[PendingNotice]:
    """What waits for this conversation or this signed-in customer, oldest first."""
    target = CustomerNotice.sender_id == sender_id
    if customer_id is not None:
        target = or_(target, CustomerNotice.customer_id == customer_id)
    query = (
        select(CustomerNotice)
        .where(CustomerNotice.status == NOTICE_PENDING, target)
        .order_by(CustomerNotice.created_at, CustomerNotice.id)
    )
    return [pending_view(n) for n in session.execute(query).scalars()]


def all_pending(session: Session, limit: int = 200) -> list[PendingNotice]:
    """The newest pending notices: those of customers who never came back pile up, and must
    not keep a fresh one from being pushed to a customer who is online now."""
    query = (
        select(CustomerNotice)
        .where(CustomerNotice.status == NOTICE_PENDING)
        .order_by(CustomerNotice.created_at.desc(), CustomerNotice.id.desc())
        .limit(limit)
    )
    return [pending_view(n) for n in session.execute(query).scalars()]


def claim_delivery(session: Session, notice_id: int, via: str, now: datetime) -> bool:
    """Mark the notice delivered; False when someone else (another server, the session start)
    delivered it first, so each notice reaches the customer once."""
    result = session.execute(
        update(CustomerNotice)
        .where(CustomerNotice.id == notice_id, CustomerNotice.status == NOTICE_PENDING)
        .values(status=NOTICE_DELIVERED, delivered_at=now, delivered_via=via[:20])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def claim_all(
    session: Session, notices: Sequence[PendingNotice], via: str, now: datetime
) -> list[PendingNotice]:
    """The notices of ``notices`` this caller won the delivery of."""
    return [n for n in notices if claim_delivery(session, n.id, via, now)]
