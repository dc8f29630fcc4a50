"""Pure rules of follow-ups and 回访: urgency of a promise, and when a chat ended with an answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.services.followups.conversation_end import ended_with_answer
from bot.services.followups.promises import Urgency, urgency
from bot.services.followups.satisfaction import rating_buttons

NOW = datetime(2026, 11, 20, 10, 0)


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


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str, **metadata: Any) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": metadata}


ANSWERED = [
    {"event": "session_started"},
    action("action_listen"),
    user("我的快递到哪了", "track_order"),
    action("action_track_order"),
    bot("您的包裹在杭州转运中心"),
    action("action_listen"),
    user("好的谢谢", "thank"),
    action("utter_you_are_welcome"),
    bot("不客气"),
]


def test_a_promise_is_overdue_once_its_time_passed_and_due_within_a_day() -> None:
    assert urgency(NOW - timedelta(minutes=1), NOW) is Urgency.OVERDUE
    assert urgency(NOW + timedelta(hours=23), NOW) is Urgency.DUE
    assert urgency(NOW + timedelta(hours=25), NOW) is Urgency.LATER


def test_a_thanked_answer_is_a_conversation_to_rate() -> None:
    assert ended_with_answer(ANSWERED)


def test_small_talk_alone_is_not_worth_a_rating() -> None:
    chat = [{"event": "session_started"}, user("你好", "greet"), action("utter_greet")]
    assert not ended_with_answer([*chat, user("谢谢", "thank"), action("utter_you_are_welcome")])


def test_an_answer_from_an_earlier_session_does_not_count() -> None:
    later = [{"event": "session_started"}, user("谢谢", "thank"), action("utter_you_are_welcome")]
    assert not ended_with_answer([*ANSWERED, *later])


def test_never_asked_twice_nor_after_a_person_helped() -> None:
    assert not ended_with_answer([*ANSWERED, action("action_offer_satisfaction")])
    assert not ended_with_answer([*ANSWERED[:4], action("action_handoff"), *ANSWERED[4:]])
    assert not ended_with_answer([*ANSWERED, bot("已经帮您处理好了", agent="小王")])


def test_never_asked_while_the_customer_is_angry() -> None:
    angry = [*ANSWERED[:6], user("谢谢你啊，真是服了", "thank", "angry", 0.95), *ANSWERED[7:]]
    assert not ended_with_answer(angry)


def test_the_buttons_rate_from_five_to_one_through_the_rate_intent() -> None:
    payloads = [b["payload"] for b in rating_buttons()]
    assert payloads[0] == '/rate{"rating":"5"}' and payloads[-1] == '/rate{"rating":"1"}'
