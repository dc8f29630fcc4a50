"""Slot names and plumbing shared by the after-sales forms and their submit actions."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import Events, entity_values

ORDER_ITEM = "order_item"
RETURN_REASON = "return_reason"
ITEM_OPENED = "item_opened"
EXCHANGE_SPEC = "exchange_spec"
PHOTO_PROVIDED = "photo_provided"
REQUESTED_SLOT = "requested_slot"
FORM_SLOTS = (ORDER_ITEM, RETURN_REASON, ITEM_OPENED, PHOTO_PROVIDED, EXCHANGE_SPEC)


def stale_answers(tracker: Tracker, form: str, slots: tuple[str, ...]) -> list[str]:
    """Answers left over from an earlier run of the form that the customer stopped.

    Only at activation: Rasa then sends the ``active_loop`` event of this form followed by the
    slot candidates. A value neither set since the customer's latest message nor named in it
    belongs to the abandoned request ("stop" leaves slots as they were) and must not decide a
    new one. Any other layout of events is left alone.
    """
    events = tracker.events
    i = len(events)
    while i > 0 and events[i - 1].get("event") == "slot":
        i -= 1
    activation = events[i - 1] if i > 0 else {}
    if activation.get("event") != "active_loop" or activation.get("name") != form:
        return []
    fresh: set[str] = set()
    for event in reversed(events[: i - 1]):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            fresh.add(str(event.get("name")))
    return [
        slot
        for slot in slots
        if tracker.get_slot(slot) is not None
        and slot not in fresh
        and not entity_values(tracker, slot)
    ]


def forget(tracker: Tracker, slots: list[str]) -> None:
    """Drop stale answers from the tracker this validation run works on."""
    for slot in slots:
        tracker.slots[slot] = None
    i = len(tracker.events)
    while i > 0 and tracker.events[i - 1].get("event") == "slot":
        i -= 1
    tracker.events[i:] = [e for e in tracker.events[i:] if e.get("name") not in slots]


def asked(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot(REQUESTED_SLOT) == slot


def intent_of(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def slot_resets() -> Events:
    """Clear the form's answers so the next request starts fresh (the order stays known)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]
