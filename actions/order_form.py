"""The part every order form shares: which order, and is the person asking allowed to see it.

A customer the channel vouches for (metadata `customer_id`) is asked only for the order number,
and not even that when one order fits the request. An anonymous visitor gives the order number
and the last four digits of the phone; a mismatch gets the same answer as an unknown number, so
nobody can probe for other people's orders.
"""

from __future__ import annotations

import abc
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from sqlalchemy.orm import Session

from actions.common import (
    VERIFIED_ORDERS,
    Events,
    customer_id_of,
    database_guard,
    entity_values,
    latest_text,
    verified_orders_of,
)
from bot.channels.identity import CLIENT
from bot.db.models import Order
from bot.db.session import session_scope
from bot.services.customers.identity import ORDER_NO, order_of_customer
from bot.services.customers.verification import Verdict, check_phone_tail
from bot.services.orders.lookup import Purpose, candidate_orders
from bot.timeutil import beijing_now

ORDER_ID = "order_id"
PHONE_TAIL = "phone_tail"
FAILED_CHECKS = "verification_failures"
# After this many mismatches the bot stops asking and offers a person (and slows down probing).
MAX_FAILED_CHECKS = 3

_TAIL = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_LONG_NUMBERS = re.compile(r"\d{5,}")


def phone_tail_in(text: str) -> str | None:
    """Four digits standing on their own ("尾号 5678"), ignoring digits of longer numbers."""
    match = _TAIL.search(_LONG_NUMBERS.sub(" ", text))
    return match.group(1) if match else None


def resolve_order(session: Session, tracker: Tracker, order_no: str | None) -> Order | None:
    """The order as the person chatting may see it, or None."""
    if not order_no:
        return None
    customer_id = customer_id_of(tracker)
    if customer_id is not None:
        return order_of_customer(session, order_no, customer_id)
    if order_no in verified_orders_of(tracker):
        return session.query(Order).filter(Order.order_no == order_no).one_or_none()
    return None


class OrderFormValidation(FormValidationAction):
    """Base of the validation actions of forms whose first slot is `order_id`."""

    purpose: Purpose = Purpose.ANY

    # Abstract, so rasa_sdk's package scan does not register the base class itself as an action.
    @abc.abstractmethod
    def name(self) -> str: ...

    def order_fits(self, order: Order) -> bool:
        """Whether the rest of the form makes sense for this order; subclasses narrow it.

        When it does not, the form ends after the order slot and the submit action explains
        why (for example: a shipped order cannot be cancelled, but can be refused).
        """
        return True

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if int(tracker.get_slot(FAILED_CHECKS) or 0) >= MAX_FAILED_CHECKS:
            return []  # verification locked for this session: end the form, offer a person
        order_no = tracker.get_slot(ORDER_ID)
        needs_tail = customer_id_of(tracker) is None and order_no not in verified_orders_of(tracker)
        identity = [ORDER_ID, PHONE_TAIL] if needs_tail else [ORDER_ID]
        rest = [s for s in domain_slots if s not in (ORDER_ID, PHONE_TAIL)]
        customer_id = customer_id_of(tracker)
        if not order_no and customer_id is not None:
            with session_scope() as session:
                if not candidate_orders(session, customer_id, self.purpose, limit=1):
                    return []  # nothing this request could be about: the submit action says so
        if order_no and not needs_tail:
            with session_scope() as session:
                order = resolve_order(session, tracker, order_no)
                if order is None or not self.order_fits(order):
                    return identity
                return identity + await self.more_slots(rest, order, tracker)
        return identity + rest

    async def more_slots(self, rest: list[str], order: Order, tracker: Tracker) -> list[str]:
        """The slots after the order; subclasses drop those that do not apply to this order."""
        return rest

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """With no number given, pick the only order that fits the request, if there is one."""
        if tracker.get_slot(ORDER_ID) or entity_values(tracker, ORDER_ID):
            return {}
        customer_id = customer_id_of(tracker)
        if customer_id is None:
            return {}
        with session_scope() as session:
            candidates = candidate_orders(session, customer_id, self.purpose, limit=2)
            if len(candidates) == 1:
                return {ORDER_ID: candidates[0].order_no}
        return {}

    async def extract_phone_tail(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot") == PHONE_TAIL
        if not asked and not entity_values(tracker, ORDER_ID):
            return {}
        tail = phone_tail_in(latest_text(tracker))
        return {PHONE_TAIL: tail} if tail else {}

    async def validate_order_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        order_no = str(slot_value or "").strip()
        if not ORDER_NO.match(order_no):
            dispatcher.utter_message(response="utter_invalid_order_id")
            return {ORDER_ID: None}
        if customer_id_of(tracker) is None:
            return {ORDER_ID: order_no}  # checked together with the phone tail
        with session_scope() as session:
            if resolve_order(session, tracker, order_no) is None:
                dispatcher.utter_message(response="utter_order_not_found", order_id=order_no)
                return {ORDER_ID: None}
        return {ORDER_ID: order_no}

    async def validate_phone_tail(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        order_no = tracker.get_slot(ORDER_ID)
        if not order_no:
            return {PHONE_TAIL: None}
        # The channel's key for the client's address (bot.channels.identity): misses are counted
        # per client too, so one address cannot spread its guesses over many orders.
        client = ((tracker.latest_message or {}).get("metadata") or {}).get(CLIENT)
        with session_scope() as session:
            # Counted per order number in the database too, across conversations and restarts.
            verdict = check_phone_tail(
                session, order_no, str(slot_value or ""), beijing_now(),
                client_key=client if isinstance(client, str) else None,
            )  # fmt: skip
        if verdict is Verdict.VERIFIED:
            verified = [*verified_orders_of(tracker), order_no]
            return {PHONE_TAIL: None, VERIFIED_ORDERS: verified, FAILED_CHECKS: 0}
        failures = int(tracker.get_slot(FAILED_CHECKS) or 0) + 1
        if verdict is Verdict.LOCKED:
            failures = max(failures, MAX_FAILED_CHECKS)
        if failures >= MAX_FAILED_CHECKS:
            dispatcher.utter_message(response="utter_verification_locked")
            return {ORDER_ID: None, PHONE_TAIL: None, FAILED_CHECKS: failures}
        dispatcher.utter_message(response="utter_verification_failed")
        return {ORDER_ID: None, PHONE_TAIL: None, FAILED_CHECKS: failures}
