"""What the bot says when it did not understand the customer, or cannot tell two requests apart."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.handoff.signals import trailing_fallbacks
from bot.nlu.clarification import FAQ_TOPIC_ENTITY, clarification_choices


class ActionRephraseOrOfferHuman(Action):
    """Two close intents: ask which one, with a button each. Otherwise, first miss: ask to
    rephrase; misses in a row: offer a person instead of asking again."""

    def name(self) -> str:
        return "action_rephrase_or_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        choices = clarification_choices(tracker.latest_message)
        if choices:
            buttons = [{"title": c.title, "payload": c.payload} for c in choices]
            dispatcher.utter_message(response="utter_ask_which_intent", buttons=buttons)
        elif trailing_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionAnswerFaqTopic(Action):
    """Answers the policy topic the customer picked from the clarification buttons.

    The button's message (``/faq{"faq_topic": "promotion"}``) bypasses the NLU model, so no
    response selector picked an answer; the topic names the answer (``utter_faq/promotion``).
    """

    def name(self) -> str:
        return "action_answer_faq_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topic = next(tracker.get_latest_entity_values(FAQ_TOPIC_ENTITY), None)
        response = f"utter_faq/{topic}"
        if topic and response in (domain.get("responses") or {}):
            dispatcher.utter_message(response=response)
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
