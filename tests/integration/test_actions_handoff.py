"""Handing the chat to a person and rating the person afterwards, as the customer meets it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update

from actions.handoff import (
    DESK_UNREACHABLE,
    ActionAskSatisfaction,
    ActionHandoff,
    ActionStoreRating,
    rating_in,
)
from bot.db.enums import ServiceRecordKind
from bot.db.models import META_REFERENCE_TIME, Order, ServiceRecord, StoreMeta
from bot.db.models_handoff import HandoffCase
from bot.db.session import dispose_engines, session_scope
from bot.handoff import cases
from bot.handoff.agents import agent_by_username
from bot.handoff.escalation import Decision, Reason
from bot.handoff.hand_over import handoff_reply
from bot.handoff.summary import build_summary

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/x"
DOMAIN: dict[str, Any] = {"slots": {"rating": {"type": "text"}}}


@pytest.fixture
def night_store(store_url: str) -> str:
    """The same store with its clock at 23:30, after the human desk has closed."""
    with session_scope(store_url) as session:
        session.execute(
            update(StoreMeta)
            .where(StoreMeta.key == META_REFERENCE_TIME)
            .values(value="2026-11-20T23:30:00")
        )
    return store_url


@pytest.fixture
def customer_order(store_url: str) -> tuple[int, str, str]:
    """(customer id, customer name, one of their order numbers)."""
    with session_scope(store_url) as session:
        order = session.execute(select(Order).order_by(Order.id)).scalars().first()
        assert order is not None
        return int(order.customer_id), str(order.customer.name), str(order.order_no)


def someone_elses_order(url: str, customer_id: int) -> str:
    with session_scope(url) as session:
        query = select(Order.order_no).where(Order.customer_id != customer_id).limit(1)
        return str(session.execute(query).scalar_one())


def user_event(
    text: str,
    intent: str = "complaint",
    emotion: tuple[str, float] = ("neutral", 0.8),
    entities: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "emotion": {"name": emotion[0], "confidence": emotion[1]},
    }
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": 1795000000.0}


def make_tracker(
    *turns: dict[str, Any],
    slots: dict[str, Any] | None = None,
    sender: str = "chat-42",
    form: str | None = None,
) -> Tracker:
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    for turn in turns:
        events += [{"event": "action", "name": "action_listen"}, turn]
    last_user = [e for e in events if e["event"] == "user"][-1]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots or {},
            "events": events,
            "latest_message": last_user["parse_data"],
            "active_loop": {"name": form} if form else {},
        }
    )


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def stored_case(url: str, sender: str = "chat-42") -> HandoffCase:
    with session_scope(url) as session:
        case = cases.active_case_for_sender(session, sender)
        assert case is not None
        return case


# --- action_handoff ----------------------------------------------------------------------------


def test_a_threat_opens_a_case_tells_the_queue_position_and_pauses(
    store_url: str, customer_order: tuple[int, str, str]
) -> None:
    customer_id, name, order_no = customer_order
    threat = user_event(
        f"订单 {order_no} 一直不给处理，我要去12315投诉你们",
        emotion=("angry", 0.8),
        entities=({"entity": "order_id", "value": order_no},),
    )
    tracker = make_tracker(threat, slots={"customer_id": str(customer_id)})
    events, messages = run(ActionHandoff(), tracker)
    assert events[-1]["event"] == "pause"
    assert events[0] == {**events[0], "event": "slot", "name": "handoff_case_id"}
    reply = text_of(messages)
    assert "真人客服" in reply and "第 1 位" in reply and "分钟" in reply
    assert "真不好意思" in reply  # an angry customer gets an apology first
    case = stored_case(store_url)
    assert events[0]["value"] == str(case.id)
    assert case.priority == 3 and case.customer_id == customer_id
    assert [r["code"] for r in case.reasons] == ["legal_threat"]
    summary = case.summary
    assert summary["customer"]["name"] == name and "****" in summary["customer"]["phone"]
    assert [o["order_no"] for o in summary["orders"]] == [order_no]
    assert summary["orders"][0]["status"] and summary["orders"][0]["items"]
    assert summary["last_messages"][-1]["text"] == threat["text"]
    assert summary["emotion_timeline"][-1]["emotion"] == "angry"
    with session_scope(store_url) as session:
        records = session.execute(
            select(ServiceRecord).where(ServiceRecord.kind == ServiceRecordKind.HANDOFF)
        ).scalars()
        texts = [r.text for r in records if f"#{case.id}" in r.text]
        assert len(texts) == 1 and "12315" in texts[0]


def test_running_the_handoff_again_does_not_queue_twice(
    store_url: str, customer_order: tuple[int, str, str]
) -> None:
    tracker = make_tracker(user_event("转人工", "request_human"))
    first, _ = run(ActionHandoff(), tracker)
    again, messages = run(ActionHandoff(), tracker)
    assert first[0]["value"] == again[0]["value"]
    assert "第 1 位" in text_of(messages)
    with session_scope(store_url) as session:
        assert len(cases.queue(session)) == 1
        records = session.execute(
            select(ServiceRecord).where(ServiceRecord.kind == ServiceRecordKind.HANDOFF)
        ).scalars()
        assert sum(f"#{first[0]['value']}" in r.text for r in records) == 1


def test_the_position_counts_the_customers_ahead(store_url: str) -> None:
    legal = Decision(True, 3.0, 3, [Reason("legal_threat", "提到「律师」", 3.0)])
    with session_scope(store_url) as session:
        now = datetime(2026, 11, 20, 9, 30)
        cases.open_case(
            session, sender_id="other", customer_id=None, decision=legal, summary={}, now=now
        )
    events, messages = run(ActionHandoff(), make_tracker(user_event("人工客服", "request_human")))
    assert "第 2 位" in text_of(messages) and "约 6 分钟" in text_of(messages)
    assert events[-1]["event"] == "pause"


def test_a_calm_request_for_a_person_gets_no_apology(store_url: str) -> None:
    _, messages = run(ActionHandoff(), make_tracker(user_event("帮我转人工", "request_human")))
    assert "真不好意思" not in text_of(messages)
    case = stored_case(store_url)
    assert case.priority == 1 and [r["code"] for r in case.reasons] == ["requested_human"]


def test_the_summary_never_shows_an_order_the_visitor_did_not_verify(
    store_url: str, customer_order: tuple[int, str, str]
) -> None:
    customer_id, _, verified = customer_order
    stranger = someone_elses_order(store_url, customer_id)
    mentions = (
        {"entity": "order_id", "value": stranger},
        {"entity": "order_id", "value": verified},
    )
    tracker = make_tracker(
        user_event(
            f"{stranger} 和 {verified} 都有问题，转人工", "request_human", entities=mentions
        ),
        slots={"verified_order_ids": [verified]},
    )
    run(ActionHandoff(), tracker)
    summary = stored_case(store_url).summary
    assert summary["customer"] is None
    assert [o["order_no"] for o in summary["orders"]] == [verified]


def test_a_handoff_in_the_middle_of_a_form_ends_the_form(store_url: str) -> None:
    tracker = make_tracker(user_event("别问了，我要找律师", "complaint"), form="return_form")
    events, _ = run(ActionHandoff(), tracker)
    kinds = [e["event"] for e in events]
    assert kinds == ["slot", "active_loop", "slot", "pause"]
    assert events[1]["name"] is None


def test_after_hours_the_customer_can_leave_a_message_and_is_promised_a_call_back(
    night_store: str,
) -> None:
    events, messages = run(ActionHandoff(), make_tracker(user_event("转人工", "request_human")))
    reply = text_of(messages)
    assert "9:00-22:00" in reply and "留言" in reply and "11月21日 11:00" in reply
    assert "第 1 位" not in reply
    assert events[-1]["event"] == "pause"
    case = stored_case(night_store)
    assert case.after_hours and case.callback_by == datetime(2026, 11, 21, 11, 0)


def test_when_the_database_is_down_the_customer_is_told_and_the_bot_keeps_listening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DB)
    try:
        events, messages = run(ActionHandoff(), make_tracker(user_event("转人工", "request_human")))
    finally:
        dispose_engines()
    assert events == []
    assert text_of(messages) == DESK_UNREACHABLE


def test_handoff_reply_texts() -> None:
    day = handoff_reply(position=3, wait_minutes=9, apologise=False, after_hours_until=None)
    assert "第 3 位" in day and "约 9 分钟" in day
    night = handoff_reply(
        position=1, wait_minutes=3, apologise=True, after_hours_until=datetime(2026, 11, 21, 11)
    )
    assert night.startswith("真不好意思") and "11月21日 11:00" in night


# --- satisfaction ------------------------------------------------------------------------------


def resolved_case(url: str, sender: str = "chat-42") -> int:
    decision = Decision(True, 1.0, 1, [Reason("requested_human", "客户要求人工服务", 1.0)])
    now = datetime(2026, 11, 20, 10, 0)
    with session_scope(url) as session:
        agent = agent_by_username(session, "agent01")
        assert agent is not None
        case = cases.open_case(
            session, sender_id=sender, customer_id=None, decision=decision, summary={}, now=now
        )
        assert cases.claim(session, case.id, agent.id, now)
        assert cases.resolve(session, case.id, agent.id, now)
        return int(case.id)


def rating_of(url: str, case_id: int) -> int | None:
    with session_scope(url) as session:
        case = cases.case_by_id(session, case_id)
        assert case is not None
        return case.rating


def test_the_bot_asks_for_a_rating_with_five_buttons() -> None:
    events, messages = run(ActionAskSatisfaction(), make_tracker(user_event("好的", "affirm")))
    # The console runs it outside a normal turn; it ends listening for the customer's answer.
    assert [(e["event"], e.get("name")) for e in events] == [("action", "action_listen")]
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == [f'/rate{{"rating":"{n}"}}' for n in (5, 4, 3, 2, 1)]
    assert "1-5" in messages[0]["text"]


def test_a_rating_from_the_button_is_stored_and_thanked(store_url: str) -> None:
    case_id = resolved_case(store_url)
    rating = user_event("/rate", "rate", entities=({"entity": "rating", "value": "4"},))
    events, messages = run(ActionStoreRating(), make_tracker(rating))
    assert rating_of(store_url, case_id) == 4
    assert "4 分" in text_of(messages) and "感谢" in text_of(messages)
    assert events == [{"event": "slot", "timestamp": None, "name": "rating", "value": None}]


def test_a_rating_in_words_is_stored_and_a_second_one_is_not(store_url: str) -> None:
    case_id = resolved_case(store_url)
    run(ActionStoreRating(), make_tracker(user_event("两星吧，等太久了", "rate")))
    assert rating_of(store_url, case_id) == 2
    _, messages = run(ActionStoreRating(), make_tracker(user_event("5分", "rate")))
    assert rating_of(store_url, case_id) == 2
    assert "感谢您的反馈" in text_of(messages)


def test_a_low_rating_gets_an_apology(store_url: str) -> None:
    resolved_case(store_url)
    _, messages = run(ActionStoreRating(), make_tracker(user_event("1分", "rate")))
    assert "真不好意思" in text_of(messages)


def test_no_number_means_asking_again(store_url: str) -> None:
    case_id = resolved_case(store_url)
    _, messages = run(ActionStoreRating(), make_tracker(user_event("还行吧", "rate")))
    assert "1-5" in text_of(messages) and rating_of(store_url, case_id) is None


def test_rating_when_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DB)
    try:
        _, messages = run(ActionStoreRating(), make_tracker(user_event("5", "rate")))
    finally:
        dispose_engines()
    assert messages == [
        {**messages[0], "response": "utter_service_unavailable"},
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("4分", 4),
        ("打三分吧", 3),
        ("五星好评", 5),
        ("满分", 5),
        ("給5分", 5),
        ("两颗星", 2),
        ("订单 260311482905716342", None),
        ("12345", None),
        ("9分", None),
        ("还行", None),
    ],
)
def test_rating_in_words(text: str, expected: int | None) -> None:
    assert rating_in(text) == expected


# --- the summary (pure) ------------------------------------------------------------------------


def test_the_summary_covers_the_current_session_only_and_hides_bookkeeping_slots() -> None:
    old = user_event("上次的问题", "track_order")
    events = [
        old,
        {"event": "session_started"},
        user_event("我要退货", "request_return"),
        user_event("我要退货", "request_return"),
        {"event": "bot", "text": "好的，请问是哪个订单？"},
        {"event": "bot", "text": "您好，我是客服小王", "metadata": {"agent": "小王"}},
        user_event("<script>alert(1)</script>", "complaint", ("angry", 0.7)),
    ]
    slots = {"order_id": "260311482905716342", "requested_slot": "order_id", "phone": None}
    summary = build_summary({"events": events}, slots)
    assert summary["intents"] == ["request_return", "complaint"]
    assert summary["slots"] == {"order_id": "260311482905716342"}
    assert [m["role"] for m in summary["last_messages"]] == [
        "customer", "customer", "bot", "agent", "customer",
    ]  # fmt: skip
    # Stored as the customer wrote it: escaping is the console's job when it renders.
    assert summary["last_messages"][-1]["text"] == "<script>alert(1)</script>"
    assert [e["emotion"] for e in summary["emotion_timeline"]] == ["neutral", "neutral", "angry"]
    assert summary["customer"] is None and summary["orders"] == []
