"""Lock-out of phone-tail verification per order number, across conversations and restarts.

A tail has 10,000 values. The conversation's own 3-miss lock stops a customer who mistyped; this
one stops a script that opens a new conversation for every few guesses: after MAX_FAILURES
misses on one order number within WINDOW, that number cannot be verified for LOCK_OUT, by
anyone. (Per-client request limits come on top, in the channels.) Touches the table
``verification_attempts`` only.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_security import VerificationAttempt
from bot.services.customers.identity import order_by_phone_tail

MAX_FAILURES = 5
WINDOW = timedelta(hours=1)
LOCK_OUT = timedelta(hours=1)


def _attempt(session: Session, order_no: str) -> VerificationAttempt | None:
    return session.execute(
        select(VerificationAttempt).where(VerificationAttempt.order_no == order_no)
    ).scalar_one_or_none()


def _locked(attempt: VerificationAttempt | None, now: datetime) -> bool:
    return attempt is not None and attempt.locked_until is not None and attempt.locked_until > now


def is_locked(session: Session, order_no: str, now: datetime) -> bool:
    return _locked(_attempt(session, order_no), now)


def record_failure(session: Session, order_no: str, now: datetime) -> bool:
    """Counts a miss on `order_no`; True when the number is (now) locked."""
    attempt = _attempt(session, order_no)
    if attempt is None:
        attempt = VerificationAttempt(order_no=order_no, failures=0, first_failed_at=now)
        session.add(attempt)
    elif now - attempt.first_failed_at > WINDOW and not _locked(attempt, now):
        attempt.failures, attempt.first_failed_at, attempt.locked_until = 0, now, None
    attempt.failures += 1
    if attempt.failures >= MAX_FAILURES and attempt.locked_until is None:
        attempt.locked_until = now + LOCK_OUT
    session.flush()
    return _locked(attempt, now)


def record_success(session: Session, order_no: str) -> None:
    """A right tail clears the count (a customer who mistyped starts afresh); never called for
    a locked number, which is refused before its tail is checked."""
    attempt = _attempt(session, order_no)
    if attempt is not None:
        session.delete(attempt)


class Verdict(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"  # or no such order: the same answer, so a guess learns nothing
    LOCKED = "locked"


def check_phone_tail(session: Session, order_no: str, tail: str, now: datetime) -> Verdict:
    """An anonymous visitor's verification, counted: a locked number is not even checked."""
    if is_locked(session, order_no, now):
        return Verdict.LOCKED
    if order_by_phone_tail(session, order_no, tail) is not None:
        record_success(session, order_no)
        return Verdict.VERIFIED
    return Verdict.LOCKED if record_failure(session, order_no, now) else Verdict.WRONG
