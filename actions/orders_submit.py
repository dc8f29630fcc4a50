"""What the order forms do once filled: track, urge, cancel, re-address, summarise.

Each action loads the order only through resolve_order (ownership-checked), does its work in one
transaction, and speaks only after that transaction has committed, so a database failure never
leaves the customer with a promise we did not record.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import database_guard
from actions.order_form import (
    FAILED_CHECKS,
    MAX_FAILED_CHECKS,
    ORDER_ID,
    PHONE_TAIL,
    resolve_order,
)
from actions.orders_forms import NEW_ADDRESS, NEW_PHONE, wanted_ship_to
from bot.db.models import Order
from bot.db.session import session_scope
from bot.policy.orders import can_cancel, can_modify_address
from bot.policy.refusals import LAST_REFUSAL_SLOT, RefusalCode, slot_value
from bot.services.clock import store_now
from bot.services.orders.changes import cancel_order, change_address
from bot.services.orders.replies import (
    SORRY_ADDRESS,
    address_kept_text,
    address_text,
    cancel_kept_text,
    cancel_text,
    overview_text,
    tracking_text,
    urge_text,
)
from bot.services.orders.tracking import overview, track, urge_shipment

CANCEL_CONFIRMED = "cancel_confirmed"
ADDRESS_CONFIRMED = "address_confirmed"


def order_or_explain(
    session: Session, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Order | None:
    """The order the form settled on, or None after telling the customer there is none.

    After too many failed verifications the lock message has already been given: stay quiet.
    """
    order = resolve_order(session, tracker, tracker.get_slot(ORDER_ID))
    locked = int(tracker.get_slot(FAILED_CHECKS) or 0) >= MAX_FAILED_CHECKS
    if order is None and not locked:
        dispatcher.utter_message(response="utter_no_fitting_order")
    return order


class OrderAnswer(Action, abc.ABC):
    """An answer about the order the form settled on, in one text; the form's verification
    tail is cleared afterwards so it is asked again for the next order."""

    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    def answer(self, session: Session, order: Order, now: datetime) -> str: ...

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = None
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is not None:
                text = self.answer(session, order, store_now(session))
        if text:
            dispatcher.utter_message(text=text)
        return [SlotSet(PHONE_TAIL, None)]


class ActionTrackOrder(OrderAnswer):
    """Tracking; a stuck or troubled parcel also gets an inquiry recorded (once a day)."""

    def name(self) -> str:
        return "action_track_order"

    def answer(self, session: Session, order: Order, now: datetime) -> str:
        return tracking_text(track(session, order, now))


class ActionUrgeShipment(OrderAnswer):
    def name(self) -> str:
        return "action_urge_shipment"

    def answer(self, session: Session, order: Order, now: datetime) -> str:
        return urge_text(urge_shipment(session, order, now))


class ActionCancelOrder(Action):
    """Cancels only on an explicit yes; a shipped order gets the refuse-or-return explanation."""

    def name(self) -> str:
        return "action_cancel_order"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        confirmed = tracker.get_slot(CANCEL_CONFIRMED) is True
        text = None
        refusal: RefusalCode | None = None
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is not None:
                if confirmed or not can_cancel(order.status):
                    result = cancel_order(session, order, store_now(session))
                    text, refusal = cancel_text(result), result.refusal
                else:
                    text = cancel_kept_text(order.order_no)
        if text:
            dispatcher.utter_message(text=text)
        return [
            SlotSet(CANCEL_CONFIRMED, None),
            SlotSet(PHONE_TAIL, None),
            SlotSet(LAST_REFUSAL_SLOT, slot_value(refusal)),
        ]


class ActionModifyAddress(Action):
    """Changes the order's delivery snapshot before shipment; afterwards notes the wish."""

    def name(self) -> str:
        return "action_modify_address"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        confirmed = tracker.get_slot(ADDRESS_CONFIRMED) is True
        new_text = tracker.get_slot(NEW_ADDRESS)
        text = None
        refusal: RefusalCode | None = None
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is not None:
                wanted = wanted_ship_to(order, new_text, tracker.get_slot(NEW_PHONE))
                if can_modify_address(order.status) and not confirmed:
                    text = address_kept_text()
                elif can_modify_address(order.status) and wanted is None:
                    text = SORRY_ADDRESS
                else:
                    change = change_address(session, order, wanted, store_now(session))
                    text, refusal = address_text(change), change.refusal
        if text:
            dispatcher.utter_message(text=text)
        return [
            SlotSet(NEW_ADDRESS, None),
            SlotSet(NEW_PHONE, None),
            SlotSet(ADDRESS_CONFIRMED, None),
            SlotSet(PHONE_TAIL, None),
            SlotSet(LAST_REFUSAL_SLOT, slot_value(refusal)),
        ]


class ActionOrderOverview(OrderAnswer):
    """A short summary when the customer just sends an order number."""

    def name(self) -> str:
        return "action_order_overview"

    def answer(self, session: Session, order: Order, now: datetime) -> str:
        return overview_text(overview(session, order, now))
