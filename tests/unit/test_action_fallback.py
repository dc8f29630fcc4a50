"""Not understood: ask to rephrase once, then offer a person. Torn between two: ask which."""

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAnswerFaqTopic, ActionRephraseOrOfferHuman

THRESHOLD = 0.5


def _user(intent: str, ranking: list[tuple[str, float]] | None = None) -> dict[str, Any]:
    parse_data: dict[str, Any] = {"intent": {"name": intent}}
    if ranking is not None:
        parse_data["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
        parse_data["entities"] = [
            {"entity": "order_id", "value": "926111453460400021", "start": 0, "end": 18}
        ]
    return {"event": "user", "text": "…", "parse_data": parse_data}


def _run(action: Any, events: list[dict[str, Any]], domain: dict[str, Any] | None = None) -> list:
    latest = {"text": events[-1]["text"], **events[-1]["parse_data"]}
    state = {"sender_id": "c1", "events": events, "slots": {}, "latest_message": latest}
    tracker = Tracker.from_dict(state)
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages


def _responses(intents: list[str]) -> list[str | None]:
    messages = _run(ActionRephraseOrOfferHuman(), [_user(i) for i in intents])
    return [m.get("response") for m in messages]


def test_first_miss_asks_to_rephrase() -> None:
    assert _responses(["greet", "nlu_fallback"]) == ["utter_ask_rephrase"]


def test_second_miss_in_a_row_offers_a_person() -> None:
    assert _responses(["nlu_fallback", "nlu_fallback"]) == ["utter_offer_human"]


def test_two_close_requests_are_offered_as_buttons_keeping_the_order_number() -> None:
    ranking = [("nlu_fallback", THRESHOLD), ("track_order", 0.52), ("urge_shipment", 0.47)]
    (message,) = _run(ActionRephraseOrOfferHuman(), [_user("nlu_fallback", ranking)])
    assert message["response"] == "utter_ask_which_intent"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        ("查物流/快递到哪了", '/track_order{"order_id":"926111453460400021"}'),
        ("催发货", '/urge_shipment{"order_id":"926111453460400021"}'),
    ]


def test_a_low_best_guess_is_not_a_choice_between_two() -> None:
    ranking = [("nlu_fallback", THRESHOLD), ("track_order", 0.31), ("urge_shipment", 0.30)]
    (message,) = _run(ActionRephraseOrOfferHuman(), [_user("nlu_fallback", ranking)])
    assert message["response"] == "utter_ask_rephrase"
    assert not message.get("buttons")


def test_a_picked_policy_topic_is_answered_from_its_retrieval_response() -> None:
    event = {
        "event": "user",
        "text": '/faq{"faq_topic":"promotion"}',
        "parse_data": {
            "intent": {"name": "faq"},
            "entities": [{"entity": "faq_topic", "value": "promotion"}],
        },
    }
    domain = {"responses": {"utter_faq/promotion": [{"text": "…"}]}}
    (message,) = _run(ActionAnswerFaqTopic(), [event], domain)
    assert message["response"] == "utter_faq/promotion"
    event["parse_data"]["entities"] = [{"entity": "faq_topic", "value": "no_such_topic"}]
    (message,) = _run(ActionAnswerFaqTopic(), [event], domain)
    assert message["response"] == "utter_ask_rephrase"
