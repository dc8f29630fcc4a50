"""Escalation on the real pipeline: emotion, threats and requests hand the chat over."""

from __future__ import annotations

import pytest

from tests.live_assistant import Assistant

pytestmark = pytest.mark.model


def _events(assistant: Assistant, sender: str) -> list[str]:
    names = []
    for event in assistant.tracker(sender)["events"]:
        if event["event"] == "action":
            names.append(event["name"])
        elif event["event"] == "pause":
            names.append("pause")
    return names


def _handed_over(assistant: Assistant, sender: str) -> bool:
    names = [n for n in _events(assistant, sender) if n != "action_listen"]
    return "action_handoff" in names and names[names.index("action_handoff") + 1] == "pause"


def test_a_furious_customer_is_handed_to_a_person(assistant: Assistant) -> None:
    replies = assistant.say("e2e-furious", "你们这什么垃圾服务！！气死我了😡😡 东西坏了没人管")
    assert _handed_over(assistant, "e2e-furious")
    assert any("人工" in str(r.get("text")) for r in replies)


def test_while_handed_over_the_bot_stays_silent(assistant: Assistant) -> None:
    assistant.say("e2e-silent", "转人工")
    assert _handed_over(assistant, "e2e-silent")
    assert assistant.say("e2e-silent", "满多少包邮") == []


def test_a_calm_urgent_customer_stays_with_the_bot(assistant: Assistant) -> None:
    replies = assistant.say("e2e-calm", "麻烦帮我催一下发货，比较急，周末要用")
    assert "action_handoff" not in _events(assistant, "e2e-calm")
    assert replies
