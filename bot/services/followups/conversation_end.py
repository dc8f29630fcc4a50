"""When a bot-only conversation "ended with an answer" (pure, over the tracker's events).

Detectable simply: the customer thanks the bot or says goodbye, and in this session the bot
answered a request itself (one of the answering actions ran), nobody handed the chat to a
person, no rating was asked yet, and none of the customer's recent messages was angry (the
escalation's anger signal: asking an angry customer for stars reads as mockery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.handoff.escalation import ANGER_LOOKBACK, ANGRY_CONFIDENCE, customer_turns

Event = Mapping[str, Any]

OFFER_ACTION = "action_offer_satisfaction"
ANSWERING_ACTIONS = frozenset(
    {
        "action_track_order",
        "action_urge_shipment",
        "action_cancel_order",
        "action_modify_address",
        "action_submit_after_sale",
        "action_request_refund",
        "action_refund_status",
        "action_order_overview",
        "action_answer_product",
        "action_recommend_products",
        "action_record_return_tracking",
        "utter_faq",
    }
)
# Any of these in the session: a person was involved, or the rating was already asked.
DISQUALIFYING_ACTIONS = frozenset(
    {"action_handoff", "action_ask_satisfaction", "action_store_rating", OFFER_ACTION}
)


def session_events(events: Sequence[Event]) -> list[Event]:
    start = 0
    for index, event in enumerate(events):
        if event.get("event") in ("session_started", "restart"):
            start = index + 1
    return list(events[start:])


def calm(events: Sequence[Event]) -> bool:
    turns = customer_turns(events)[-ANGER_LOOKBACK:]
    return all(turn.angry < ANGRY_CONFIDENCE for turn in turns)


def ended_with_answer(events: Sequence[Event]) -> bool:
    """Whether this session is one to ask a rating about (the DB's once-a-day check aside)."""
    session = session_events(events)
    actions = {e.get("name") for e in session if e.get("event") == "action"}
    if not actions & ANSWERING_ACTIONS or actions & DISQUALIFYING_ACTIONS:
        return False
    # A person's message in the transcript (the console writes agent metadata) counts too.
    if any((e.get("metadata") or {}).get("agent") for e in session if e.get("event") == "bot"):
        return False
    return calm(session)
