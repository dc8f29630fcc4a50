"""Handoff cases: open, queue, claim, transfer, resolve, rate (sessions and ``now`` passed in).

State changes are single conditional UPDATEs (``... WHERE id = ? AND status = 'waiting'``): the
database decides who wins when two agents click "claim" at once, and the loser learns it from
the row count instead of both believing they own the chat. Every change is written to the
case's audit trail (handoff_events) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models_handoff import (
    ACTIVE,
    OPEN_STATUSES,
    RESOLVED,
    WAITING,
    Agent,
    HandoffCase,
    HandoffEvent,
)
from bot.handoff.escalation import Decision

BOT = "bot"
CUSTOMER = "customer"
# Service hours of the human desk, Beijing time: [09:00, 22:00).
OPENS = time(9, 0)
CLOSES = time(22, 0)
# After hours we promise a call-back within this long after the desk opens.
CALLBACK_AFTER_OPENING = timedelta(hours=2)
# Average time an agent spends per chat; the expected wait grows with the queue position.
MINUTES_PER_CASE = 3


# --- pure helpers ------------------------------------------------------------------------------


def in_service_hours(now: datetime) -> bool:
    return OPENS <= now.time() < CLOSES


def callback_by(now: datetime) -> datetime:
    """When a customer who wrote after hours will have been called back at the latest."""
    opening = datetime.combine(now.date(), OPENS)
    if now.time() >= CLOSES:
        opening += timedelta(days=1)
    return opening + CALLBACK_AFTER_OPENING


def expected_wait_minutes(position: int) -> int:
    """Minutes until an agent takes the chat at this 1-based queue position (at least 1)."""
    return max(1, position) * MINUTES_PER_CASE


def waiting_minutes(case: HandoffCase, now: datetime) -> int:
    """How long the customer has been waiting (or waited, once claimed) for a person."""
    until = case.claimed_at or now
    return max(0, int((until - case.created_at).total_seconds() // 60))


# --- audit trail -------------------------------------------------------------------------------


def log_event(
    session: Session, case_id: int, kind: str, actor: str, detail: str, now: datetime
) -> HandoffEvent:
    """Append to a case's audit trail (kinds: see bot.db.models_handoff.EVENT_KINDS)."""
    event = HandoffEvent(case_id=case_id, kind=kind, actor=actor, detail=detail, created_at=now)
    session.add(event)
    session.flush()
    return event


def _actor(session: Session, agent_id: int) -> str:
    agent = session.get(Agent, agent_id)
    return str(agent.username) if agent is not None else f"agent#{agent_id}"


# --- reading -----------------------------------------------------------------------------------


def case_by_id(session: Session, case_id: int) -> HandoffCase | None:
    return session.get(HandoffCase, case_id)


def active_case_for_sender(session: Session, sender_id: str) -> HandoffCase | None:
    """The sender's open case (waiting or being served), if any."""
    query = (
        select(HandoffCase)
        .where(HandoffCase.sender_id == sender_id, HandoffCase.status.in_(OPEN_STATUSES))
        .order_by(HandoffCase.created_at.desc(), HandoffCase.id.desc())
    )
    found: HandoffCase | None = session.execute(query).scalars().first()
    return found


def queue(session: Session) -> list[HandoffCase]:
    """Waiting cases: highest priority first, then whoever has waited longest."""
    query = (
        select(HandoffCase)
        .where(HandoffCase.status == WAITING)
        .order_by(HandoffCase.priority.desc(), HandoffCase.created_at, HandoffCase.id)
    )
    return list(session.execute(query).scalars())


def queue_position(session: Session, case: HandoffCase) -> int:
    """1-based place of a waiting case in the queue; 0 once it is no longer waiting."""
    for index, waiting in enumerate(queue(session), start=1):
        if waiting.id == case.id:
            return index
    return 0


def open_cases(session: Session) -> list[HandoffCase]:
    """Everything not yet resolved, for the supervisor: the queue order, served chats included."""
    query = (
        select(HandoffCase)
        .where(HandoffCase.status.in_(OPEN_STATUSES))
        .order_by(HandoffCase.priority.desc(), HandoffCase.created_at, HandoffCase.id)
    )
    return list(session.execute(query).scalars())


