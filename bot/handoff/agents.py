"""Console agents: accounts, password checks and login sessions.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random salt per
password; the stored string carries its own parameters so they can be raised later without
breaking old hashes. A session token is shown to the browser once and only its SHA-256 is kept,
so reading the table does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models_handoff import ROLE_AGENT, ROLE_SUPERVISOR, ROLES, Agent, AgentSession

SESSION_LIFETIME = timedelta(hours=12)
_SCHEME = "scrypt"
# OWASP's scrypt minimum (N=2^17, r=8, p=1): 128 MiB per hash, slow enough to make guessing
# expensive, fast enough for a login. Hashes made with less are upgraded at the next login.
_N, _R, _P = 2**17, 8, 1
_KEY_BYTES = 32
# Twice what the current parameters need (128 * r * N bytes); a stored hash asking for more is
# refused rather than allowed to exhaust the server's memory.
_MAX_MEM = 2 * 128 * _R * _N
_SALT_BYTES = 16


@dataclass(frozen=True)
class DemoAgent:
    username: str
    password: str
    display_name: str
    role: str


# The demo desk created by `bot seed`. These passwords are public (README); a real shop creates
# its own accounts and never runs the demo seed.
DEMO_AGENTS = (
    DemoAgent("agent01", "kefu-demo-1", "小王", ROLE_AGENT),
    DemoAgent("agent02", "kefu-demo-2", "小李", ROLE_AGENT),
    DemoAgent("lead01", "kefu-lead-1", "王主管", ROLE_SUPERVISOR),
)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=_MAX_MEM
    )


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt_hex$key_hex`` with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _derive(password, salt, _N, _R, _P)
    return f"{_SCHEME}${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison of the derived key; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = bytes.fromhex(key_hex)
        key = _derive(password, bytes.fromhex(salt_hex), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key, expected)


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    try:
        _scheme, n, r, p, _salt, _key = stored.split("$")
        return (int(n), int(r), int(p)) != (_N, _R, _P)
    except ValueError:
        return True


# Checked against when the username is unknown, so a miss costs as long as a wrong password and
# response times do not tell which usernames exist. Computed on first use, not at import.
_dummy_hash: str | None = None


def _burn_time(password: str) -> None:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_hex(8))
    verify_password(password, _dummy_hash)


def create_agent(
    session: Session, username: str, display_name: str, password: str, role: str = ROLE_AGENT
) -> Agent:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    if not username or not password:
        raise ValueError("an agent needs a username and a password")
    agent = Agent(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        active=True,
    )
    session.add(agent)
    session.flush()
    return agent


def agent_by_username(session: Session, username: str) -> Agent | None:
    query = select(Agent).where(Agent.username == username)
    found: Agent | None = session.execute(query).scalar_one_or_none()
    return found


def authenticate(session: Session, username: str, password: str) -> Agent | None:
    """The active agent with this username and password, else None (same answer for all misses)."""
    agent = agent_by_username(session, (username or "").strip())
    if agent is None:
        _burn_time(password or "")
        return None
    if not verify_password(password or "", agent.password_hash) or not agent.active:
        return None
    if needs_rehash(agent.password_hash):  # the password is at hand only now
        agent.password_hash = hash_password(password)
    return agent


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, agent: Agent, now: datetime) -> str:
    """A new random login token for the agent, valid for 12 hours from ``now``; expired
    sessions of every agent are purged on the way (table ``agent_sessions`` stays small)."""
    purge_expired_sessions(session, now)
    token = secrets.token_urlsafe(32)
    session.add(
        AgentSession(
            token_hash=_token_hash(token),
            agent_id=agent.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def agent_for_token(session: Session, token: str | None, now: datetime) -> Agent | None:
    """The logged-in, still active agent of an unexpired token, else None."""
    if not token:
        return None
    query = select(AgentSession).where(AgentSession.token_hash == _token_hash(token))
    login: AgentSession | None = session.execute(query).scalar_one_or_none()
    if login is None or login.expires_at <= now:
        return None
    agent: Agent | None = login.agent
    return agent if agent is not None and agent.active else None


def end_session(session: Session, token: str | None) -> bool:
    """Log out: the token stops working. True when there was such a session."""
    if not token:
        return False
    result = session.execute(
        delete(AgentSession).where(AgentSession.token_hash == _token_hash(token))
    )
    return bool(result.rowcount)


def seed_agents(session: Session) -> list[Agent]:
    """The demo desk's accounts, created once (existing usernames are left as they are)."""
    agents = []
    for demo in DEMO_AGENTS:
        agent = agent_by_username(session, demo.username)
        if agent is None:
            agent = create_agent(
                session, demo.username, demo.display_name, demo.password, demo.role
            )
        agents.append(agent)
    return agents


def active_agents(session: Session) -> list[Agent]:
    """Everyone a case can be transferred to, by display order."""
    query = select(Agent).where(Agent.active.is_(True)).order_by(Agent.id)
    return list(session.execute(query).scalars())


def purge_expired_sessions(session: Session, now: datetime) -> int:
    result = session.execute(delete(AgentSession).where(AgentSession.expires_at <= now))
    return int(result.rowcount or 0)


def set_password(session: Session, username: str, password: str) -> bool:
    """A new password; every open session of the agent ends. False for an unknown username."""
    agent = agent_by_username(session, username)
    if agent is None or not password:
        return False
    agent.password_hash = hash_password(password)
    session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
    return True


def disable_agent(session: Session, username: str) -> bool:
    """The agent can no longer log in, and is logged out now. False for an unknown username."""
    agent = agent_by_username(session, username)
    if agent is None:
        return False
    agent.active = False
    session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
    return True


def all_agents(session: Session) -> list[Agent]:
    return list(session.execute(select(Agent).order_by(Agent.username)).scalars())
