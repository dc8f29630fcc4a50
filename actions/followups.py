"""回访 and notices in the chat: the rating question after an answered conversation, and what
the shop has to tell a customer at the start of their next conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import customer_id_of, database_guard
from bot.db.session import session_scope
from bot.services.followups.conversation_end import ended_with_answer
from bot.services.followups.satisfaction import (
    AFTER_SALE_QUESTION,
    CONVERSATION_QUESTION,
    may_ask,
    rating_buttons,
    record_ask,
)
from bot.services.notices.store import claim_all, pending_for
from bot.timeutil import beijing_now

SESSION_START = "session_start"


def deliver_pending_notices(
    dispatcher: CollectingDispatcher, sender_id: str, customer_id: int | None
) -> None:
    """Say what waited for this customer or conversation (review results, follow-up outcomes,
    proactive news), each once: a notice another server pushed meanwhile is not repeated."""
    with session_scope() as session:
        now = beijing_now()
        notices = claim_all(
            session,
            pending_for(session, sender_id=sender_id, customer_id=customer_id),
            SESSION_START,
            now,
        )
        ask_for = next((n for n in notices if n.ask_rating), None)
        ask = ask_for is not None and may_ask(
            session, sender_id=sender_id, customer_id=customer_id, now=now
        )
        if ask and ask_for is not None:
            record_ask(
                session,
                subject="after_sale",
                sender_id=sender_id,
                customer_id=customer_id,
                ticket_id=ask_for.ticket_id,
                now=now,
            )
    for notice in notices:
        dispatcher.utter_message(text=notice.text)
    if ask:
        dispatcher.utter_message(text=AFTER_SALE_QUESTION, buttons=rating_buttons())


class ActionOfferSatisfaction(Action):
    """After thanks or goodbye: ask for a 1-5 rating of a conversation the bot answered alone,
    at most once a day per customer, never when the customer is angry."""

    def name(self) -> str:
        return "action_offer_satisfaction"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not ended_with_answer(tracker.events):
            return []
        customer_id = customer_id_of(tracker)
        with session_scope() as session:
            now = beijing_now()
            if not may_ask(session, sender_id=tracker.sender_id, customer_id=customer_id, now=now):
                return []
            record_ask(
                session,
                subject="conversation",
                sender_id=tracker.sender_id,
                customer_id=customer_id,
                now=now,
            )
        dispatcher.utter_message(text=CONVERSATION_QUESTION, buttons=rating_buttons())
        return []
