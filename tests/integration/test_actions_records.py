"""Complaints and suggestions are kept as service records, and the customer gets their number."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import ActionHandoff
from actions.records import ActionRecordComplaint, ActionRecordSuggestion
from bot.db.enums import ComplaintCategory, ServiceRecordKind
from bot.db.models import Order, ServiceRecord
from bot.db.session import session_scope
from bot.demo.history import SENDER_PREFIX

REFERENCE = re.compile(r"(TS|JY)\d{8}-\d{4}")


def user_event(
    text: str, intent: str, *, angry: bool = False, order_no: str | None = None
) -> dict[str, Any]:
    entities = [{"entity": "order_id", "value": order_no}] if order_no else []
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities,
        "emotion": {"name": "angry" if angry else "neutral", "confidence": 0.95},
    }
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": 1795000000.0}


def tracker_for(
    *turns: dict[str, Any], sender: str = "chat-records", customer_id: int | None = None
) -> Tracker:
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    for turn in turns:
        events += [{"event": "action", "name": "action_listen"}, turn]
    slots = {"customer_id": str(customer_id)} if customer_id is not None else {}
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots,
            "events": events,
            "latest_message": turns[-1]["parse_data"],
            "active_loop": {},
        }
    )


def say(action: Action, tracker: Tracker) -> str:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {"slots": {}}))
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def records(url: str, kind: ServiceRecordKind) -> list[ServiceRecord]:
    """This test's records (the demo store's history has its own)."""
    with session_scope(url) as session:
        query = select(ServiceRecord).where(
            ServiceRecord.kind == kind, ~ServiceRecord.sender_id.startswith(SENDER_PREFIX)
        )
        found = list(session.execute(query.order_by(ServiceRecord.id)).scalars())
        session.expunge_all()
        return found


def an_order(url: str) -> tuple[int, str]:
    with session_scope(url) as session:
        order = session.execute(select(Order).order_by(Order.id)).scalars().first()
        assert order is not None
        return int(order.customer_id), str(order.order_no)


def test_a_complaint_is_recorded_with_category_order_and_number(store_url: str) -> None:
    customer_id, order_no = an_order(store_url)
    complaint = user_event(f"订单{order_no}的快递一个星期了还没到", "complaint", order_no=order_no)
    reply = say(ActionRecordComplaint(), tracker_for(complaint, customer_id=customer_id))
    [record] = records(store_url, ServiceRecordKind.COMPLAINT)
    assert record.reference_no == "TS20261120-0001"  # the demo store's day
    assert record.reference_no in reply and "物流专员" in reply and "11月21日 10:00" in reply
    assert record.category is ComplaintCategory.LOGISTICS
    assert record.customer_id == customer_id and record.order_id is not None
    assert record.sender_id == "chat-records"


def test_someone_elses_order_is_not_linked_to_a_complaint(store_url: str) -> None:
    _, order_no = an_order(store_url)
    complaint = user_event(f"{order_no} 这单质量太差了", "complaint", order_no=order_no)
    say(ActionRecordComplaint(), tracker_for(complaint))  # anonymous, order not verified
    [record] = records(store_url, ServiceRecordKind.COMPLAINT)
    assert record.order_id is None and record.customer_id is None
    assert record.category is ComplaintCategory.QUALITY


def test_a_second_message_adds_to_the_same_complaint(store_url: str) -> None:
    first = user_event("客服半天不回消息", "complaint")
    second = user_event("而且态度也很差", "complaint")
    say(ActionRecordComplaint(), tracker_for(first))
    reply = say(ActionRecordComplaint(), tracker_for(first, second))
    [record] = records(store_url, ServiceRecordKind.COMPLAINT)
    assert "补充：而且态度也很差" in record.text and record.reference_no in reply
    other = user_event("快递太慢了", "complaint")
    say(ActionRecordComplaint(), tracker_for(other, sender="another-chat"))
    numbers = [r.reference_no for r in records(store_url, ServiceRecordKind.COMPLAINT)]
    assert numbers == ["TS20261120-0001", "TS20261120-0002"]


def test_an_angry_complaint_goes_to_a_person_and_is_recorded_once(store_url: str) -> None:
    mild = user_event("买的锅用了两次就坏了", "complaint")
    angry = user_event("一群饭桶，什么都办不好！！", "complaint", angry=True)
    say(ActionRecordComplaint(), tracker_for(mild))
    reply = say(ActionHandoff(), tracker_for(mild, angry))
    [record] = records(store_url, ServiceRecordKind.COMPLAINT)
    assert record.reference_no in reply and "人工客服" in reply
    assert "一群饭桶" in record.text
    say(ActionHandoff(), tracker_for(mild, angry))  # a retried action files nothing new
    assert len(records(store_url, ServiceRecordKind.COMPLAINT)) == 1


def test_a_handoff_for_another_reason_files_no_complaint(store_url: str) -> None:
    say(ActionHandoff(), tracker_for(user_event("转人工", "request_human")))
    assert records(store_url, ServiceRecordKind.COMPLAINT) == []


def test_a_suggestion_is_recorded_with_its_own_number(store_url: str) -> None:
    customer_id, _ = an_order(store_url)
    for text in ("建议晚上也安排人工客服", "希望跑鞋能出个宽楦版"):
        reply = say(
            ActionRecordSuggestion(),
            tracker_for(user_event(text, "suggestion"), customer_id=customer_id),
        )
        assert REFERENCE.search(reply) and "建议" in reply
    saved = records(store_url, ServiceRecordKind.SUGGESTION)
    assert [r.reference_no for r in saved] == ["JY20261120-0001", "JY20261120-0002"]
    assert saved[1].text == "希望跑鞋能出个宽楦版" and saved[1].customer_id == customer_id
