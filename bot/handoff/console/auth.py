"""Agent login for the console: session cookie, failed-login throttle, the signed-in agent.

The password check and the session tokens live in ``bot.handoff.agents`` (scrypt hashes, only
a token's sha256 stored). This module is the HTTP side: the token travels only in an HttpOnly,
SameSite=Strict cookie scoped to the console's path, so page scripts (and anything injected
into them) cannot read it and no other site can make the browser send it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.handoff import agents as agent_service
from bot.handoff.console.http import ApiError, client_ip, json_body, ok, run_db
from bot.timeutil import beijing_now

COOKIE_NAME = "kefu_agent_session"
SESSION_SECONDS = 12 * 3600
ROLE_SUPERVISOR = "supervisor"
MAX_FIELD_LENGTH = 128


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
    """Counts login attempts per client address, and per username *from that address*, in a
    sliding window.

    Keyed by username and address together so that a stranger typing wrong passwords for an
    agent locks out only the stranger's own address, never the agent. An attempt is counted
    when it starts (``begin``, no await between the check and the count), so parallel guesses
    cannot all pass the check before the first one fails; a successful login takes its attempt
    back. In memory on purpose: it slows down password guessing against one Rasa process, which
    is what the console runs in.
    """

    def __init__(
        self, *, window_seconds: float = 300.0, per_ip: int = 20, per_username: int = 5
    ) -> None:
        self.window_seconds = window_seconds
        self.limits = {"ip": per_ip, "user": per_username}
        self._attempts: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _keys(ip: str, username: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("ip", ip), ("user", f"{username.lower()}\n{ip}")

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._attempts.setdefault(key, deque())
        while times and now - times[0] > self.window_seconds:
            times.popleft()
        if not times:
            del self._attempts[key]  # an idle key costs nothing
            return deque()
        return times

    def retry_after(self, ip: str, username: str, now: float | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        for key in self._keys(ip, username):
            times = self._recent(key, now)
            if len(times) >= self.limits[key[0]]:
                wait = max(wait, self.window_seconds - (now - times[0]))
        return int(wait) + 1 if wait > 0 else 0

    def begin(self, ip: str, username: str, now: float | None = None) -> int:
        """Counts an attempt and returns 0, or returns the seconds to wait (counting nothing)."""
        now = time.monotonic() if now is None else now
        wait = self.retry_after(ip, username, now)
        if not wait:
            for key in self._keys(ip, username):
                self._attempts.setdefault(key, deque()).append(now)
        return wait

    def succeeded(self, ip: str, username: str) -> None:
        ip_key, user_key = self._keys(ip, username)
        self._attempts.pop(user_key, None)
        if self._attempts.get(ip_key):
            self._attempts[ip_key].pop()


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
    ip = client_ip(request)
    wait = throttle.begin(ip, username)
    if wait:
        raise ApiError(
            429, "too_many_attempts", "登录失败次数过多，请稍后再试。", {"Retry-After": str(wait)}
        )

    def work(session: Session) -> tuple[AgentInfo, str] | None:
        agent = agent_service.authenticate(session, username, password)
        if agent is None or not agent.active:
            return None
        token = agent_service.start_session(session, agent, console_now(session))
        return agent_info(agent), token

    found = await run_db(database_url, work)
    if found is None:
        # One message for unknown user and wrong password: no hint which one it was.
        raise ApiError(401, "bad_credentials", "用户名或密码不正确。")
    throttle.succeeded(ip, username)
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
