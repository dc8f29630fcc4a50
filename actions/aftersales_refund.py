"""Refund-only requests and refund progress: the refund and refund-status forms."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersales_slots import forget, stale_answers
from actions.aftersales_submit import order_or_explain
from actions.common import database_guard, entity_values, latest_text
from actions.order_form import OrderFormValidation
from bot.db.enums import AfterSaleReason, OrderStatus
from bot.db.models import Order
from bot.db.session import session_scope
from bot.policy.refusals import LAST_REFUSAL_SLOT, slot_value
from bot.services.aftersales.refund_replies import (
    REFUND_START_OVER,
    UNKNOWN_REFUND_REASON,
    refund_reply,
    refund_status_reply,
)
from bot.services.aftersales.refunds import refund_reason_of, request_refund
from bot.services.aftersales.tickets import review_refusal, tickets_of
from bot.services.aftersales.words import classify_refund_reason
from bot.services.clock import store_now
from bot.services.orders.lookup import Purpose

REFUND_REASON = "refund_reason"


class ValidateRefundForm(OrderFormValidation):
    purpose = Purpose.REFUND

    def name(self) -> str:
        return "validate_refund_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stale = stale_answers(tracker, self.form_name(), (REFUND_REASON,))
        forget(tracker, stale)
        events = await super().run(dispatcher, tracker, domain)
        return [SlotSet(slot, None) for slot in stale] + events

    def order_fits(self, order: Order) -> bool:
        # Unpaid or cancelled orders have nothing to refund; the submit action says so. A paid
        # order not yet shipped still fits: a price drop is refunded before shipment too.
        return order.paid_at is not None and order.status is not OrderStatus.CANCELLED

    async def extract_refund_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """ "快递一直没到" / "少发了一件" / "降价了": the reason from the customer's words."""
        if tracker.get_slot(REFUND_REASON) or entity_values(tracker, REFUND_REASON):
            return {}
        reason = classify_refund_reason(latest_text(tracker))
        return {REFUND_REASON: reason.value} if reason is not None else {}

    async def validate_refund_reason(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        reason = refund_reason_of(slot_value)
        if reason is None:
            dispatcher.utter_message(text=UNKNOWN_REFUND_REASON)
            return {REFUND_REASON: None}
        return {REFUND_REASON: reason.value}


class ActionRequestRefund(Action):
    def name(self) -> str:
        return "action_request_refund"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        resets: list[EventType] = [SlotSet(REFUND_REASON, None)]
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is None:
                return resets
            reason = refund_reason_of(tracker.get_slot(REFUND_REASON))
            if reason is None:
                if ValidateRefundForm().order_fits(order):
                    dispatcher.utter_message(text=REFUND_START_OVER)
                    return resets
                # Unpaid or cancelled: the answer is the same whatever the reason.
                reason = AfterSaleReason.NOT_RECEIVED
            result = request_refund(session, order, reason, store_now(session))
            text = refund_reply(result)
        dispatcher.utter_message(text=text)
        return [*resets, SlotSet(LAST_REFUSAL_SLOT, slot_value(result.refusal))]


class ValidateRefundStatusForm(OrderFormValidation):
    purpose = Purpose.REFUND_STATUS

    def name(self) -> str:
        return "validate_refund_status_form"


class ActionRefundStatus(Action):
    def name(self) -> str:
        return "action_refund_status"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            order = order_or_explain(session, dispatcher, tracker)
            if order is None:
                return []
            tickets = tickets_of(session, order)
            text = refund_status_reply(order.order_no, tickets, order.payment_method)
        dispatcher.utter_message(text=text)
        return [SlotSet(LAST_REFUSAL_SLOT, slot_value(review_refusal(tickets)))]
