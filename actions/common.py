"""Shared plumbing of the actions: who is chatting, and answering when the database is down."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

CUSTOMER_ID = "customer_id"
VERIFIED_ORDERS = "verified_order_ids"

Events = list[dict[str, Any]]
Run = TypeVar("Run", bound=Callable[..., Awaitable[Events]])


def customer_id_of(tracker: Tracker) -> int | None:
    """The customer the channel vouches for: set at session start from the message metadata,
    which the customer channels fill from a verified token only (bot.channels.identity)."""
    value = tracker.get_slot(CUSTOMER_ID)
    if value is None:
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        value = metadata.get(CUSTOMER_ID)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def verified_orders_of(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot(VERIFIED_ORDERS) or [])


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [str(v) for v in tracker.get_latest_entity_values(entity)]


def database_guard(run: Run) -> Run:
    """A database outage becomes a polite answer instead of an action-server error.

    Nothing the customer said is lost: the conversation and its slots stay as they were, so the
    same request works again once the database is back.
    """

    @functools.wraps(run)
    async def wrapper(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        try:
            return await run(self, dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("database unavailable in %s", type(self).__name__)
            dispatcher.utter_message(response="utter_service_unavailable")
            if tracker.active_loop.get("name"):
                return [ActiveLoop(None), SlotSet("requested_slot", None)]
            return []

    return wrapper  # type: ignore[return-value]
