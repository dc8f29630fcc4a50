"""Models of the human handoff: agents, their sessions, handoff cases and the cases' audit trail,
and the console's canned replies and read markers.

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules
so the migrations and the seed see every table. Alembic revisions 0002 (and 0008 for canned
replies and read markers) mirror this module exactly; tests/integration/test_db_migrations.py
compares the two.

States, roles and event kinds are plain strings with a CHECK constraint (not Python enums): the
console renders and compares them as they are, and JSON-encodes them without conversion.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

# The shop's models must be mapped too: HandoffCase.customer refers to Customer by name.
import bot.db.models  # noqa: F401
from bot.db.base import Base
from bot.timeutil import beijing_now

ROLE_AGENT = "agent"
ROLE_SUPERVISOR = "supervisor"
ROLES = (ROLE_AGENT, ROLE_SUPERVISOR)

WAITING = "waiting"
ACTIVE = "active"
RESOLVED = "resolved"
CASE_STATUSES = (WAITING, ACTIVE, RESOLVED)
OPEN_STATUSES = (WAITING, ACTIVE)

EVENT_KINDS = ("created", "claimed", "transferred", "agent_message", "resolved", "rated", "note")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Agent(Base):
    """A person at the service desk who can log into the console."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    display_name = Column(String(40), nullable=False)
    # "scrypt$n$r$p$salt$hash" (see bot.handoff.agents); never the password itself.
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False, default=ROLE_AGENT)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=beijing_now)

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role_valid"),)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.role == ROLE_SUPERVISOR)


class AgentSession(Base):
    """A console login; only the SHA-256 of the token is stored, so the table logs no one in."""

    __tablename__ = "agent_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    agent_id = Column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)

    agent = relationship("Agent")


class HandoffCase(Base):
    """One conversation handed to a person: waiting in the queue, being served, or resolved."""

    __tablename__ = "handoff_cases"

    id = Column(Integer, primary_key=True)
    # The Rasa conversation id: the console reads the transcript from the tracker store by it.
    sender_id = Column(String(255), nullable=False, index=True)
    # NULL for an anonymous visitor.
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    status = Column(String(20), nullable=False, default=WAITING)
    # Higher first: 3 legal threat or safety harm, 2 anger, 1 everything else.
    priority = Column(Integer, nullable=False, default=1)
    score = Column(Float, nullable=False, default=0.0)
    # [{"code": ..., "detail": ..., "weight": ...}] as decided by bot.handoff.escalation.
    reasons = Column(JSON, nullable=False, default=list)
    # bot.handoff.summary.build_summary's dict: what the agent reads before answering.
    summary = Column(JSON, nullable=False, default=dict)
    agent_id = Column(ForeignKey("agents.id"), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False)
    claimed_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    rating = Column(Integer, nullable=True)
    rating_comment = Column(String(300), nullable=True)
    # Opened outside service hours: the customer was promised a call-back by ``callback_by``.
    after_hours = Column(Boolean, nullable=False, default=False)
    callback_by = Column(DateTime, nullable=True)

    __table_args__ = (
        CheckConstraint(_in("status", CASE_STATUSES), name="status_valid"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
        # The queue query: waiting cases by priority, then by how long they have waited.
        Index("ix_handoff_cases_queue", "status", "priority", "created_at"),
    )

    agent = relationship("Agent")
    customer = relationship("Customer")
    events = relationship(
        "HandoffEvent",
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="HandoffEvent.id",
    )


class HandoffEvent(Base):
    """Audit trail of a case: who did what, when."""

    __tablename__ = "handoff_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    # "bot", "customer" or an agent's username.
    actor = Column(String(40), nullable=False)
    detail = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (CheckConstraint(_in("kind", EVENT_KINDS), name="kind_valid"),)

    case = relationship("HandoffCase", back_populates="events")


class CannedReply(Base):
    """A ready-made answer agents insert into a chat; supervisors keep the list
    (bot.handoff.console.canned)."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    # Unique: the title is what an agent picks from, two equal ones would be a guess.
    title = Column(String(40), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    # NULL for the shop's starting set, or when the supervisor who wrote it has left.
    updated_by = Column(ForeignKey("agents.id", ondelete="SET NULL"), nullable=True)
    updated_at = Column(DateTime, nullable=False)


class CaseReadMarker(Base):
    """How far an agent has read a case's conversation: the unread count is what came after.

    ``read_until`` is a tracker event timestamp (Unix seconds), the clock of the messages
    themselves, so no conversion between the store's Beijing time and Rasa's is involved.
    """

    __tablename__ = "case_read_markers"

    case_id = Column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), primary_key=True, nullable=False
    )
    agent_id = Column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    read_until = Column(Float, nullable=False)
