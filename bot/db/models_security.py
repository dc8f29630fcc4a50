"""Models of the anti-brute-force records: failed phone-tail checks per order number and per
client, failed console sign-ins per username and client.

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules.
Alembic revision 0004 mirrors ``VerificationAttempt``, 0009 the other two.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from bot.db.base import Base


class VerificationAttempt(Base):
    """Failed phone-tail checks of one order number, whoever made them.

    Kept in the database rather than in the conversation: a new sender id or ``/restart`` starts
    a new conversation, and a 4-digit tail would then fall to a few thousand requests.
    """

    __tablename__ = "verification_attempts"

    id = Column(Integer, primary_key=True)
    # Any 18-digit number is counted, existing or not, so a lock-out reveals nothing.
    order_no = Column(String(32), nullable=False, unique=True)
    failures = Column(Integer, nullable=False)
    # Beijing time (bot.timeutil). The count restarts once the window since the first failure
    # has passed; locked_until is set when the count reaches the limit within it.
    first_failed_at = Column(DateTime, nullable=False)
    locked_until = Column(DateTime, nullable=True)


class ClientLockout(Base):
    """Failed phone-tail checks from one client (an address, keyed by
    bot.security.client_address), whatever order numbers they named.

    The per-order count stops many guesses at one order; this one stops one address trying a
    few guesses at each of many orders.
    """

    __tablename__ = "client_lockouts"

    id = Column(Integer, primary_key=True)
    client_key = Column(String(32), nullable=False, unique=True)
    failures = Column(Integer, nullable=False)
    # Beijing time, as in VerificationAttempt.
    first_failed_at = Column(DateTime, nullable=False)
    locked_until = Column(DateTime, nullable=True)


class LoginFailure(Base):
    """Console sign-in attempts of one username from one client, not yet cleared by a success.

    ``subject`` is a hash of both (bot.security.login_throttle), so a stranger's guesses at an
    agent's name slow down only that stranger. Counted in the database so that every Rasa
    instance sees the same count, and updated by compare-and-set so that parallel attempts
    cannot all pass one check.
    """

    __tablename__ = "login_failures"

    id = Column(Integer, primary_key=True)
    subject = Column(String(64), nullable=False, unique=True)
    attempts = Column(Integer, nullable=False)
    # Beijing time. No attempt before blocked_until; the count is forgotten once the last
    # attempt is long past.
    last_attempt_at = Column(DateTime, nullable=False)
    blocked_until = Column(DateTime, nullable=False)
