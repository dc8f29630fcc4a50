"""Low-confidence turns: ask to rephrase once, then offer a person."""

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrOfferHuman


def _tracker(intents: list[str]) -> Tracker:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "…", "parse_data": {"intent": {"name": i}}} for i in intents
    ]
    return Tracker.from_dict({"sender_id": "c1", "events": events, "slots": {}})


def _responses(intents: list[str]) -> list[str | None]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionRephraseOrOfferHuman().run(dispatcher, _tracker(intents), {}))
    return [m.get("response") for m in dispatcher.messages]


def test_first_miss_asks_to_rephrase() -> None:
    assert _responses(["greet", "nlu_fallback"]) == ["utter_ask_rephrase"]


def test_second_miss_in_a_row_offers_a_person() -> None:
    assert _responses(["nlu_fallback", "nlu_fallback"]) == ["utter_offer_human"]
