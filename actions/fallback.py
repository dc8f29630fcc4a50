"""What the bot says when it did not understand the customer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.handoff.signals import trailing_fallbacks


class ActionRephraseOrOfferHuman(Action):
    """First miss: ask to rephrase. Misses in a row: offer a person instead of asking again."""

    def name(self) -> str:
        return "action_rephrase_or_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if trailing_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
