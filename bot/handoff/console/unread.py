"""Per-case unread counts: customer messages since the handoff that this agent was not shown.

An agent's read marker (case_read_markers) moves when the console delivers a case's transcript
to them; what the customer wrote after it, and after the conversation was paused for the
handoff, is unread. Both are tracker timestamps, so no clock conversion is involved.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models_handoff import CaseReadMarker, HandoffCase
from bot.handoff.console.tracker_rows import EVENTS, USER

# The pause that handed the chat over: what the customer wrote before it, the agent reads as
# the case's history, not as news.
PAUSE = "pause"


def unread_counts(
    session: Session, agent_id: int, open_cases: Iterable[HandoffCase]
) -> dict[int, int]:
    """Case id -> customer messages `agent_id` has not been shown (reads events, markers)."""
    rows = list(open_cases)
    if not rows:
        return {}
    markers = dict(
        session.execute(
            select(CaseReadMarker.case_id, CaseReadMarker.read_until).where(
                CaseReadMarker.agent_id == agent_id,
                CaseReadMarker.case_id.in_([c.id for c in rows]),
            )
        ).all()
    )
    counts: dict[int, int] = {}
    for case in rows:
        handed_over = (
            select(func.coalesce(func.max(EVENTS.c.timestamp), 0.0))
            .where(EVENTS.c.sender_id == case.sender_id, EVENTS.c.type_name == PAUSE)
            .scalar_subquery()
        )
        query = (
            select(func.count())
            .select_from(EVENTS)
            .where(
                EVENTS.c.sender_id == case.sender_id,
                EVENTS.c.type_name == USER,
                EVENTS.c.timestamp > float(markers.get(case.id) or 0.0),
                EVENTS.c.timestamp > handed_over,
            )
        )
        counts[int(case.id)] = int(session.execute(query).scalar() or 0)
    return counts


def mark_read(session: Session, case_id: int, agent_id: int, until: float) -> None:
    """`agent_id` has been shown case `case_id` up to the message stamped `until` (never back)."""
    marker = session.get(CaseReadMarker, (case_id, agent_id))
    if marker is None:
        try:
            with session.begin_nested():
                session.add(CaseReadMarker(case_id=case_id, agent_id=agent_id, read_until=until))
            return
        except IntegrityError:
            # A parallel request of the same agent put the marker there first: move that one.
            marker = session.get(CaseReadMarker, (case_id, agent_id))
    if marker is not None and until > marker.read_until:
        marker.read_until = until
