"""Models of the WeChat Official Account channel (bot.channels.wechat).

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules.
Alembic revision 0007 mirrors this module exactly. Times are Beijing wall-clock time, naive
(bot.timeutil), from the real clock: WeChat's 48-hour window runs on real time, not the demo
store's frozen "now".
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text

# The links refer to customers, orders and after_sale_tickets: those tables must be in the
# metadata too.
import bot.db.models  # noqa: F401
from bot.db.base import Base

# Outbox states. A row is never deleted: "failed" rows are the record of what did not arrive.
PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class WeChatUser(Base):
    """One WeChat user (openid) of the Official Account, and the shop customer they proved to be.

    ``customer_id`` is set once the user verified an order with the buyer's phone tail, and
    cleared when they unbind; until then the chat is anonymous.
    """

    __tablename__ = "wechat_users"

    openid = Column(String(64), primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    bound_at = Column(DateTime, nullable=True)
    # The user's latest message, menu click or subscription: WeChat accepts customer-service
    # messages to them for 48 hours after it.
    last_interaction_at = Column(DateTime, nullable=False)
    # The numbered choices of the bot's latest reply (JSON list of payloads): WeChat text has no
    # buttons, so a reply of "2" stands for the second one.
    choices = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False)


class WeChatEvidence(Base):
    """A picture a WeChat user sent: evidence for an after-sale ticket (or at least an order).

    WeChat keeps ``media_id`` for three days and ``pic_url`` longer; both are kept so the desk
    can fetch the picture. Neither link is set for a user who has not verified any order yet.
    """

    __tablename__ = "wechat_evidence"

    id = Column(Integer, primary_key=True)
    openid = Column(String(64), nullable=False, index=True)
    msg_id = Column(String(32), nullable=True)
    media_id = Column(String(128), nullable=False)
    pic_url = Column(String(512), nullable=False)
    ticket_id = Column(ForeignKey("after_sale_tickets.id"), nullable=True, index=True)
    order_id = Column(ForeignKey("orders.id"), nullable=True, index=True)
    received_at = Column(DateTime, nullable=False)


class WeChatOutboxMessage(Base):
    """A text waiting to go out through the customer-service API, sent, or given up on.

    Written before the first attempt, so a crash or an API outage loses nothing: pending rows
    are retried with back-off until they are sent or fail for good (kept with the error).
    """

    __tablename__ = "wechat_outbox"

    id = Column(Integer, primary_key=True)
    openid = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    status = Column(String(10), nullable=False)
    attempts = Column(Integer, nullable=False)
    last_error = Column(String(300), nullable=True)
    created_at = Column(DateTime, nullable=False)
    # Also the lease of a delivery in progress: a worker moves it ahead before sending, so two
    # server processes never send the same row.
    next_attempt_at = Column(DateTime, nullable=False)
    sent_at = Column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_wechat_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_wechat_outbox_openid_status", "openid", "status"),
    )


class WeChatReplayMark(Base):
    """A request signature or message id seen recently: the same one again is a replay (or
    WeChat's own retry) and is not processed twice. Rows older than the window are purged."""

    __tablename__ = "wechat_replay_marks"

    key = Column(String(100), primary_key=True)
    seen_at = Column(DateTime, nullable=False, index=True)
