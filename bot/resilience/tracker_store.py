"""A tracker store outage reaches the channel instead of being papered over.

Rasa wraps every tracker store in ``FailSafeTrackerStore``: when the database is down it logs,
``retrieve`` returns None and ``save`` writes to this process's memory. The bot then answers a
customer as a brand-new conversation: a verified customer is asked to verify again, a chat an
agent owns is answered by the bot (the pause is part of the context it could not read), and
what was said is gone again once the database is back. The store's error callback is the hook
Rasa offers; re-raising there makes the outage an exception of ``Agent.handle_message``, which
``bot.resilience.guard.TurnGuard`` answers with a polite "please send it again".
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore


def raise_error(error: Exception) -> None:
    raise error


def fail_loudly(agent: Any) -> None:
    """Make the agent's tracker store raise its errors (idempotent; a reloaded model brings a
    new agent and a new store, so the channel calls this for every message)."""
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore) and store._on_tracker_store_error is not raise_error:
        store._on_tracker_store_error = raise_error
