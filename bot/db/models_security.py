"""Model of the anti-brute-force record: failed phone-tail checks per order number.

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules.
Alembic revision 0004 mirrors this module exactly.
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
