"""The case summary an agent reads before answering (pure: built from the bot's own state).

Everything is JSON-ready (strings, numbers, lists, dicts): it is stored in the case row and sent
to the console as it is. The console must escape every string in it: the customer wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.formatting import yuan
from bot.services.orders.tracking import Overview
from bot.timeutil import BEIJING

LAST_MESSAGES = 6
SNIPPET_CHARS = 80
# Slots that are bookkeeping, not something the customer told us.
INTERNAL_SLOTS = frozenset(
    {"requested_slot", "session_started_metadata", "handoff_case_id", "verification_failures"}
)


@dataclass(frozen=True)
class CustomerFacts:
    id: int
    name: str
    level: str
    phone: str  # masked, e.g. 138****1234


@dataclass(frozen=True)
class OrderFacts:
    order_no: str
    status: str
    created_at: str
    items: tuple[str, ...]
    paid: str
    payment_method: str | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    latest_event: str | None = None
    signed_at: str | None = None
    open_ticket: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "order_no": self.order_no,
            "status": self.status,
            "created_at": self.created_at,
            "items": list(self.items),
            "paid": self.paid,
            "payment_method": self.payment_method,
            "carrier": self.carrier,
            "tracking_no": self.tracking_no,
            "latest_event": self.latest_event,
            "signed_at": self.signed_at,
            "open_ticket": self.open_ticket,
        }


def _when(moment: datetime | None) -> str | None:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else None


def facts_from_overview(view: Overview) -> OrderFacts:
    """The key facts of an order, from the desk's read-only overview of it."""
    items = tuple(f"{i.name}{f'（{i.spec}）' if i.spec else ''} ×{i.qty}" for i in view.items)
    event = view.latest_event
    ticket = view.open_ticket
    return OrderFacts(
        order_no=view.order_no,
        status=view.status.value,
        created_at=_when(view.created_at) or "",
        items=items,
        paid=yuan(view.paid_amount_fen),
        payment_method=view.payment_method.value if view.payment_method else None,
        carrier=view.carrier,
        tracking_no=view.tracking_no,
        latest_event=f"{_when(event.at)} {event.text}" if event is not None else None,
        signed_at=_when(view.signed_at),
        open_ticket=(
            f"{ticket.ticket_no} {ticket.type_label}（{ticket.status}）"
            if ticket is not None
            else None
        ),
    )


def _events_of(tracker_or_events: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Any]:
    if isinstance(tracker_or_events, Mapping):
        return list(tracker_or_events.get("events") or [])
    return list(tracker_or_events)


def current_session(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events since the latest session start (the whole list if it never restarted)."""
    start = 0
    for index, event in enumerate(events):
        if event.get("event") == "session_started":
            start = index + 1
    return list(events[start:])


def _time(event: Mapping[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    # Tracker timestamps are Unix seconds; the desk reads Beijing time.
    return f"{datetime.fromtimestamp(stamp, BEIJING):%H:%M:%S}"


def _message(event: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = event.get("event")
    text = event.get("text")
    if kind not in ("user", "bot") or not text:
        return None
    if kind == "user":
        role = "customer"
    else:
        role = "agent" if (event.get("metadata") or {}).get("agent") else "bot"
    return {"role": role, "text": str(text), "at": _time(event)}


def _intents(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """The customer's intents in order, a repeat of the previous one collapsed into it."""
    found: list[str] = []
    for event in events:
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and (not found or found[-1] != name):
            found.append(str(name))
    return found


def _emotions(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    timeline = []
    for event in events:
        if event.get("event") != "user":
            continue
        emotion = (event.get("parse_data") or {}).get("emotion") or {}
        timeline.append(
            {
                "text": str(event.get("text") or "")[:SNIPPET_CHARS],
                "emotion": emotion.get("name") or "unknown",
                "confidence": round(float(emotion.get("confidence") or 0.0), 2),
                "at": _time(event),
            }
        )
    return timeline


def _slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in sorted(slots.items())
        if name not in INTERNAL_SLOTS and value not in (None, "", [], {})
    }


def _customer(customer: CustomerFacts | None) -> dict[str, Any] | None:
    if customer is None:
        return None  # an anonymous visitor
    return {
        "id": customer.id,
        "name": customer.name,
        "level": customer.level,
        "phone": customer.phone,
    }


def build_summary(
    tracker_or_events: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    slots: Mapping[str, Any],
    customer: CustomerFacts | None = None,
    orders: Sequence[OrderFacts] = (),
) -> dict[str, Any]:
    """Customer, verified orders and their facts, intents, slots, last messages, emotions."""
    events = current_session(_events_of(tracker_or_events))
    messages = [m for m in (_message(e) for e in events) if m is not None]
    return {
        "customer": _customer(customer),
        "orders": [o.as_dict() for o in orders],
        "intents": _intents(events),
        "slots": _slots(slots),
        "last_messages": messages[-LAST_MESSAGES:],
        "emotion_timeline": _emotions(events),
    }
