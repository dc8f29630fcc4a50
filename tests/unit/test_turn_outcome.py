"""What became of a customer's message, read from the tracker's events (bot.resilience)."""

from __future__ import annotations

from typing import Any

from bot.resilience.turn_outcome import answered, failed_handoff_at, listening, turn_span


def user(message_id: str, text: str = "转人工") -> dict[str, Any]:
    return {"event": "user", "text": text, "message_id": message_id}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


EARLIER = [action("action_session_start"), {"event": "session_started"}, action("action_listen")]


def test_a_handoff_the_action_server_never_ran_is_found() -> None:
    events = [*EARLIER, user("m1"), action("action_handoff"), action("action_listen")]
    span = turn_span(events, "m1")
    assert span == (3, 6)
    assert failed_handoff_at(events, span) == 4
    assert not answered(events, span)


def test_a_handoff_that_ran_is_not_redone() -> None:
    events = [
        *EARLIER,
        user("m1"),
        action("action_handoff"),
        bot("这就为您转接人工客服"),
        {"event": "slot", "name": "handoff_case_id", "value": "7"},
        {"event": "pause"},
        action("action_listen"),
    ]
    span = turn_span(events, "m1")
    assert span is not None
    assert failed_handoff_at(events, span) is None
    assert answered(events, span)


def test_a_handoff_that_told_the_customer_the_desk_is_unreachable_is_not_redone() -> None:
    events = [*EARLIER, user("m1"), action("action_handoff"), bot("人工客服系统暂时连接不上")]
    span = turn_span(events, "m1")
    assert span is not None
    assert failed_handoff_at(events, span) is None


def test_only_the_turn_of_the_message_counts() -> None:
    """A failed hand-over two messages ago is not this message's (it was dealt with then)."""
    events = [
        *EARLIER,
        user("m1"),
        action("action_handoff"),
        action("action_listen"),
        user("m2", "你好"),
        action("utter_greet"),
        bot("您好"),
        action("action_listen"),
    ]
    span = turn_span(events, "m2")
    assert span == (6, 10)
    assert failed_handoff_at(events, span) is None
    assert answered(events, span)


def test_a_message_answered_after_another_arrived_meanwhile_keeps_its_own_turn() -> None:
    events = [
        *EARLIER,
        user("m1"),
        action("action_track_order"),
        action("action_listen"),
        user("m2", "在吗"),
        action("utter_greet"),
        bot("在的"),
    ]
    span = turn_span(events, "m1")
    assert span == (3, 6)
    assert not answered(events, span)


def test_an_unknown_message_has_no_turn() -> None:
    assert turn_span([*EARLIER, user("m1")], "elsewhere") is None


def test_a_failed_session_start_leaves_the_first_message_unanswered() -> None:
    events = [action("action_session_start"), user("m1", "你好"), action("action_listen")]
    span = turn_span(events, "m1")
    assert span is not None
    assert not answered(events, span)
    assert listening(events)


def test_listening_is_about_the_latest_action_only() -> None:
    assert listening([*EARLIER, user("m1"), action("action_listen"), bot("x")])
    assert not listening([*EARLIER, user("m1"), action("order_track_form")])
    assert not listening([])
