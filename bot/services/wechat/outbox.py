"""The customer-service outbox (table ``wechat_outbox``): nothing to send is lost silently.

Texts are written here before the first attempt. A sender claims the oldest pending text of a
user when it is due (moving ``next_attempt_at`` ahead as a lease, so another server process
cannot send it too), then records the outcome: sent, retry later with back-off, or failed for
good with the error kept. Texts of one user go out in order: a later one waits for an earlier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models_wechat import FAILED, PENDING, SENT, WeChatOutboxMessage

# How long a claimed text is left alone by other senders: longer than one API call may take.
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=0.5)
LONGEST_RETRY = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after the `attempts`-th failure: 0.5 s, 1 s, 2 s, ... up to 5 min
    (12 attempts span about 18 minutes)."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def enqueue(session: Session, openid: str, texts: Sequence[str], now: datetime) -> int:
    """Queues the texts for the user, in order; how many."""
    for text in texts:
        session.add(
            WeChatOutboxMessage(
                openid=openid,
                text=text,
                status=PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return len(texts)


def record_undeliverable(
    session: Session, openid: str, texts: Sequence[str], reason: str, now: datetime
) -> None:
    """Keeps texts that cannot be sent at all as failed, with the reason."""
    for text in texts:
        session.add(
            WeChatOutboxMessage(
                openid=openid,
                text=text,
                status=FAILED,
                attempts=0,
                last_error=reason[:300],
                created_at=now,
                next_attempt_at=now,
            )
        )


def claim_next(session: Session, openid: str, now: datetime) -> tuple[int, str] | None:
    """(id, text) of the user's oldest pending text if it is due and this caller won the lease;
    None when nothing is due (or another sender holds it)."""
    query = (
        select(
            WeChatOutboxMessage.id, WeChatOutboxMessage.text, WeChatOutboxMessage.next_attempt_at
        )
        .where(WeChatOutboxMessage.openid == openid, WeChatOutboxMessage.status == PENDING)
        .order_by(WeChatOutboxMessage.id)
        .limit(1)
    )
    row = session.execute(query).first()
    if row is None or row.next_attempt_at > now:
        return None
    claimed = session.execute(
        update(WeChatOutboxMessage)
        .where(
            WeChatOutboxMessage.id == row.id,
            WeChatOutboxMessage.status == PENDING,
            WeChatOutboxMessage.next_attempt_at == row.next_attempt_at,
        )
        .values(
            next_attempt_at=now + LEASE,
            attempts=WeChatOutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return (int(row.id), str(row.text)) if claimed.rowcount == 1 else None


def next_due(session: Session, openid: str) -> datetime | None:
    """When the user's oldest pending text is due, or None when nothing is pending."""
    query = (
        select(WeChatOutboxMessage.next_attempt_at)
        .where(WeChatOutboxMessage.openid == openid, WeChatOutboxMessage.status == PENDING)
        .order_by(WeChatOutboxMessage.id)
        .limit(1)
    )
    value: datetime | None = session.execute(query).scalar_one_or_none()
    return value


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    message = session.get(WeChatOutboxMessage, message_id)
    message.status, message.sent_at, message.last_error = SENT, now, None


def mark_failed_attempt(
    session: Session, message_id: int, error: str, now: datetime, permanent: bool
) -> bool:
    """Records a failed attempt; True when the text is given up on (permanent error or too many
    attempts), False when it will be retried after the back-off."""
    message = session.get(WeChatOutboxMessage, message_id)
    message.last_error = error[:300]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = FAILED
        return True
    message.next_attempt_at = now + retry_delay(int(message.attempts))
    return False


def users_with_due_texts(session: Session, now: datetime) -> list[str]:
    query = (
        select(WeChatOutboxMessage.openid)
        .where(
            WeChatOutboxMessage.status == PENDING,
            WeChatOutboxMessage.next_attempt_at <= now,
        )
        .distinct()
    )
    return [str(openid) for openid in session.execute(query).scalars()]
