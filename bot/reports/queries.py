"""Raw facts of a period, read from the database (tracker store, cases, records, follow-ups).

Nothing here aggregates: :mod:`bot.reports.kpis` turns these rows into numbers, so the report
always reflects what is stored, never a stored summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.enums import ComplaintCategory, ServiceRecordKind
from bot.db.models import ServiceRecord
from bot.db.models_followup import FOLLOW_UP_OPEN, FollowUp, SatisfactionSurvey
from bot.db.models_handoff import HandoffCase, HandoffEvent
from bot.reports.period import Period, beijing_of_epoch
from bot.reports.tracker_events import events, has_events_table

HANDOFF_ACTION = "action_handoff"


@dataclass(frozen=True)
class UserTurn:
    sender_id: str
    at: datetime
    intent: str | None
    text: str


@dataclass(frozen=True)
class HandoffRow:
    created_at: datetime
    claimed_at: datetime | None
    first_reply_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    reason_codes: tuple[str, ...]


@dataclass(frozen=True)
class Rating:
    at: datetime
    rating: int
    source: str  # "human" (after an agent's case) or "bot"


@dataclass(frozen=True)
class OpenFollowUp:
    kind: str
    due_at: datetime


def _text_of(data: str | None) -> str:
    try:
        return str(json.loads(data or "{}").get("text") or "")
    except (TypeError, ValueError):
        return ""  # a corrupt row must not stop the report


def user_turns(session: Session, period: Period) -> list[UserTurn]:
    """The customers' messages of the period, oldest first."""
    if not has_events_table(session.connection()):
        return []
    start, end = period.epoch_bounds()
    query = (
        select(events.c.sender_id, events.c.timestamp, events.c.intent_name, events.c.data)
        .where(events.c.type_name == "user")
        .where(events.c.timestamp >= start, events.c.timestamp < end)
        .order_by(events.c.timestamp, events.c.id)
    )
    return [
        UserTurn(sender, beijing_of_epoch(stamp), intent, _text_of(data))
        for sender, stamp, intent, data in session.execute(query)
    ]


def handed_off_chats(session: Session, period: Period) -> set[tuple[str, datetime]]:
    """(sender_id, day start) of every chat the bot handed to a person in the period."""
    if not has_events_table(session.connection()):
        return set()
    start, end = period.epoch_bounds()
    query = select(events.c.sender_id, events.c.timestamp).where(
        events.c.type_name == "action",
        events.c.action_name == HANDOFF_ACTION,
        events.c.timestamp >= start,
        events.c.timestamp < end,
    )
    return {
        (sender, beijing_of_epoch(stamp).replace(hour=0, minute=0, second=0, microsecond=0))
        for sender, stamp in session.execute(query)
    }


def handoff_cases(session: Session, period: Period) -> list[HandoffRow]:
    """Cases opened in the period, with the first message an agent sent in each."""
    first_reply = (
        select(HandoffEvent.case_id, func.min(HandoffEvent.created_at).label("first_reply_at"))
        .where(HandoffEvent.kind == "agent_message")
        .group_by(HandoffEvent.case_id)
        .subquery()
    )
    query = (
        select(HandoffCase, first_reply.c.first_reply_at)
        .outerjoin(first_reply, first_reply.c.case_id == HandoffCase.id)
        .where(HandoffCase.created_at >= period.start, HandoffCase.created_at < period.end)
        .order_by(HandoffCase.created_at)
    )
    return [
        HandoffRow(
            created_at=case.created_at,
            claimed_at=case.claimed_at,
            first_reply_at=reply_at,
            resolved_at=case.resolved_at,
            rating=case.rating,
            reason_codes=tuple(str(r.get("code")) for r in case.reasons or [] if r.get("code")),
        )
        for case, reply_at in session.execute(query)
    ]


def records(session: Session, period: Period, kind: ServiceRecordKind) -> list[ServiceRecord]:
    query = (
        select(ServiceRecord)
        .where(ServiceRecord.kind == kind)
        .where(ServiceRecord.created_at >= period.start, ServiceRecord.created_at < period.end)
        .order_by(ServiceRecord.created_at, ServiceRecord.id)
    )
    return list(session.execute(query).scalars())


def complaint_categories(session: Session, period: Period) -> list[ComplaintCategory]:
    found = records(session, period, ServiceRecordKind.COMPLAINT)
    return [ComplaintCategory(r.category or ComplaintCategory.OTHER) for r in found]


def ratings(session: Session, period: Period, cases: list[HandoffRow]) -> list[Rating]:
    """Human-case ratings (dated by the case's resolution) and the bot's own surveys."""
    human = [
        Rating(case.resolved_at or case.created_at, case.rating, "human")
        for case in cases
        if case.rating is not None
    ]
    query = select(SatisfactionSurvey.rated_at, SatisfactionSurvey.rating).where(
        SatisfactionSurvey.rating.is_not(None),
        SatisfactionSurvey.rated_at >= period.start,
        SatisfactionSurvey.rated_at < period.end,
    )
    bot = [Rating(at, int(rating), "bot") for at, rating in session.execute(query)]
    return sorted(human + bot, key=lambda r: r.at)


def open_follow_ups(session: Session) -> list[OpenFollowUp]:
    query = select(FollowUp.kind, FollowUp.due_at).where(FollowUp.status == FOLLOW_UP_OPEN)
    return [OpenFollowUp(kind, due_at) for kind, due_at in session.execute(query)]
