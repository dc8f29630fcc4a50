"""README's "Things to try", and the messages real customers got wrong answers to, sent to the
real assistant: each is understood (the intent on the tracker) and answered in kind (the action
that ran), never with a fallback question or another topic's answer."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

WANG = 1  # 王晓明: several parcels on the way, one unshipped order, 926111453460400021 in transit
FALLBACK_ACTIONS = {"action_rephrase_or_offer_human", "action_default_fallback"}

# message, intent, action that must answer it (a form starting counts: it asks what it needs)
THINGS_TO_TRY = [
    ("我的快递到哪了", "track_order", "track_order_form"),
    ("怎么还不发货", "urge_shipment", "urge_shipment_form"),
    ("帮我取消订单", "cancel_order", "cancel_order_form"),
    ("我要改地址", "modify_address", "modify_address_form"),
    ("衣服开线了我要退货", "request_return", "return_form"),
    ("鞋子小了想换大一码", "request_exchange", "exchange_form"),
    ("退款到哪了", "refund_status", "refund_status_form"),
    ("身高175体重70穿什么码", "ask_product", "action_answer_product"),
    ("500以内的跑鞋推荐一下", "ask_recommendation", "action_recommend_products"),
    ("运费怎么算", "faq", "utter_faq"),
    ("你是机器人吗", "bot_challenge", "utter_bot_challenge"),
    ("转人工", "request_human", "action_handoff"),
    # once answered with a fallback or the wrong topic
    ("这个耳机有降噪吗", "ask_product", "action_answer_product"),
    ("926111453460400021到哪了", "track_order", "track_order_form"),
    ("926111453460400021 这个单子到哪了", "track_order", "track_order_form"),
    ("单号926111453460400021怎么还没到", "track_order", "track_order_form"),
]


def _turn(tracker: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """The last user message's parse data, the actions after it and their utterances."""
    events = tracker["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    after = events[last + 1 :]
    actions = [e["name"] for e in after if e["event"] == "action"]
    utterances = [
        str((e.get("metadata") or {}).get("utter_action")) for e in after if e["event"] == "bot"
    ]
    return events[last]["parse_data"], actions, utterances


@pytest.mark.parametrize(
    ("text", "intent", "action"), THINGS_TO_TRY, ids=[t for t, _, _ in THINGS_TO_TRY]
)
def test_things_to_try_are_understood_and_answered_in_kind(
    assistant: Assistant, text: str, intent: str, action: str
) -> None:
    sender = "e2e-try-" + hashlib.sha1(text.encode()).hexdigest()[:12]
    replies = assistant.say(sender, text, WANG)
    assert replies, f"no answer to {text}"
    parse_data, actions, utterances = _turn(assistant.tracker(sender, WANG))
    assert parse_data["intent"]["name"] == intent, parse_data["intent_ranking"][:3]
    assert action in actions, actions
    assert not FALLBACK_ACTIONS & set(actions)
    if intent == "faq":
        assert utterances == ["utter_faq/shipping_fee"]


def test_the_identifier_reaches_the_tracking_answer(assistant: Assistant) -> None:
    sender = "e2e-try-order-number"
    replies = assistant.say(sender, "926111453460400021到哪了", WANG)
    text = "\n".join(str(r.get("text", "")) for r in replies)
    assert "杭州" in text, text  # the parcel's last scan, not a question about which order
