"""Pure functions that read a conversation's events for signs that the bot is not helping.

They read what the bot *did* (slots it set, questions its forms asked, responses it chose by
name), never the wording of its replies: a reply can be reworded without changing them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FALLBACK_INTENT = "nlu_fallback"
REQUESTED_SLOT = "requested_slot"
# The customer moved on or was helped: questions asked before do not count toward a loop.
RESOLVED_INTENTS = frozenset({"thank", "goodbye"})
# Responses that ask the customer for something outside a form's own question; the same one
# given again and again means the conversation goes round in circles (an anonymous complaint
# asked for an order number it cannot give, a number that is never found).
ASKING_RESPONSES = frozenset(
    {
        "utter_complaint",
        "utter_order_not_found",
        "utter_invalid_order_id",
        "utter_verification_failed",
        "utter_no_fitting_order",
    }
)
# Slots whose value says nothing about the customer having answered the form's question.
BOOKKEEPING_SLOTS = frozenset(
    {REQUESTED_SLOT, "verification_failures", "last_refusal", "handoff_case_id"}
)

Event = Mapping[str, Any]


def trailing_fallbacks(events: Iterable[Event]) -> int:
    """How many of the customer's most recent messages in a row the bot failed to understand."""
    count = 0
    for event in reversed(list(events)):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


def intent_of(event: Event) -> str | None:
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return str(name) if name else None


def bot_turns(events: Sequence[Event]) -> list[list[Event]]:
    """The events after each customer message, up to the next one (one list per message)."""
    turns: list[list[Event]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    return turns


def filled_slots(turn: Iterable[Event]) -> set[str]:
    """Slots (other than bookkeeping) that hold a value at the end of one bot turn."""
    final: dict[str, Any] = {}
    for event in turn:
        if event.get("event") == "slot" and event.get("name") not in BOOKKEEPING_SLOTS:
            final[str(event.get("name"))] = event.get("value")
    return {name for name, value in final.items() if value not in (None, "", [])}


def answered_form(turn: Iterable[Event]) -> bool:
    """Whether the bot turn after a message sent during a form shows it was an answer: a slot
    was filled, or the form finished."""
    events = list(turn)
    finished = any(e.get("event") == "active_loop" and not e.get("name") for e in events)
    return finished or bool(filled_slots(events))


def asked(turn: Iterable[Event]) -> set[str]:
    """What one bot turn asked the customer for: form slots, and asking responses by name."""
    keys: set[str] = set()
    for event in turn:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == REQUESTED_SLOT and event.get("value"):
            keys.add(f"slot:{event['value']}")
        elif kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action")
            if response in ASKING_RESPONSES:
                keys.add(f"say:{response}")
    return keys


def open_questions(events: Sequence[Event]) -> Counter[str]:
    """How often the bot has asked for each thing it still does not have.

    A form slot stops counting once the customer filled it; everything starts afresh after a
    thank-you or goodbye, and once an order is known or verified (the answers were given).
    """
    counts: Counter[str] = Counter()
    users = [e for e in events if e.get("event") == "user"]
    for user, turn in zip(users, bot_turns(events), strict=True):
        if intent_of(user) in RESOLVED_INTENTS:
            counts.clear()
        filled = filled_slots(turn)
        if filled & {"order_id", "verified_order_ids"}:
            counts = Counter({k: v for k, v in counts.items() if k.startswith("slot:")})
        for slot in filled:
            counts.pop(f"slot:{slot}", None)
        counts.update(asked(turn) - {f"slot:{slot}" for slot in filled})
    return counts


def latest_slot_value(events: Iterable[Event], name: str) -> tuple[bool, Any]:
    """(whether the events set the slot at all, its latest value there)."""
    found, value = False, None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == name:
            found, value = True, event.get("value")
    return found, value


def active_form(events: Iterable[Event]) -> str | None:
    """The form running at the end of the events, if any."""
    form: str | None = None
    for event in events:
        if event.get("event") == "active_loop":
            form = event.get("name") or None
    return form
