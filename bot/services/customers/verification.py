"""Lock-out of phone-tail verification per order number and per client, across conversations
and restarts.

A tail has 10,000 values. The conversation's own 3-miss lock stops a customer who mistyped; these
stop a script that opens a new conversation for every few guesses. After MAX_FAILURES misses on
one order number within WINDOW, that number cannot be verified for LOCK_OUT, by anyone; after
MAX_CLIENT_FAILURES misses from one client (bot.security.client_address: an address, keyed) on
any order numbers within WINDOW, that client cannot verify anything for LOCK_OUT, so it cannot
spread its guesses over many orders either. (Per-client request limits come on top, in the
channels.) Touches the tables ``verification_attempts`` and ``client_lockouts`` only.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_security import ClientLockout, VerificationAttempt
from bot.services.customers.identity import order_by_phone_tail

MAX_FAILURES = 5
# A real customer with several orders may mistype a few of them; a script trying orders one
# after another meets this after a handful of guesses at each.
MAX_CLIENT_FAILURES = 10
WINDOW = timedelta(hours=1)
LOCK_OUT = timedelta(hours=1)


def _attempt(session: Session, order_no: str) -> VerificationAttempt | None:
    return session.execute(
        select(VerificationAttempt).where(VerificationAttempt.order_no == order_no)
    ).scalar_one_or_none()


def _client(session: Session, client_key: str) -> ClientLockout | None:
    return session.execute(
        select(ClientLockout).where(ClientLockout.client_key == client_key)
    ).scalar_one_or_none()


def _locked(counter: Any | None, now: datetime) -> bool:
    return counter is not None and counter.locked_until is not None and counter.locked_until > now


def _count_failure(counter: Any, limit: int, now: datetime) -> bool:
    """One more miss on a VerificationAttempt or ClientLockout; True when it is (now) locked."""
    if now - counter.first_failed_at > WINDOW and not _locked(counter, now):
        counter.failures, counter.first_failed_at, counter.locked_until = 0, now, None
    counter.failures += 1
    if counter.failures >= limit and counter.locked_until is None:
        counter.locked_until = now + LOCK_OUT
    return _locked(counter, now)


def is_locked(
    session: Session, order_no: str, now: datetime, client_key: str | None = None
) -> bool:
    if client_key is not None and _locked(_client(session, client_key), now):
        return True
    return _locked(_attempt(session, order_no), now)


def record_failure(
    session: Session, order_no: str, now: datetime, client_key: str | None = None
) -> bool:
    """Counts a miss on `order_no` (and for the client); True when either is (now) locked."""
    attempt = _attempt(session, order_no)
    if attempt is None:
        attempt = VerificationAttempt(order_no=order_no, failures=0, first_failed_at=now)
        session.add(attempt)
    locked = _count_failure(attempt, MAX_FAILURES, now)
    if client_key is not None:
        client = _client(session, client_key)
        if client is None:
            client = ClientLockout(client_key=client_key, failures=0, first_failed_at=now)
            session.add(client)
        locked = _count_failure(client, MAX_CLIENT_FAILURES, now) or locked
    session.flush()
    return locked


def record_success(session: Session, order_no: str) -> None:
    """A right tail clears the order's count (a customer who mistyped starts afresh); never
    called for a locked number, which is refused before its tail is checked. The client's count
    stays: knowing one's own order must not buy more guesses at others'."""
    attempt = _attempt(session, order_no)
    if attempt is not None:
        session.delete(attempt)


class Verdict(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"  # or no such order: the same answer, so a guess learns nothing
    LOCKED = "locked"


def check_phone_tail(
    session: Session, order_no: str, tail: str, now: datetime, client_key: str | None = None
) -> Verdict:
    """An anonymous visitor's verification, counted per order and, when the channel named the
    client, per client: a locked number or client is not even checked."""
    if is_locked(session, order_no, now, client_key):
        return Verdict.LOCKED
    if order_by_phone_tail(session, order_no, tail) is not None:
        record_success(session, order_no)
        return Verdict.VERIFIED
    return Verdict.LOCKED if record_failure(session, order_no, now, client_key) else Verdict.WRONG