def cases_of_agent(session: Session, agent_id: int) -> list[HandoffCase]:
    """The chats an agent is serving now."""
    query = (
        select(HandoffCase)
        .where(HandoffCase.status == ACTIVE, HandoffCase.agent_id == agent_id)
        .order_by(HandoffCase.claimed_at, HandoffCase.id)
    )
    return list(session.execute(query).scalars())


# --- changing ----------------------------------------------------------------------------------


def open_case(
    session: Session,
    *,
    sender_id: str,
    customer_id: int | None,
    decision: Decision,
    summary: Mapping[str, Any],
    now: datetime,
    service_time: datetime | None = None,
) -> HandoffCase:
    """A new waiting case, or the sender's open one (a retried action must not queue twice).

    `now` stamps the case; `service_time` (default: `now`) decides whether people are on duty
    and when to call back. They differ in the demo, whose store clock stands still.
    """
    existing = active_case_for_sender(session, sender_id)
    if existing is not None:
        return existing
    service_time = service_time or now
    after_hours = not in_service_hours(service_time)
    case = HandoffCase(
        sender_id=sender_id,
        customer_id=customer_id,
        status=WAITING,
        priority=decision.priority,
        score=decision.score,
        reasons=decision.reasons_as_dicts(),
        summary=dict(summary),
        created_at=now,
        after_hours=after_hours,
        callback_by=callback_by(service_time) if after_hours else None,
    )
    session.add(case)
    session.flush()
    detail = "、".join(decision.codes) or "manual"
    log_event(session, case.id, "created", BOT, detail, now)
    return case


def claim(session: Session, case_id: int, agent_id: int, now: datetime) -> bool:
    """Take a waiting case; False if someone else was quicker (or it is not waiting)."""
    result = session.execute(
        update(HandoffCase)
        .where(HandoffCase.id == case_id, HandoffCase.status == WAITING)
        .values(status=ACTIVE, agent_id=agent_id, claimed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    log_event(session, case_id, "claimed", _actor(session, agent_id), "", now)
    return True


def transfer(
    session: Session, case_id: int, from_agent_id: int, to_agent_id: int, now: datetime
) -> bool:
    """Hand a served case to another active agent; only its current agent may do so."""
    target = session.get(Agent, to_agent_id)
    if target is None or not target.active or to_agent_id == from_agent_id:
        return False
    result = session.execute(
        update(HandoffCase)
        .where(
            HandoffCase.id == case_id,
            HandoffCase.status == ACTIVE,
            HandoffCase.agent_id == from_agent_id,
        )
        .values(agent_id=to_agent_id)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    log_event(session, case_id, "transferred", _actor(session, from_agent_id), target.username, now)
    return True


def resolve(session: Session, case_id: int, agent_id: int, now: datetime) -> bool:
    """Close a case the agent is serving; the caller then gives the chat back to the bot."""
    result = session.execute(
        update(HandoffCase)
        .where(
            HandoffCase.id == case_id,
            HandoffCase.status == ACTIVE,
            HandoffCase.agent_id == agent_id,
        )
        .values(status=RESOLVED, resolved_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    log_event(session, case_id, "resolved", _actor(session, agent_id), "", now)
    return True


def record_rating(
    session: Session, sender_id: str, rating: int, now: datetime, comment: str | None = None
) -> bool:
    """Store the customer's 1-5 rating on their latest resolved, not yet rated case."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        return False
    query = (
        select(HandoffCase)
        .where(
            HandoffCase.sender_id == sender_id,
            HandoffCase.status == RESOLVED,
            HandoffCase.rating.is_(None),
        )
        .order_by(HandoffCase.resolved_at.desc(), HandoffCase.id.desc())
    )
    case: HandoffCase | None = session.execute(query).scalars().first()
    if case is None:
        return False
    # Conditional again: two ratings racing for the same case must not both count.
    result = session.execute(
        update(HandoffCase)
        .where(HandoffCase.id == case.id, HandoffCase.rating.is_(None))
        .values(rating=rating, rating_comment=(comment or None) and comment[:300])
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    log_event(session, case.id, "rated", CUSTOMER, str(rating), now)
    return True
