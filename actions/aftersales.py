"""Return and exchange forms: which item, why, opened or not, which new spec, photos.

Both forms share one validation base; the rules that decide what to ask come from the order
itself (a one-item order needs no item question, a size exchange needs no photo, only skincare
is asked whether it was opened) and a request that policy already refuses ends the form early
so the customer hears the honest answer instead of more questions.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, object_session

from actions.aftersales_slots import (
    EXCHANGE_SPEC,
    FORM_SLOTS,
    ITEM_OPENED,
    ORDER_ITEM,
    PHOTO_PROVIDED,
    RETURN_REASON,
    asked,
    forget,
    intent_of,
    stale_answers,
)
from actions.common import Events, database_guard, entity_values, latest_text
from actions.order_form import ORDER_ID, OrderFormValidation, resolve_order
from bot.db.enums import DELIVERED_STATUSES
from bot.db.models import Order
from bot.db.session import session_scope
from bot.policy.returns import Kind
from bot.services.aftersales.exchange_spec import SpecOutcome, choose_exchange_spec
from bot.services.aftersales.replies import (
    ACKNOWLEDGE_FAULT,
    ITEM_NOT_IN_ORDER,
    UNKNOWN_REASON,
    WHICH_ITEM,
    spec_reply,
)
from bot.services.aftersales.returns import (
    asks_item_opened,
    check,
    is_shop_fault,
    item_of_order,
    items_named,
    return_reason_of,
    variant_options,
)
from bot.services.aftersales.words import classify_return_reason, opened_in, photo_answer
from bot.services.clock import store_now
from bot.services.orders.lookup import Purpose


class AfterSaleFormValidation(OrderFormValidation):
    """Shared by the return and the exchange form; ``kind`` says which."""

    purpose = Purpose.AFTER_SALE
    kind: Kind = Kind.RETURN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        stale = stale_answers(tracker, self.form_name(), FORM_SLOTS)
        forget(tracker, stale)
        events = await super().run(dispatcher, tracker, domain)
        return [SlotSet(slot, None) for slot in stale] + events

    def order_fits(self, order: Order) -> bool:
        return order.status in DELIVERED_STATUSES

    async def more_slots(self, rest: list[str], order: Order, tracker: Tracker) -> list[str]:
        item = item_of_order(order, tracker.get_slot(ORDER_ITEM))
        reason = return_reason_of(tracker.get_slot(RETURN_REASON))
        session = object_session(order)
        if item is not None and reason is not None and session is not None:
            opened = bool(tracker.get_slot(ITEM_OPENED))
            if not check(order, item, self.kind, reason, opened, store_now(session)).allowed:
                # Policy already says no: stop asking, the submit action explains why. The
                # answers given so far stay in the list, or they would not be kept.
                return [slot for slot in rest if tracker.get_slot(slot) is not None]
        slots = list(rest)
        drop = set()
        if item is not None and not asks_item_opened(item, reason):
            drop.add(ITEM_OPENED)
        if reason is not None and not is_shop_fault(reason):
            drop.add(PHOTO_PROVIDED)
        if item is not None and len(variant_options(item)[0]) <= 1:
            drop.add(EXCHANGE_SPEC)  # one spec only: the exchange is for the same thing
        return [s for s in slots if s not in drop]

    def _order(self, session: Session, tracker: Tracker) -> Order | None:
        order = resolve_order(session, tracker, tracker.get_slot(ORDER_ID))
        return order if order is not None and self.order_fits(order) else None

    async def extract_order_item(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """One item, or the one the customer named: no need to ask."""
        if tracker.get_slot(ORDER_ITEM) or entity_values(tracker, ORDER_ITEM):
            return {}
        with session_scope() as session:
            order = self._order(session, tracker)
            if order is None:
                return {}
            items = list(order.items)
            if len(items) == 1:
                return {ORDER_ITEM: str(items[0].id)}
            named = items_named(order, latest_text(tracker), entity_values(tracker, "product"))
            return {ORDER_ITEM: str(named[0].id)} if len(named) == 1 else {}

    async def validate_order_item(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        with session_scope() as session:
            order = self._order(session, tracker)
            item = item_of_order(order, slot_value) if order is not None else None
            if item is None:
                if order is not None:
                    dispatcher.utter_message(text=ITEM_NOT_IN_ORDER)
                return {ORDER_ITEM: None}
            return {ORDER_ITEM: str(item.id)}

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Plain answers to the reason question ("衣服开线了") the NLU did not tag."""
        if not asked(tracker, RETURN_REASON) or entity_values(tracker, RETURN_REASON):
            return {}
        reason = classify_return_reason(latest_text(tracker))
        return {RETURN_REASON: reason.value} if reason is not None else {}

    async def validate_return_reason(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        reason = return_reason_of(slot_value)
        if reason is None:
            dispatcher.utter_message(text=UNKNOWN_REASON)
            return {RETURN_REASON: None}
        if is_shop_fault(reason):
            # Seed 000: acknowledge and take responsibility before asking for anything.
            dispatcher.utter_message(text=ACKNOWLEDGE_FAULT[reason])
        return {RETURN_REASON: reason.value}

    async def extract_photo_provided(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not asked(tracker, PHOTO_PROVIDED):
            return {}
        answer = photo_answer(latest_text(tracker))
        if answer is None and intent_of(tracker) in ("affirm", "deny"):
            answer = intent_of(tracker) == "affirm"
        return {PHOTO_PROVIDED: answer} if answer is not None else {}

    async def validate_photo_provided(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return {PHOTO_PROVIDED: bool(slot_value)}


class ValidateReturnForm(AfterSaleFormValidation):
    kind = Kind.RETURN

    def name(self) -> str:
        return "validate_return_form"

    async def extract_item_opened(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """ "还没拆" / "用过两次": answers the affirm/deny mapping does not catch."""
        if not asked(tracker, ITEM_OPENED) or tracker.get_slot(ITEM_OPENED) is not None:
            return {}
        opened = opened_in(latest_text(tracker))
        return {ITEM_OPENED: opened} if opened is not None else {}

    async def validate_item_opened(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return {ITEM_OPENED: bool(slot_value)}


class ValidateExchangeForm(AfterSaleFormValidation):
    kind = Kind.EXCHANGE

    def name(self) -> str:
        return "validate_exchange_form"

    async def extract_exchange_spec(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """ "卫衣换成黑色的" in the first message: take the wish when it is clear and in stock."""
        text = latest_text(tracker)
        if asked(tracker, EXCHANGE_SPEC) or tracker.get_slot(EXCHANGE_SPEC) or "换" not in text:
            return {}
        with session_scope() as session:
            order = self._order(session, tracker)
            item = item_of_order(order, tracker.get_slot(ORDER_ITEM)) if order else None
            if item is None:
                return {}
            options, current = variant_options(item)
            choice = choose_exchange_spec(text, options, current, allow_same=False)
        if choice.outcome is SpecOutcome.OK and choice.wanted is not None:
            return {EXCHANGE_SPEC: text}
        return {}

    async def validate_exchange_spec(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """Check the wish against the product's variants and say what is in stock."""
        with session_scope() as session:
            order = self._order(session, tracker)
            item = item_of_order(order, tracker.get_slot(ORDER_ITEM)) if order else None
            if item is None:
                return {EXCHANGE_SPEC: None}
            options, current = variant_options(item)
        reason = return_reason_of(tracker.get_slot(RETURN_REASON))
        # A faulty or wrong item may be replaced by the very same spec.
        allow_same = reason is None or is_shop_fault(reason)
        wish = str(slot_value or "")
        choice = choose_exchange_spec(wish, options, current, allow_same=allow_same)
        dispatcher.utter_message(text=spec_reply(choice))
        if choice.outcome is SpecOutcome.OK and choice.wanted is not None:
            return {EXCHANGE_SPEC: choice.wanted.spec}
        return {EXCHANGE_SPEC: None}


class ActionAskOrderItem(Action):
    """Which item of the order: one button per item, titled with its name and spec."""

    def name(self) -> str:
        return "action_ask_order_item"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            order = resolve_order(session, tracker, tracker.get_slot(ORDER_ID))
            items = list(order.items) if order is not None else []
            buttons = [
                {
                    "title": f"{i.product_name} {i.spec}".strip(),
                    "payload": f'/inform{{"{ORDER_ITEM}":"{i.id}"}}',
                }
                for i in items
            ]
        if not buttons:
            dispatcher.utter_message(response="utter_no_fitting_order")
            return []
        dispatcher.utter_message(
            text=WHICH_ITEM,
            buttons=buttons,
        )
        return []
