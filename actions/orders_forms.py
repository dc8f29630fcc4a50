"""The order forms' validations and their confirmation questions.

Which order, and who may see it, is the base class's job (actions.order_form); these classes
say which orders each request applies to and check the new delivery address.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import database_guard
from actions.order_form import ORDER_ID, OrderFormValidation, resolve_order
from bot.db.models import Order
from bot.db.session import session_scope
from bot.policy.orders import can_cancel, can_modify_address
from bot.services.orders.address import check_new_address
from bot.services.orders.changes import ShipTo, cancel_preview, proposed_ship_to, ship_to
from bot.services.orders.lookup import Purpose
from bot.services.orders.replies import (
    ADDRESS_BUTTONS,
    CANCEL_BUTTONS,
    CONFIRM_ADDRESS,
    CONFIRM_CANCEL,
    address_problem_text,
    address_question,
    cancel_question,
)

NEW_ADDRESS = "new_address"
NEW_PHONE = "new_phone"


def wanted_ship_to(order: Order, text: str | None, new_phone: str | None) -> ShipTo | None:
    """The delivery snapshot the customer asked for, or None if the text is not usable."""
    if not text:
        return None
    check = check_new_address(text, order.ship_province, order.ship_city)
    if check.parsed is None:
        return None
    return proposed_ship_to(ship_to(order), check.parsed, new_phone)


class ValidateTrackOrderForm(OrderFormValidation):
    purpose = Purpose.TRACK

    def name(self) -> str:
        return "validate_track_order_form"


class ValidateUrgeShipmentForm(OrderFormValidation):
    purpose = Purpose.URGE

    def name(self) -> str:
        return "validate_urge_shipment_form"


class ValidateOrderOverviewForm(OrderFormValidation):
    purpose = Purpose.ANY

    def name(self) -> str:
        return "validate_order_overview_form"


class ValidateCancelOrderForm(OrderFormValidation):
    """A shipped or cancelled order ends the form; action_cancel_order explains what is left."""

    purpose = Purpose.CANCEL

    def name(self) -> str:
        return "validate_cancel_order_form"

    def order_fits(self, order: Order) -> bool:
        return can_cancel(order.status)


class ValidateModifyAddressForm(OrderFormValidation):
    purpose = Purpose.READDRESS

    def name(self) -> str:
        return "validate_modify_address_form"

    def order_fits(self, order: Order) -> bool:
        return can_modify_address(order.status)

    async def validate_new_address(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Accept a complete Chinese address (or just a new phone/recipient); the phone found
        in it goes to `new_phone`. A rejection says what is missing, then the form asks again."""
        text = " ".join(str(slot_value or "").split())
        with session_scope() as session:
            order = resolve_order(session, tracker, tracker.get_slot(ORDER_ID))
            province, city = (order.ship_province, order.ship_city) if order else ("", "")
        check = check_new_address(text, province, city)
        if check.parsed is None:
            dispatcher.utter_message(text=address_problem_text(check))
            return {NEW_ADDRESS: None, NEW_PHONE: None}
        return {NEW_ADDRESS: text, NEW_PHONE: check.parsed.phone}


def _order(session: Session, tracker: Tracker) -> Order | None:
    return resolve_order(session, tracker, tracker.get_slot(ORDER_ID))


class ActionAskCancelConfirmed(Action):
    """Shows what would be cancelled (items, amount, state, refund) before asking."""

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            order = _order(session, tracker)
            text = cancel_question(cancel_preview(order)) if order else CONFIRM_CANCEL
        dispatcher.utter_message(text=text, buttons=CANCEL_BUTTONS)
        return []


class ActionAskAddressConfirmed(Action):
    """Shows the old and the new delivery details side by side before asking."""

    def name(self) -> str:
        return "action_ask_address_confirmed"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            order = _order(session, tracker)
            wanted = (
                wanted_ship_to(order, tracker.get_slot(NEW_ADDRESS), tracker.get_slot(NEW_PHONE))
                if order
                else None
            )
            text = (
                address_question(order.order_no, ship_to(order), wanted)
                if order is not None and wanted is not None
                else CONFIRM_ADDRESS
            )
        dispatcher.utter_message(text=text, buttons=ADDRESS_BUTTONS)
        return []
