"""The customer's side of reviews, notices and 回访, through the actions and a seeded store."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.followups import ActionOfferSatisfaction
from actions.handoff import ActionStoreRating
from actions.review import ASK_NUMBER, NOTHING_TO_SEND, ActionRecordReturnTracking
from actions.session import ActionSessionStart
from bot.db.models_followup import FollowUp, SatisfactionSurvey
from bot.db.session import session_scope
from bot.services.aftersales.review import approve, ticket_by_no
from bot.services.followups.satisfaction import AFTER_SALE_QUESTION, CONVERSATION_QUESTION

DOMAIN: dict[str, Any] = {"slots": {"rating": {"type": "text"}}}
WALL = datetime(2026, 12, 1, 15, 0)
QUALITY_RETURN = "AS20261120000005"  # 赵磊, 退货退款 · 待审核
REFUND_ONLY = "AS20261118000003"  # 张伟, 仅退款 · 待审核


def user(
    text: str, intent: str, emotion: str = "neutral", confidence: float = 0.9
) -> dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "emotion": {"name": emotion, "confidence": confidence},
    }
    return {"event": "user", "text": text, "parse_data": parse}


def tracker(
    events: list[dict[str, Any]], *, sender: str = "chat-7", customer_id: int | None = None
) -> Tracker:
    users = [e for e in events if e["event"] == "user"]
    slots: dict[str, Any] = {"customer_id": str(customer_id)} if customer_id else {}
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {**slots, "session_started_metadata": {"customer_id": customer_id}},
            "events": events,
            "latest_message": users[-1]["parse_data"] if users else {},
            "active_loop": {},
        }
    )


def run(action: Action, t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def approved(url: str, ticket_no: str) -> int:
    """Approve the ticket as an agent; the id of its customer."""
    with session_scope(url) as session:
        approve(session, ticket_no, actor="agent01", note="", now=WALL)
        ticket = ticket_by_no(session, ticket_no)
        assert ticket is not None
        return int(ticket.order.customer_id)


ANSWERED = [
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
    user("运费怎么算", "faq"),
    {"event": "action", "name": "utter_faq"},
    {"event": "action", "name": "action_listen"},
    user("好的谢谢", "thank"),
    {"event": "action", "name": "utter_you_are_welcome"},
]


def test_the_review_result_waits_for_the_customers_next_visit_and_is_said_once(
    store_url: str,
) -> None:
    customer_id = approved(store_url, QUALITY_RETURN)
    start = tracker([], customer_id=customer_id, sender="next-visit")
    said = texts(run(ActionSessionStart(), start))
    assert QUALITY_RETURN in said and "审核通过" in said and "退货单号" in said
    assert texts(run(ActionSessionStart(), start)) == ""
    # Another customer's new conversation hears nothing of it.
    assert texts(run(ActionSessionStart(), tracker([], sender="stranger"))) == ""


def test_a_refund_notice_asks_for_a_rating_and_the_answer_is_stored(store_url: str) -> None:
    customer_id = approved(store_url, REFUND_ONLY)
    messages = run(ActionSessionStart(), tracker([], customer_id=customer_id, sender="visit"))
    assert messages[-1]["text"] == AFTER_SALE_QUESTION and messages[-1]["buttons"]
    answer = tracker([user("1分，等太久了", "rate")], customer_id=customer_id, sender="visit")
    assert "没能让您满意" in texts(run(ActionStoreRating(), answer))
    with session_scope(store_url) as session:
        survey = session.execute(
            select(SatisfactionSurvey).where(SatisfactionSurvey.sender_id == "visit")
        ).scalar_one()
        assert (survey.subject, survey.rating) == ("after_sale", 1)
        follow_up = session.execute(
            select(FollowUp).where(FollowUp.kind == "low_rating", FollowUp.sender_id == "visit")
        ).scalar_one()
        assert follow_up.owner == "supervisor" and follow_up.ticket_id == survey.ticket_id


def test_a_thanked_answer_is_rated_once_and_an_angry_customer_is_not_asked(
    store_url: str,
) -> None:
    first = run(ActionOfferSatisfaction(), tracker(ANSWERED, sender="calm", customer_id=3))
    assert texts(first) == CONVERSATION_QUESTION and len(first[0]["buttons"]) == 5
    # The same customer in another chat the same day: not again.
    assert run(ActionOfferSatisfaction(), tracker(ANSWERED, sender="calm-2", customer_id=3)) == []
    angry = [*ANSWERED[:5], user("谢谢啊，真是服了你们", "thank", "angry", 0.95), ANSWERED[6]]
    assert run(ActionOfferSatisfaction(), tracker(angry, sender="angry")) == []


def test_the_return_tracking_number_is_recorded_on_the_approved_ticket(store_url: str) -> None:
    customer_id = approved(store_url, QUALITY_RETURN)
    ask = tracker([user("退货单号怎么填", "give_return_tracking")], customer_id=customer_id)
    assert texts(run(ActionRecordReturnTracking(), ask)) == ASK_NUMBER
    give = tracker([user("退货单号 SF1234567890", "give_return_tracking")], customer_id=customer_id)
    said = texts(run(ActionRecordReturnTracking(), give))
    assert "SF1234567890" in said and QUALITY_RETURN in said
    with session_scope(store_url) as session:
        ticket = ticket_by_no(session, QUALITY_RETURN)
        assert ticket is not None and ticket.return_tracking_no == "SF1234567890"
    # Nothing left to send back (and nothing at all for an anonymous visitor).
    assert texts(run(ActionRecordReturnTracking(), give)) == NOTHING_TO_SEND
    anonymous = tracker([user("退货单号 SF1234567890", "give_return_tracking")])
    assert texts(run(ActionRecordReturnTracking(), anonymous)) == NOTHING_TO_SEND
