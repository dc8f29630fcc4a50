"""What became of one customer message, read from the tracker's events (pure; event dicts).

Rasa 3.6 catches an action that fails (the action server is down or restarting) inside its
processor, logs ``Encountered an exception while running action`` and records the action as
executed with none of its events: no reply, no slot, no pause. These functions find that in
the events of one turn, so the channel can answer instead of leaving the customer in silence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.handoff.escalation import HANDOFF_ACTION

ACTION_LISTEN = "action_listen"
Events = Sequence[Mapping[str, Any]]


def turn_span(events: Events, message_id: str) -> tuple[int, int] | None:
    """(start, end) indexes of the turn opened by the user message ``message_id``: from that
    message up to the next one (a message that arrived meanwhile), None if it is not there."""
    start = next(
        (
            index
            for index in range(len(events) - 1, -1, -1)
            if events[index].get("event") == "user"
            and events[index].get("message_id") == message_id
        ),
        None,
    )
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(events)) if events[i].get("event") == "user"),
        len(events),
    )
    return start, end


def failed_handoff_at(events: Events, span: tuple[int, int]) -> int | None:
    """Index of the turn's ``action_handoff`` that ran without any effect (nothing recorded
    between it and the next action: the action server did not answer), None when the
    hand-over worked or never ran.

    A hand-over that reached the action server always says something (the queue, or that the
    desk is unreachable) and, when it worked, pauses the conversation.
    """
    start, end = span
    for index in range(start, end):
        event = events[index]
        if event.get("event") != "action" or event.get("name") != HANDOFF_ACTION:
            continue
        following = events[index + 1] if index + 1 < end else None
        if following is None or following.get("event") in ("action", "user"):
            return index
    return None


def answered(events: Events, span: tuple[int, int]) -> bool:
    """True when the bot said something in the turn."""
    start, end = span
    return any(event.get("event") == "bot" for event in events[start:end])


def listening(events: Events) -> bool:
    """True when the latest action is ``action_listen``: the next customer message then starts
    a normal turn (a failed action can leave the prediction loop stopped on something else)."""
    for event in reversed(events):
        if event.get("event") == "action":
            return event.get("name") == ACTION_LISTEN
    return False
