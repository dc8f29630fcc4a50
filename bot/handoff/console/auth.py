"""Agent login for the console: session cookie, sign-in throttle, the signed-in agent.

The password check and the session tokens live in ``bot.handoff.agents`` (scrypt hashes, only
a token's sha256 stored). This module is the HTTP side: the token travels only in an HttpOnly,
SameSite=Strict cookie scoped to the console's path, so page scripts (and anything injected
into them) cannot read it and no other site can make the browser send it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.handoff import agents as agent_service
from bot.handoff.console.http import DB_TIMEOUT_SECONDS, ApiError, json_body, ok, run_db
from bot.security.client_address import client_address, client_key
from bot.security.login_throttle import (
    Turn,
    clear,
    precise_now,
    record_failure,
    subject_of,
    take_turn,
)
from bot.security.rate_limit import limiter, retry_after_header
from bot.settings import Settings, get_settings
from bot.timeutil import beijing_now

T = TypeVar("T")
COOKIE_NAME = "kefu_agent_session"
SESSION_SECONDS = 12 * 3600
ROLE_SUPERVISOR = "supervisor"
MAX_FIELD_LENGTH = 128
# Compare-and-set rounds one sign-in attempt may lose to parallel ones before it gives up.
MAX_RACES = 20


@dataclass(frozen=True)
class AgentInfo:
    """The signed-in agent, detached from the database session that loaded it."""

    id: int
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == ROLE_SUPERVISOR

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
        }


def agent_info(agent: Any) -> AgentInfo:
    role = getattr(agent.role, "value", agent.role)
    return AgentInfo(int(agent.id), str(agent.username), str(agent.display_name), str(role))


def console_now(session: Session) -> datetime:
    """The clock of every console write: the wall clock.

    The demo store's clock stands still (so its order stories stay true); the queue, claims and
    agent sessions are about people working now, so waits and session expiry must advance.
    """
    return beijing_now()


class LoginThrottle:
    """Slows down password guessing, on every instance alike.

    Two limits: sign-in attempts per client address (any usernames: password spraying), a
    pyrate-limiter bucket shared through Redis when ``REDIS_URL`` is set
    (bot.security.rate_limit); and a growing back-off per username *from that address*
    (bot.security.login_throttle), in the database, so that a stranger's wrong passwords for an
    agent slow down only the stranger, never the agent. Both count an attempt when it starts,
    so parallel guesses cannot all pass the check before the first one fails.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.per_address = limiter(
            "login", settings.rate_limit_login, settings.rate_limit_redis_url
        )
        # Threads of its own: the count must not queue behind the password hashing (scrypt,
        # ~1 s of CPU each) that parallel sign-ins keep the shared worker threads busy with.
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="login-throttle")

    async def _run(self, database_url: str, work: Callable[[Session], T]) -> T:
        def in_session() -> T:
            with session_scope(database_url) as session:
                return work(session)

        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(self._threads, in_session), timeout=DB_TIMEOUT_SECONDS
        )

    async def begin(self, database_url: str, client: str, username: str) -> Turn:
        """Counts an attempt that may go now, or the seconds to wait (counting nothing more)."""
        if self.per_address is not None:
            wait = await self.per_address.wait(client)
            if wait:
                return Turn(wait=wait)
        subject = subject_of(username, client)
        for _ in range(MAX_RACES):
            turn = await self._run(
                database_url, lambda session: take_turn(session, subject, precise_now())
            )
            if turn is not None:
                return turn
        # Lost every race: others are hammering this very name from this very client.
        return Turn(wait=1.0)

    async def close(self) -> None:
        if self.per_address is not None:
            await self.per_address.close()
        self._threads.shutdown(wait=False)

    async def failed(self, database_url: str, client: str, username: str, attempt: int) -> None:
        subject = subject_of(username, client)
        await self._run(
            database_url,
            lambda session: record_failure(session, subject, attempt, precise_now()),
        )

    async def succeeded(self, database_url: str, client: str, username: str) -> None:
        subject = subject_of(username, client)
        await self._run(database_url, lambda session: clear(session, subject, precise_now()))


def _credential(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD_LENGTH:
        raise ApiError(400, "bad_request", "请输入用户名和密码。")
    return value


def cookie_path(request: Request) -> str:
    """The console's own path (``/webhooks/agent/``): the cookie goes nowhere else."""
    return request.path.split("/api/", 1)[0].rstrip("/") + "/"


def _set_cookie(request: Request, resp: HTTPResponse, token: str, max_age: int) -> None:
    resp.cookies[COOKIE_NAME] = token
    cookie = resp.cookies[COOKIE_NAME]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = cookie_path(request)
    cookie["max-age"] = max_age
    if request.scheme == "https":
        cookie["secure"] = True


async def login(request: Request, database_url: str, throttle: LoginThrottle) -> HTTPResponse:
    body = json_body(request)
    username = _credential(body, "username").strip()
    password = _credential(body, "password")
    client = client_key(client_address(request), get_settings().customer_jwt_secret)
    turn = await throttle.begin(database_url, client, username)
    if turn.wait:
        raise ApiError(
            429,
            "too_many_attempts",
            "登录尝试过于频繁，请稍后再试。",
            {"Retry-After": retry_after_header(turn.wait)},
        )

    def work(session: Session) -> tuple[AgentInfo, str] | None:
        agent = agent_service.authenticate(session, username, password)
        if agent is None or not agent.active:
            return None
        token = agent_service.start_session(session, agent, console_now(session))
        return agent_info(agent), token

    found = await run_db(database_url, work)
    if found is None:
        await throttle.failed(database_url, client, username, turn.attempt)
        # One message for unknown user and wrong password: no hint which one it was.
        raise ApiError(401, "bad_credentials", "用户名或密码不正确。")
    await throttle.succeeded(database_url, client, username)
    me, token = found
    resp = ok({"agent": me.as_json()})
    _set_cookie(request, resp, token, SESSION_SECONDS)
    return resp


async def logout(request: Request, database_url: str) -> HTTPResponse:
    token = request.cookies.get(COOKIE_NAME)
    if token:
        await run_db(database_url, lambda session: agent_service.end_session(session, token))
    resp = ok({"ok": True})
    _set_cookie(request, resp, "", 0)
    return resp


async def current_agent(request: Request, database_url: str) -> AgentInfo:
    """The agent whose session cookie came with the request; 401 without a valid one."""
    token = request.cookies.get(COOKIE_NAME)
    if not token or len(token) > 256:
        raise ApiError(401, "not_logged_in", "请先登录。")

    def work(session: Session) -> AgentInfo | None:
        agent = agent_service.agent_for_token(session, token, console_now(session))
        if agent is None or not agent.active:
            return None
        return agent_info(agent)

    me = await run_db(database_url, work)
    if me is None:
        raise ApiError(401, "not_logged_in", "登录已失效，请重新登录。")
    return me
