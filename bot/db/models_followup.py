"""Models of the handbook's back office: ticket reviews, promises kept, notices and 回访.

- ``TicketEvent``: the timestamped audit trail of an after-sale ticket (review, return parcel,
  receipt, refund), seed 001 §3.2.
- ``FollowUp``: a promise the bot or an agent made to a customer ("…前给您回复进展", a call-back,
  a review result), with its due time and owner, until someone closes it with an outcome
  (000 dispute step 7, 001 §3.3).
- ``CustomerNotice``: a message the shop sends without being asked (review result, follow-up
  outcome, a stuck parcel), pushed live or kept for the customer's next visit (002 主动同步进度).
- ``SatisfactionSurvey``: a 1-5 rating question asked after a bot-only conversation or an
  after-sale case, and its answer (001 §4.1); human cases keep theirs on ``HandoffCase.rating``.

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules.
Alembic revision 0006 mirrors this module exactly. States and kinds are plain strings with a
CHECK constraint, like the handoff models, so the console renders them as they are.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

# FollowUp and the others refer to Customer, Order, the tickets and handoff cases by name.
import bot.db.models_handoff  # noqa: F401  (imports bot.db.models too)
from bot.db.base import Base

TICKET_EVENT_KINDS = (
    "approved",
    "rejected",
    "return_shipped",
    "return_received",
    "refunded",
    "reshipped",
)

FOLLOW_UP_KINDS = ("logistics", "shipment", "callback", "ticket_review", "low_rating")
FOLLOW_UP_OPEN = "open"
FOLLOW_UP_CLOSED = "closed"
FOLLOW_UP_STATUSES = (FOLLOW_UP_OPEN, FOLLOW_UP_CLOSED)
# Owners: an agent's username, or one of these roles (anyone on the desk / a supervisor).
OWNER_DESK = "desk"
OWNER_SUPERVISOR = "supervisor"

NOTICE_PENDING = "pending"
NOTICE_DELIVERED = "delivered"
NOTICE_STATUSES = (NOTICE_PENDING, NOTICE_DELIVERED)
NOTICE_KINDS = ("review", "after_sale", "follow_up", "logistics", "shipment")

SURVEY_SUBJECTS = ("conversation", "after_sale")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class TicketEvent(Base):
    """One step of an after-sale ticket: who did it, when, and why."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        ForeignKey("after_sale_tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(20), nullable=False)
    # "bot", "customer", "warehouse" or an agent's username.
    actor = Column(String(40), nullable=False)
    detail = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (CheckConstraint(_in("kind", TICKET_EVENT_KINDS), name="kind_valid"),)

    ticket = relationship("AfterSaleTicket")


class FollowUp(Base):
    """A promise to a customer, open until someone closes it with the outcome."""

    __tablename__ = "follow_ups"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    status = Column(String(20), nullable=False, default=FOLLOW_UP_OPEN)
    # Who is told the outcome: the customer (if known) and the conversation it was promised in.
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    sender_id = Column(String(255), nullable=True)
    channel = Column(String(20), nullable=True)
    order_id = Column(ForeignKey("orders.id"), nullable=True, index=True)
    ticket_id = Column(ForeignKey("after_sale_tickets.id"), nullable=True, index=True)
    handoff_case_id = Column(ForeignKey("handoff_cases.id"), nullable=True)
    # What the customer was told, in the words they read.
    promise = Column(Text, nullable=False)
    owner = Column(String(40), nullable=False, default=OWNER_DESK)
    # The store's clock (bot.services.clock), the one the promise was made on.
    due_at = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime, nullable=True)
    closed_by = Column(String(40), nullable=True)
    outcome = Column(Text, nullable=True)

    __table_args__ = (
        CheckConstraint(_in("kind", FOLLOW_UP_KINDS), name="kind_valid"),
        CheckConstraint(_in("status", FOLLOW_UP_STATUSES), name="status_valid"),
        # The console's list: open ones by due time.
        Index("ix_follow_ups_due", "status", "due_at"),
    )

    order = relationship("Order")
    customer = relationship("Customer")


class CustomerNotice(Base):
    """A message for a customer that nobody asked for yet: pending until it reached them."""

    __tablename__ = "customer_notices"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    status = Column(String(20), nullable=False, default=NOTICE_PENDING)
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    sender_id = Column(String(255), nullable=True, index=True)
    # The channel the customer last used for this matter (socketio, rest, wechat), if known.
    channel = Column(String(20), nullable=True)
    ticket_id = Column(ForeignKey("after_sale_tickets.id"), nullable=True)
    text = Column(Text, nullable=False)
    # Followed by the 1-5 rating question when it reaches the customer (after a resolved case).
    ask_rating = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)
    # "socketio", "wechat", "session_start" ...: how it reached the customer.
    delivered_via = Column(String(20), nullable=True)

    __table_args__ = (
        CheckConstraint(_in("kind", NOTICE_KINDS), name="kind_valid"),
        CheckConstraint(_in("status", NOTICE_STATUSES), name="status_valid"),
        Index("ix_customer_notices_pending", "status", "created_at"),
    )


class SatisfactionSurvey(Base):
    """A rating question the bot asked (rating NULL until answered)."""

    __tablename__ = "satisfaction_surveys"

    id = Column(Integer, primary_key=True)
    subject = Column(String(20), nullable=False)
    sender_id = Column(String(255), nullable=False, index=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    ticket_id = Column(ForeignKey("after_sale_tickets.id"), nullable=True)
    # Wall clock (bot.timeutil): "not twice in a day" is about the customer's real day.
    asked_at = Column(DateTime, nullable=False)
    rating = Column(Integer, nullable=True)
    comment = Column(String(300), nullable=True)
    rated_at = Column(DateTime, nullable=True)

    __table_args__ = (
        CheckConstraint(_in("subject", SURVEY_SUBJECTS), name="subject_valid"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
    )
