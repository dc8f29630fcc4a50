"""The console socket's tickets and the mapping of a found message to its case (pure logic)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.db.models_handoff import HandoffCase
from bot.handoff.console.live import TICKET_SECONDS, agent_of_ticket, issue_ticket
from bot.handoff.console.search import case_of_message
from bot.handoff.console.tracker_rows import stored_form
from bot.timeutil import BEIJING

NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def rasa_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_TOKEN", "unit-test-rasa-token-0123456789")


def test_a_ticket_names_its_agent_for_one_minute() -> None:
    ticket = issue_ticket(7, now=NOW)
    assert agent_of_ticket(ticket, now=NOW) == 7
    assert agent_of_ticket(ticket, now=NOW + TICKET_SECONDS) == 7
    assert agent_of_ticket(ticket, now=NOW + TICKET_SECONDS + 1) is None


def test_a_ticket_cannot_be_moved_to_another_agent_or_extended() -> None:
    agent_id, expires, signature = issue_ticket(7, now=NOW).split(".")
    assert agent_of_ticket(f"8.{expires}.{signature}", now=NOW) is None
    assert agent_of_ticket(f"{agent_id}.{int(expires) + 3600}.{signature}", now=NOW) is None


def test_a_ticket_from_another_server_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    ticket = issue_ticket(7, now=NOW)
    monkeypatch.setenv("RASA_TOKEN", "another-server-token-9876543210")
    get_settings.cache_clear()
    assert agent_of_ticket(ticket, now=NOW) is None


@pytest.mark.parametrize("bad", [None, 7, "", "7", "7.1", "a.b.c", "7.-1.x", "7." * 100])
def test_malformed_tickets_are_refused(bad: object) -> None:
    assert agent_of_ticket(bad, now=NOW) is None


def case(case_id: int, resolved_at: datetime | None) -> HandoffCase:
    return HandoffCase(id=case_id, sender_id="s", resolved_at=resolved_at)


def stamp(moment: datetime) -> float:
    return moment.replace(tzinfo=BEIJING).timestamp()


def test_a_message_belongs_to_the_first_case_still_open_when_it_was_written() -> None:
    first_end, second_end = datetime(2026, 11, 20, 10, 0, 0), datetime(2026, 11, 21, 9, 0, 0)
    history = [case(1, first_end), case(2, second_end), case(3, None)]
    assert case_of_message(history, stamp(first_end) - 600) is history[0]
    # Stored to the second: a message later in the resolving second is still the first case's.
    assert case_of_message(history, stamp(first_end) + 0.7) is history[0]
    assert case_of_message(history, stamp(first_end) + 5) is history[1]
    assert case_of_message(history, stamp(second_end) + 5) is history[2]
    assert case_of_message(history[:2], stamp(second_end) + 5) is None


def test_search_looks_for_text_the_way_rasa_stores_it() -> None:
    assert stored_form("没声音") == "\\u6ca1\\u58f0\\u97f3"
    assert stored_form("926111453460400021") == "926111453460400021"
