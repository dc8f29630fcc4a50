"""Attack: brute-forcing an order's phone tail by opening a new conversation every few guesses.

The conversation's own 3-miss lock resets with `/restart` or a new sender id; the count per
order number lives in the database (bot.services.customers.verification), so a script that
starts afresh for every guess is locked out too, and then even the right tail is refused.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.orders_forms import ValidateTrackOrderForm
from bot.channels.identity import trusted_metadata
from bot.db.enums import OrderStatus
from bot.db.models import Order
from bot.db.session import session_scope
from bot.security.client_address import client_key
from bot.services.customers.verification import (
    LOCK_OUT,
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    Verdict,
    check_phone_tail,
)
from bot.timeutil import beijing_now

REPO = Path(__file__).resolve().parents[2]


def fresh_conversation_guess(order_no: str, tail: str, client: str | None = None) -> list[str]:
    """One guess from a brand-new conversation (new sender, no failures counted in it), with the
    metadata the channel gives an anonymous client's message (bot.channels.identity)."""
    latest = {"text": tail, "entities": [], "intent": {"name": "inform"}}
    if client is not None:
        latest["metadata"] = trusted_metadata(None, client)
    tracker = Tracker.from_dict(
        {
            "sender_id": f"attacker-{tail}-{order_no}",
            "slots": {"order_id": order_no, "requested_slot": "phone_tail"},
            "events": [],
            "latest_message": latest,
            "active_loop": {"name": "track_order_form"},
        }
    )
    domain: dict[str, Any] = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateTrackOrderForm().run(dispatcher, tracker, domain))
    return [str(m.get("response")) for m in dispatcher.messages]


def target_order(url: str) -> tuple[str, str, list[str]]:
    with session_scope(url) as session:
        order = (
            session.execute(
                select(Order).where(Order.status == OrderStatus.IN_TRANSIT).order_by(Order.id)
            )
            .scalars()
            .first()
        )
        phones = {order.ship_phone, order.customer.phone}
        wrong = [
            f"{n:04d}" for n in range(10000) if not any(p.endswith(f"{n:04d}") for p in phones)
        ]
        return order.order_no, order.ship_phone[-4:], wrong[: MAX_FAILURES + 1]


def test_new_conversations_do_not_reset_the_lock_out(store_url: str) -> None:
    order_no, right, wrong = target_order(store_url)
    replies = [fresh_conversation_guess(order_no, tail) for tail in wrong[:MAX_FAILURES]]
    assert replies[0] == ["utter_verification_failed"]
    assert replies[-1] == ["utter_verification_locked"]
    # Now even the right tail, from yet another conversation, is refused.
    assert fresh_conversation_guess(order_no, right) == ["utter_verification_locked"]


def test_the_lock_out_ends_and_a_right_tail_clears_the_count(store_url: str) -> None:
    order_no, right, wrong = target_order(store_url)
    now = beijing_now()
    with session_scope(store_url) as session:
        verdicts = [check_phone_tail(session, order_no, t, now) for t in wrong[:MAX_FAILURES]]
        assert verdicts[-1] is Verdict.LOCKED
        assert check_phone_tail(session, order_no, right, now) is Verdict.LOCKED
        later = now + LOCK_OUT + timedelta(seconds=1)
        assert check_phone_tail(session, order_no, right, later) is Verdict.VERIFIED
        # The count started afresh: a single miss afterwards is only a miss.
        assert check_phone_tail(session, order_no, wrong[0], later) is Verdict.WRONG


def test_unknown_order_numbers_lock_out_alike(store_url: str) -> None:
    """A lock-out must not reveal whether the number exists."""
    now = beijing_now()
    with session_scope(store_url) as session:
        verdicts = [check_phone_tail(session, "999999999999999999", f"{n:04d}", now) for n in
                    range(MAX_FAILURES)]  # fmt: skip
    assert verdicts == [Verdict.WRONG] * (MAX_FAILURES - 1) + [Verdict.LOCKED]


def wrong_tails(order: Order, count: int) -> list[str]:
    phones = {order.ship_phone, order.customer.phone}
    return [f"{n:04d}" for n in range(10000) if not any(p.endswith(f"{n:04d}") for p in phones)][
        :count
    ]


def test_one_address_cannot_spread_its_guesses_over_many_orders(store_url: str) -> None:
    """Two guesses at each of many orders stay under every order's limit, not the client's."""
    attacker = client_key("203.0.113.66", "test-secret")
    neighbour = client_key("198.51.100.66", "test-secret")
    with session_scope(store_url) as session:
        orders = session.execute(select(Order).order_by(Order.id).limit(7)).scalars().all()
        targets = [(o.order_no, o.ship_phone[-4:], wrong_tails(o, 2)) for o in orders]
    replies = [
        fresh_conversation_guess(order_no, tail, attacker)
        for order_no, _, wrong in targets[:5]
        for tail in wrong
    ]
    assert replies.count(["utter_verification_failed"]) == MAX_CLIENT_FAILURES - 1
    assert replies[-1] == ["utter_verification_locked"]
    # Locked out everywhere now, even with the right tail of an order it never tried...
    order_no, right, _ = targets[6]
    assert fresh_conversation_guess(order_no, right, attacker) == ["utter_verification_locked"]
    # ...while another client verifies that order as usual: the orders themselves are not locked.
    assert fresh_conversation_guess(order_no, right, neighbour) == []
