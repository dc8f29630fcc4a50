"""`bot agent add|passwd|disable|list`, password hashing upgrades and session purging."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import timedelta

import pytest

from bot.cli import main
from bot.db.models_handoff import AgentSession
from bot.db.session import session_scope
from bot.handoff import agents
from bot.timeutil import beijing_now


@pytest.fixture
def url(db_url: str) -> str:
    assert main(["migrate", "--database-url", db_url]) == 0
    return db_url


def agent_cmd(url: str, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["agent", "--database-url", url, *args])


def test_accounts_are_managed_from_the_command_line(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ("add", "agent07", "小周", "--password-stdin")
    assert agent_cmd(url, monkeypatch, *add, stdin="first-password-7\n") == 0
    assert agent_cmd(url, monkeypatch, *add, stdin="first-password-7\n") == 1  # exists
    assert agent_cmd(url, monkeypatch, "add", "x", "y", "--password-stdin", stdin="short\n") == 2
    with session_scope(url) as session:
        agent = agents.authenticate(session, "agent07", "first-password-7")
        assert agent is not None
        agents.start_session(session, agent, beijing_now())
    new = ("passwd", "agent07", "--password-stdin")
    assert agent_cmd(url, monkeypatch, *new, stdin="second-password-7\n") == 0
    with session_scope(url) as session:
        assert agents.authenticate(session, "agent07", "first-password-7") is None
        assert agents.authenticate(session, "agent07", "second-password-7") is not None
        assert session.query(AgentSession).count() == 0  # a new password ends every session
    assert agent_cmd(url, monkeypatch, "disable", "agent07") == 0
    assert agent_cmd(url, monkeypatch, "disable", "nobody") == 1
    with session_scope(url) as session:
        assert agents.authenticate(session, "agent07", "second-password-7") is None
    capsys.readouterr()
    assert agent_cmd(url, monkeypatch, "list") == 0
    assert "agent07\t小周\tagent\tdisabled" in capsys.readouterr().out


def test_a_weaker_hash_is_upgraded_at_login(url: str) -> None:
    salt = secrets.token_bytes(16)
    old_key = hashlib.scrypt(b"old-password-1", salt=salt, n=2**14, r=8, p=1, dklen=32)
    with session_scope(url) as session:
        agent = agents.create_agent(session, "veteran", "老员工", "placeholder-pass")
        agent.password_hash = f"scrypt${2**14}$8$1${salt.hex()}${old_key.hex()}"
    with session_scope(url) as session:
        assert agents.authenticate(session, "veteran", "old-password-1") is not None
    with session_scope(url) as session:
        stored = agents.agent_by_username(session, "veteran").password_hash
        assert stored.startswith(f"scrypt${2**17}$8$1$")
        assert agents.authenticate(session, "veteran", "old-password-1") is not None


def test_expired_sessions_are_purged(url: str) -> None:
    now = beijing_now()
    with session_scope(url) as session:
        agent = agents.create_agent(session, "night", "夜班", "night-password-1")
        agents.start_session(session, agent, now - timedelta(days=2))
        agents.start_session(session, agent, now)
        assert session.query(AgentSession).count() == 1
