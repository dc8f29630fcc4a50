"""After the return or exchange form: open the ticket, or explain honestly why not."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.aftersales_slots import (
    EXCHANGE_SPEC,
    ITEM_OPENED,
    ORDER_ITEM,
    PHOTO_PROVIDED,
    RETURN_REASON,
)
from actions.aftersales_slots import slot_resets as after_sale_resets
from actions.common import customer_id_of, database_guard
from actions.order_form import FAILED_CHECKS, MAX_FAILED_CHECKS, ORDER_ID, resolve_order
from bot.db.enums import DELIVERED_STATUSES, AfterSaleReason
from bot.db.models import Order
from bot.db.session import session_scope
from bot.policy.refusals import LAST_REFUSAL_SLOT, slot_value
from bot.policy.returns import Kind
from bot.services.aftersales.replies import START_OVER, after_sale_reply
from bot.services.aftersales.returns import item_of_order, return_reason_of, submit_after_sale
from bot.services.clock import store_now

FORM_KINDS = {"return_form": Kind.RETURN, "exchange_form": Kind.EXCHANGE}


def after_sale_kind(tracker: Tracker) -> Kind:
    """Return or exchange: the form that ran last (the loop is already closed when we run)."""
    active = (tracker.active_loop or {}).get("name")
    if active in FORM_KINDS:
        return FORM_KINDS[active]
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") in FORM_KINDS:
            return FORM_KINDS[event["name"]]
    return Kind.EXCHANGE if tracker.get_slot(EXCHANGE_SPEC) else Kind.RETURN


def order_or_explain(
    session: Session, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Order | None:
    """The form's order as the person chatting may see it; otherwise say why there is none.

    The form ends without an order when verification locked (already told), or when a
    signed-in customer has no order this request could be about.
    """
    if int(tracker.get_slot(FAILED_CHECKS) or 0) >= MAX_FAILED_CHECKS:
        return None
    order_no = tracker.get_slot(ORDER_ID)
    if not order_no:
        signed_in = customer_id_of(tracker) is not None
        response = "utter_no_fitting_order" if signed_in else "utter_ask_order_id_and_phone_tail"
        dispatcher.utter_message(response=response)
        return None
    order = resolve_order(session, tracker, order_no)
    if order is None:
        # Same answer for an unknown number and someone else's order.
        dispatcher.utter_message(response="utter_order_not_found", order_id=order_no)
    return order


class ActionSubmitAfterSale(Action):
    def name(self) -> str:
        return "action_submit_after_sale"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kind = after_sale_kind(tracker)
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is None:
                return after_sale_resets()
            items = list(order.items)
            item = item_of_order(order, tracker.get_slot(ORDER_ITEM))
            if item is None and len(items) == 1:
                item = items[0]
            reason = return_reason_of(tracker.get_slot(RETURN_REASON))
            delivered = order.status in DELIVERED_STATUSES
            if delivered and (item is None or reason is None):
                dispatcher.utter_message(text=START_OVER)
                return after_sale_resets()
            result = submit_after_sale(
                session,
                order,
                item,
                kind=kind,
                # An order never delivered ends the form before the reason is asked; the
                # refusal (refuse the parcel, or cancel) does not depend on it.
                reason=reason or AfterSaleReason.NO_REASON,
                opened=bool(tracker.get_slot(ITEM_OPENED)),
                photo_provided=tracker.get_slot(PHOTO_PROVIDED),
                exchange_spec=tracker.get_slot(EXCHANGE_SPEC),
                now=store_now(session),
            )
            text = after_sale_reply(result)
        dispatcher.utter_message(text=text)
        return [*after_sale_resets(), SlotSet(LAST_REFUSAL_SLOT, slot_value(result.refusal))]
