"""Console sign-in back-off per username and client, in the database (shared by every instance).

The first FREE_ATTEMPTS attempts of one username from one client wait for nothing (people
mistype); from then on each attempt must wait a delay that doubles, from FIRST_DELAY up to
MAX_DELAY, counted from the moment the previous wrong answer was given. A success clears the
count; a count not touched for FORGET_AFTER starts afresh.

Atomic without locks: an attempt is counted when it *starts*, by a compare-and-set UPDATE that
matches only the row it read, so of parallel attempts exactly one can take each turn (the others
lose the race and read again). Keyed by a hash of username and client key together, so a
stranger's wrong passwords for an agent slow down only that stranger. Touches ``login_failures``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models_security import LoginFailure
from bot.timeutil import BEIJING

FREE_ATTEMPTS = 5
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


def precise_now() -> datetime:
    """Beijing time, naive (the storage convention), to the microsecond: delays start at 1 s."""
    return datetime.now(BEIJING).replace(tzinfo=None)


def delay_after(attempts: int) -> timedelta:
    """How long the next attempt waits once `attempts` have been made: nothing until
    FREE_ATTEMPTS have, then 1 s, 2 s, 4 s … up to MAX_DELAY."""
    if attempts < FREE_ATTEMPTS:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(attempts - FREE_ATTEMPTS, 20), MAX_DELAY)


def subject_of(username: str, client_key: str) -> str:
    return hashlib.sha256(f"{username.strip().lower()}\n{client_key}".encode()).hexdigest()


@dataclass(frozen=True)
class Turn:
    """An attempt that may go (``attempt`` is its number), or the seconds to ``wait``."""

    attempt: int = 0
    wait: float = 0.0


def take_turn(session: Session, subject: str, now: datetime) -> Turn | None:
    """Counts an attempt that may go now, or says how long to wait; None when a parallel
    attempt changed the count in between (read again, in a new transaction)."""
    row = session.execute(
        select(LoginFailure).where(LoginFailure.subject == subject)
    ).scalar_one_or_none()
    if row is None:
        session.add(
            LoginFailure(subject=subject, attempts=1, last_attempt_at=now, blocked_until=now)
        )
        try:
            session.flush()
        except IntegrityError:  # a parallel first attempt inserted it
            session.rollback()
            return None
        return Turn(attempt=1)
    forgotten = now - row.last_attempt_at > FORGET_AFTER
    # Without a delay due, blocked_until is just when the last attempt started, which a parallel
    # attempt's clock may read as a hair in its future: no reason to wait.
    if not forgotten and delay_after(row.attempts) and row.blocked_until > now:
        return Turn(wait=(row.blocked_until - now).total_seconds())
    attempts = 1 if forgotten else row.attempts + 1
    taken = session.execute(
        update(LoginFailure)
        .where(
            LoginFailure.subject == subject,
            LoginFailure.attempts == row.attempts,
            LoginFailure.last_attempt_at == row.last_attempt_at,
        )
        .values(attempts=attempts, last_attempt_at=now, blocked_until=now + delay_after(attempts))
        .execution_options(synchronize_session=False)
    )
    return Turn(attempt=attempts) if taken.rowcount == 1 else None


def record_failure(session: Session, subject: str, attempt: int, now: datetime) -> None:
    """Attempt number `attempt` was wrong: the next waits its delay from `now`, the moment the
    wrong answer is given (the check itself takes a while)."""
    delay = delay_after(attempt)
    if not delay:
        return
    until = now + delay
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.subject == subject, LoginFailure.blocked_until < until)
        .values(blocked_until=until)
        .execution_options(synchronize_session=False)
    )


def clear(session: Session, subject: str, now: datetime) -> None:
    """A success: this username and client start afresh; counts long forgotten are dropped."""
    session.execute(
        delete(LoginFailure)
        .where(
            (LoginFailure.subject == subject)
            | (LoginFailure.last_attempt_at < now - FORGET_AFTER - MAX_DELAY)
        )
        .execution_options(synchronize_session=False)
    )
