"""Session start: remember which customer the channel's verified token signed in."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import CUSTOMER_ID, database_guard
from actions.followups import deliver_pending_notices
from bot.db.session import session_scope
from bot.services.customers.identity import get_customer


class ActionSessionStart(Action):
    """Sets `customer_id` from the session metadata when that customer exists, and says the
    notices that waited for this customer or conversation.

    The customer channels put `customer_id` there only from a verified customer token, never
    from what a client wrote (bot.channels.identity); a value that names no customer is ignored,
    and the visitor is treated as anonymous (asked to verify each order).
    """

    def name(self) -> str:
        return "action_session_start"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        metadata = tracker.get_slot("session_started_metadata") or {}
        with session_scope() as session:
            customer = get_customer(session, metadata.get(CUSTOMER_ID))
            if customer is not None:
                events.append(SlotSet(CUSTOMER_ID, str(customer.id)))
                events.append(SlotSet("customer_name", customer.name))
        # What the shop has to tell this customer since their last visit comes first.
        deliver_pending_notices(
            dispatcher, tracker.sender_id, int(customer.id) if customer is not None else None
        )
        events.append(ActionExecuted("action_listen"))
        return events
