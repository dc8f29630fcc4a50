"""Complaints and suggestions kept as service records (bot.services.records).

``action_record_complaint`` follows ``utter_complaint`` (the apology comes first, seed 000
dispute steps) and gives the reference number, who handles it and by when;
``action_record_suggestion`` thanks the customer with the suggestion's number. An angry
complaint goes to a person instead (``action_handoff``), which files it through
:func:`file_complaint` in the hand-over's own transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import customer_id_of, database_guard, entity_values, latest_text
from actions.order_form import ORDER_ID, resolve_order
from bot.db.enums import ComplaintCategory
from bot.db.models import Order, ServiceRecord
from bot.db.session import session_scope
from bot.services.clock import store_now
from bot.services.records.desk import record_complaint, record_suggestion
from bot.services.records.replies import complaint_reply, suggestion_reply

COMPLAINT_INTENT = "complaint"


def known_order(session: Session, tracker: Tracker) -> Order | None:
    """The order the complaint is about, if the chat named one its author may see."""
    for number in [*entity_values(tracker, ORDER_ID), tracker.get_slot(ORDER_ID)]:
        order = resolve_order(session, tracker, str(number) if number else None)
        if order is not None:
            return order
    return None


def latest_intent(tracker: Tracker) -> str | None:
    name = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return str(name) if name else None


def file_complaint(session: Session, tracker: Tracker, now: datetime) -> tuple[ServiceRecord, bool]:
    """(record, created) for the customer's latest message, filed as (or added to) a complaint."""
    return record_complaint(
        session,
        sender_id=tracker.sender_id,
        customer_id=customer_id_of(tracker),
        order=known_order(session, tracker),
        text=latest_text(tracker),
        now=now,
    )


class ActionRecordComplaint(Action):
    def name(self) -> str:
        return "action_record_complaint"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            record, created = file_complaint(session, tracker, store_now(session))
            text = complaint_reply(
                str(record.reference_no),
                ComplaintCategory(record.category),
                record.due_at,
                added=not created,
            )
        dispatcher.utter_message(text=text)
        return []


class ActionRecordSuggestion(Action):
    def name(self) -> str:
        return "action_record_suggestion"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with session_scope() as session:
            record = record_suggestion(
                session,
                sender_id=tracker.sender_id,
                customer_id=customer_id_of(tracker),
                text=latest_text(tracker),
                now=store_now(session),
            )
            text = suggestion_reply(str(record.reference_no))
        dispatcher.utter_message(text=text)
        return []
