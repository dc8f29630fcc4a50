"""Counting the customer's consecutive messages the bot did not understand."""

from typing import Any

from bot.handoff.signals import trailing_fallbacks


def _user(intent: str) -> dict[str, Any]:
    return {"event": "user", "parse_data": {"intent": {"name": intent, "confidence": 0.3}}}


def test_no_fallback() -> None:
    assert trailing_fallbacks([_user("greet"), {"event": "bot"}]) == 0


def test_counts_only_the_latest_run_of_fallbacks() -> None:
    events = [_user("nlu_fallback"), _user("greet"), _user("nlu_fallback"), {"event": "bot"}]
    assert trailing_fallbacks(events) == 1
    assert trailing_fallbacks([*events, _user("nlu_fallback")]) == 2
