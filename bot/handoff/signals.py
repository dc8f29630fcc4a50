"""Pure functions that read a conversation's events for signs that the bot is not helping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FALLBACK_INTENT = "nlu_fallback"


def trailing_fallbacks(events: Iterable[Mapping[str, Any]]) -> int:
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
