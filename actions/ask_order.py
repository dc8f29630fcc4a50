"""Asking which order: a list of the customer's fitting orders, or a verification request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import customer_id_of, database_guard
from bot.db.session import session_scope
from bot.services.orders.lookup import Purpose, brief, candidate_orders

# Which orders to offer in each form.
FORM_PURPOSES = {
    "track_order_form": Purpose.TRACK,
    "urge_shipment_form": Purpose.URGE,
    "cancel_order_form": Purpose.CANCEL,
    "modify_address_form": Purpose.READDRESS,
    "return_form": Purpose.AFTER_SALE,
    "exchange_form": Purpose.AFTER_SALE,
    "refund_form": Purpose.REFUND,
    "refund_status_form": Purpose.REFUND_STATUS,
    "order_overview_form": Purpose.ANY,
}


class ActionAskOrderId(Action):
    def name(self) -> str:
        return "action_ask_order_id"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        customer_id = customer_id_of(tracker)
        if customer_id is None:
            dispatcher.utter_message(response="utter_ask_order_id_and_phone_tail")
            return []
        purpose = FORM_PURPOSES.get(tracker.active_loop.get("name") or "", Purpose.ANY)
        with session_scope() as session:
            orders = [brief(o) for o in candidate_orders(session, customer_id, purpose)]
        buttons = [
            {"title": o.label, "payload": f'/inform{{"order_id":"{o.order_no}"}}'} for o in orders
        ]
        dispatcher.utter_message(response="utter_ask_which_order", buttons=buttons)
        return []
