"""回访: when the bot may ask for a 1-5 rating, recording the question and the answer.

Asked at most once a day per customer and per conversation (a human case's rating question
counts too), never while the customer is angry (the escalation's anger signal, decided by the
caller), and a rating of 1-2 opens a follow-up for a supervisor. Times here are the wall clock:
"once a day" is about the customer's real day, which the demo store's frozen clock is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models_followup import OWNER_SUPERVISOR, SatisfactionSurvey
from bot.db.models_handoff import HandoffCase
from bot.handoff.cases import record_rating
from bot.services.followups.promises import Matter, open_follow_up

ONCE_PER = timedelta(hours=24)
LOW_RATING = 2
# A supervisor calls an unhappy customer back within a working day.
LOW_RATING_DUE = timedelta(hours=24)
RATING_LABELS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}

CONVERSATION_QUESTION = (
    "很高兴能帮到您～方便的话给小优这次的服务打个分吧：1-5 分，5 分最满意，点下面的按钮就可以。"
)
AFTER_SALE_QUESTION = (
    "您这次的售后处理完成啦，麻烦为我们的售后服务打个分：1-5 分，5 分最满意，点下面的按钮就可以。"
)


def rating_buttons() -> list[dict[str, Any]]:
    """The 5..1 buttons; their payload is the `rate` intent the rating rule answers."""
    return [
        {"title": f"{score} 分 {label}", "payload": f'/rate{{"rating":"{score}"}}'}
        for score, label in RATING_LABELS.items()
    ]


def may_ask(session: Session, *, sender_id: str, customer_id: int | None, now: datetime) -> bool:
    """Whether no rating was asked of this customer or conversation in the last day."""
    since = now - ONCE_PER
    who = SatisfactionSurvey.sender_id == sender_id
    if customer_id is not None:
        who = or_(who, SatisfactionSurvey.customer_id == customer_id)
    asked = select(SatisfactionSurvey.id).where(who, SatisfactionSurvey.asked_at >= since)
    if session.execute(asked.limit(1)).first() is not None:
        return False
    # A human case's hand-back asks too (actions.handoff.ActionAskSatisfaction).
    case_who = HandoffCase.sender_id == sender_id
    if customer_id is not None:
        case_who = or_(case_who, HandoffCase.customer_id == customer_id)
    resolved = select(HandoffCase.id).where(case_who, HandoffCase.resolved_at >= since)
    return session.execute(resolved.limit(1)).first() is None


def record_ask(
    session: Session,
    *,
    subject: str,
    sender_id: str,
    customer_id: int | None,
    now: datetime,
    ticket_id: int | None = None,
) -> SatisfactionSurvey:
    survey = SatisfactionSurvey(
        subject=subject,
        sender_id=sender_id,
        customer_id=customer_id,
        ticket_id=ticket_id,
        asked_at=now,
    )
    session.add(survey)
    session.flush()
    return survey


@dataclass(frozen=True)
class StoredRating:
    stored: bool
    # The supervisor's follow-up opened for a rating of 1-2.
    follow_up_id: int | None = None


def _open_survey(session: Session, sender_id: str) -> SatisfactionSurvey | None:
    query = (
        select(SatisfactionSurvey)
        .where(SatisfactionSurvey.sender_id == sender_id, SatisfactionSurvey.rating.is_(None))
        .order_by(SatisfactionSurvey.asked_at.desc(), SatisfactionSurvey.id.desc())
    )
    survey: SatisfactionSurvey | None = session.execute(query).scalars().first()
    return survey


def _unrated_case(session: Session, sender_id: str) -> HandoffCase | None:
    query = (
        select(HandoffCase)
        .where(HandoffCase.sender_id == sender_id, HandoffCase.rating.is_(None))
        .where(HandoffCase.resolved_at.is_not(None))
        .order_by(HandoffCase.resolved_at.desc(), HandoffCase.id.desc())
    )
    case: HandoffCase | None = session.execute(query).scalars().first()
    return case


def store_rating(
    session: Session,
    *,
    sender_id: str,
    customer_id: int | None,
    rating: int,
    comment: str | None,
    now: datetime,
    store_time: datetime,
) -> StoredRating:
    """Answer the latest open question of this conversation: a bot survey or a human case.

    ``now`` is the wall clock (when rated), ``store_time`` the store's clock (the due time of
    a supervisor's follow-up, like every promise).
    """
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        return StoredRating(False)
    survey = _open_survey(session, sender_id)
    case = _unrated_case(session, sender_id)
    comment = (comment or None) and comment[:300]
    matter = Matter(customer_id=customer_id, sender_id=sender_id)
    if survey is not None and (case is None or survey.asked_at >= case.resolved_at):
        survey.rating, survey.comment, survey.rated_at = rating, comment, now
        matter = Matter(customer_id=customer_id, sender_id=sender_id, ticket_id=survey.ticket_id)
    elif case is not None and record_rating(session, sender_id, rating, now, comment):
        matter = Matter(customer_id=customer_id, sender_id=sender_id, handoff_case_id=case.id)
    else:
        return StoredRating(False)
    if rating > LOW_RATING:
        return StoredRating(True)
    promise = f"客户打了 {rating} 分" + (f"：{comment}" if comment else "") + "，请主管回访"
    follow_up, _ = open_follow_up(
        session,
        kind="low_rating",
        promise=promise,
        due_at=store_time + LOW_RATING_DUE,
        now=store_time,
        matter=matter,
        owner=OWNER_SUPERVISOR,
    )
    return StoredRating(True, int(follow_up.id))
