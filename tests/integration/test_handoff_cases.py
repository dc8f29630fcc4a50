"""Handoff cases and console agents on a real seeded SQLite store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db.models_handoff import ACTIVE, RESOLVED, WAITING, Agent, AgentSession, HandoffCase
from bot.db.session import dispose_engines, session_scope
from bot.handoff import cases
from bot.handoff.agents import (
    SESSION_LIFETIME,
    agent_by_username,
    agent_for_token,
    authenticate,
    create_agent,
    end_session,
    hash_password,
    seed_agents,
    start_session,
    verify_password,
)
from bot.handoff.escalation import Decision, Reason

NOW = datetime(2026, 11, 20, 10, 0)
CALM = Decision(True, 1.0, 1, [Reason("requested_human", "客户要求人工服务", 1.0)])
ANGRY = Decision(True, 2.0, 2, [Reason("strong_anger", "客户情绪激动", 2.0)])
LEGAL = Decision(True, 3.0, 3, [Reason("legal_threat", "提到「12315」", 3.0)])


@pytest.fixture
def store(seeded_url: str, tmp_path: Path) -> Iterator[str]:
    """A private, writable copy of the seeded store."""
    target = tmp_path / "store.db"
    shutil.copyfile(str(make_url(seeded_url).database), target)
    yield f"sqlite:///{target}"
    dispose_engines()


def agent_id(url: str, username: str) -> int:
    with session_scope(url) as session:
        agent = agent_by_username(session, username)
        assert agent is not None
        return int(agent.id)


def open_for(url: str, sender: str, decision: Decision = CALM, now: datetime = NOW) -> HandoffCase:
    with session_scope(url) as session:
        return cases.open_case(
            session, sender_id=sender, customer_id=None, decision=decision, summary={}, now=now
        )


def status_of(url: str, case_id: int) -> tuple[str, int | None]:
    with session_scope(url) as session:
        case = cases.case_by_id(session, case_id)
        assert case is not None
        return str(case.status), case.agent_id


# --- agents ------------------------------------------------------------------------------------


def test_the_seed_creates_the_demo_desk(store: str) -> None:
    with session_scope(store) as session:
        agent = authenticate(session, "agent01", "kefu-demo-1")
        lead = authenticate(session, "lead01", "kefu-lead-1")
        assert agent is not None and agent.display_name == "小王" and agent.role == "agent"
        assert lead is not None and lead.is_supervisor
        assert authenticate(session, "agent02", "kefu-demo-2") is not None
        # Seeding again (as `bot seed` does on an existing store) adds nobody.
        seed_agents(session)
        assert session.execute(select(func.count()).select_from(Agent)).scalar_one() == 3


def test_a_wrong_password_or_unknown_user_logs_nobody_in(store: str) -> None:
    with session_scope(store) as session:
        assert authenticate(session, "agent01", "kefu-demo-2") is None
        assert authenticate(session, "agent01", "") is None
        assert authenticate(session, "nobody", "kefu-demo-1") is None
        agent = agent_by_username(session, "agent02")
        assert agent is not None
        agent.active = False
        assert authenticate(session, "agent02", "kefu-demo-2") is None


def test_passwords_are_stored_salted_and_hashed(store: str) -> None:
    with session_scope(store) as session:
        agent = create_agent(session, "agent09", "小赵", "secret-pass", "agent")
        assert "secret-pass" not in agent.password_hash
    first, second = hash_password("same"), hash_password("same")
    assert first != second  # a fresh salt each time
    assert verify_password("same", first) and verify_password("same", second)
    assert not verify_password("same", "not-a-hash")
    with pytest.raises(ValueError):
        create_agent(Session(), "x", "X", "pw", "admin")


def test_a_session_works_until_it_expires_or_the_agent_logs_out(store: str) -> None:
    with session_scope(store) as session:
        agent = authenticate(session, "agent01", "kefu-demo-1")
        assert agent is not None
        token = start_session(session, agent, NOW)
        stored = session.execute(select(AgentSession.token_hash)).scalars().all()
        assert token not in stored  # only the hash is kept
    with session_scope(store) as session:
        found = agent_for_token(session, token, NOW + timedelta(hours=11))
        assert found is not None and found.username == "agent01"
        assert agent_for_token(session, token, NOW + SESSION_LIFETIME) is None
        assert agent_for_token(session, token + "x", NOW) is None
        assert agent_for_token(session, None, NOW) is None
        assert end_session(session, token)
        assert agent_for_token(session, token, NOW) is None
        assert not end_session(session, token)


# --- cases -------------------------------------------------------------------------------------


def test_opening_twice_for_the_same_chat_returns_the_same_case(store: str) -> None:
    first = open_for(store, "chat-1", LEGAL)
    again = open_for(store, "chat-1", CALM, NOW + timedelta(minutes=1))
    assert again.id == first.id
    with session_scope(store) as session:
        case = cases.case_by_id(session, first.id)
        assert case is not None
        assert case.status == WAITING and case.priority == 3 and case.score == 3.0
        assert case.reasons == [{"code": "legal_threat", "detail": "提到「12315」", "weight": 3.0}]
        assert [e.kind for e in case.events] == ["created"]
        assert cases.active_case_for_sender(session, "chat-1") is not None
        assert cases.active_case_for_sender(session, "chat-2") is None


def test_the_queue_puts_legal_threats_first_then_anger_then_waiting_time(store: str) -> None:
    calm_early = open_for(store, "calm-early", CALM, NOW)
    angry = open_for(store, "angry", ANGRY, NOW + timedelta(minutes=1))
    legal = open_for(store, "legal", LEGAL, NOW + timedelta(minutes=2))
    calm_late = open_for(store, "calm-late", CALM, NOW + timedelta(minutes=3))
    with session_scope(store) as session:
        order = [c.sender_id for c in cases.queue(session)]
        assert order == ["legal", "angry", "calm-early", "calm-late"]
        positions = [cases.queue_position(session, c) for c in (legal, angry, calm_early)]
        assert positions == [1, 2, 3]
        assert cases.queue_position(session, calm_late) == 4
    waits = [cases.expected_wait_minutes(p) for p in (1, 2, 4)]
    assert waits == sorted(waits) and waits[0] >= 1


def test_a_claim_is_atomic_between_two_sessions(store: str) -> None:
    case = open_for(store, "chat-race")
    first, second = agent_id(store, "agent01"), agent_id(store, "agent02")
    with session_scope(store) as one, session_scope(store) as two:
        # Both agents see the case waiting in their queue.
        assert [c.id for c in cases.queue(one)] == [case.id]
        assert [c.id for c in cases.queue(two)] == [case.id]
        assert cases.claim(one, case.id, first, NOW)
        one.commit()
        assert not cases.claim(two, case.id, second, NOW)
    assert status_of(store, case.id) == (ACTIVE, first)


def test_simultaneous_claims_from_two_threads_have_one_winner(store: str) -> None:
    case = open_for(store, "chat-threads")
    agents = [agent_id(store, "agent01"), agent_id(store, "agent02")]
    barrier = threading.Barrier(2)
    results: dict[int, bool] = {}

    def click(agent: int) -> None:
        with session_scope(store) as session:
            barrier.wait()
            results[agent] = cases.claim(session, case.id, agent, NOW)

    threads = [threading.Thread(target=click, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False, True]
    winner = next(a for a, won in results.items() if won)
    assert status_of(store, case.id) == (ACTIVE, winner)
    with session_scope(store) as session:
        found = cases.case_by_id(session, case.id)
        assert found is not None
        assert [e.kind for e in found.events] == ["created", "claimed"]


def test_transfer_moves_the_chat_only_from_its_own_agent(store: str) -> None:
    case = open_for(store, "chat-transfer")
    a1, a2, lead = (agent_id(store, u) for u in ("agent01", "agent02", "lead01"))
    with session_scope(store) as session:
        assert not cases.transfer(session, case.id, a1, a2, NOW)  # not claimed yet
        assert cases.claim(session, case.id, a1, NOW)
        assert not cases.transfer(session, case.id, a2, lead, NOW)  # not a2's chat
        assert not cases.transfer(session, case.id, a1, a1, NOW)
        assert not cases.transfer(session, case.id, a1, 9999, NOW)
        assert cases.transfer(session, case.id, a1, a2, NOW)
        assert [c.id for c in cases.cases_of_agent(session, a2)] == [case.id]
    assert status_of(store, case.id) == (ACTIVE, a2)
    with session_scope(store) as session:
        found = cases.case_by_id(session, case.id)
        assert found is not None
        transferred = [e for e in found.events if e.kind == "transferred"]
        assert [(e.actor, e.detail) for e in transferred] == [("agent01", "agent02")]


def test_resolve_closes_the_case_once_and_only_for_its_agent(store: str) -> None:
    case = open_for(store, "chat-resolve")
    a1, a2 = agent_id(store, "agent01"), agent_id(store, "agent02")
    with session_scope(store) as session:
        assert not cases.resolve(session, case.id, a1, NOW)  # still waiting
        cases.claim(session, case.id, a1, NOW)
        assert not cases.resolve(session, case.id, a2, NOW)
        assert cases.resolve(session, case.id, a1, NOW + timedelta(minutes=7))
        assert not cases.resolve(session, case.id, a1, NOW + timedelta(minutes=8))
        assert cases.open_cases(session) == []
        assert cases.active_case_for_sender(session, "chat-resolve") is None
    with session_scope(store) as session:
        found = cases.case_by_id(session, case.id)
        assert found is not None and found.status == RESOLVED
        assert found.resolved_at == NOW + timedelta(minutes=7)
    # The same chat escalating again later gets a fresh case.
    assert open_for(store, "chat-resolve", now=NOW + timedelta(hours=1)).id != case.id


def test_the_supervisor_sees_every_open_chat_and_its_wait(store: str) -> None:
    waiting = open_for(store, "chat-w", CALM, NOW)
    served = open_for(store, "chat-s", ANGRY, NOW)
    with session_scope(store) as session:
        cases.claim(session, served.id, agent_id(store, "agent01"), NOW + timedelta(minutes=4))
        listed = cases.open_cases(session)
        assert [c.sender_id for c in listed] == ["chat-s", "chat-w"]
        assert cases.waiting_minutes(listed[0], NOW + timedelta(minutes=30)) == 4
        assert cases.waiting_minutes(waiting, NOW + timedelta(minutes=30)) == 30


def test_a_rating_is_stored_once_on_the_latest_resolved_case(store: str) -> None:
    case = open_for(store, "chat-rate")
    a1 = agent_id(store, "agent01")
    with session_scope(store) as session:
        assert not cases.record_rating(session, "chat-rate", 5, NOW)  # not resolved yet
        cases.claim(session, case.id, a1, NOW)
        cases.resolve(session, case.id, a1, NOW)
        assert not cases.record_rating(session, "chat-rate", 6, NOW)
        assert not cases.record_rating(session, "chat-rate", 0, NOW)
        assert not cases.record_rating(session, "someone-else", 5, NOW)
        assert cases.record_rating(session, "chat-rate", 4, NOW, "客服很耐心")
        assert not cases.record_rating(session, "chat-rate", 1, NOW)  # already rated
    with session_scope(store) as session:
        found = cases.case_by_id(session, case.id)
        assert found is not None
        assert (found.rating, found.rating_comment) == (4, "客服很耐心")
        assert [e.kind for e in found.events] == ["created", "claimed", "resolved", "rated"]


@pytest.mark.parametrize(
    ("opened", "callback"),
    [
        (datetime(2026, 11, 20, 23, 30), datetime(2026, 11, 21, 11, 0)),
        (datetime(2026, 11, 21, 6, 45), datetime(2026, 11, 21, 11, 0)),
        (datetime(2026, 11, 20, 22, 0), datetime(2026, 11, 21, 11, 0)),
    ],
)
def test_after_hours_the_case_promises_a_call_back(
    store: str, opened: datetime, callback: datetime
) -> None:
    case = open_for(store, "night-owl", now=opened)
    assert case.after_hours and case.callback_by == callback
    assert not cases.in_service_hours(opened)


def test_during_service_hours_no_call_back_is_promised(store: str) -> None:
    case = open_for(store, "day-chat", now=datetime(2026, 11, 20, 21, 59))
    assert not case.after_hours and case.callback_by is None
    assert cases.in_service_hours(datetime(2026, 11, 20, 9, 0))


def test_the_handoff_services_work_when_imported_on_their_own() -> None:
    # The console imports bot.handoff.cases before anything else has loaded the shop's models.
    code = (
        "import bot.handoff.cases, bot.handoff.agents\n"
        "from sqlalchemy.orm import configure_mappers\n"
        "configure_mappers()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
