"""HTTP plumbing of the console's API.

JSON errors and answers, request bodies and query arguments, the same-origin check of writes
and the database runner.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.session import session_scope

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A hung database (e.g. a firewalled host) must not hold a request, and with it an agent's
# page, forever.
DB_TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 16_384
MAX_ID = 2**63 - 1

# On every answer of the console, page and files included. It is never framed (clickjacking a
# "resolve" button is the threat).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Case data is personal data: never kept by the browser or a proxy.
API_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


class ApiError(Exception):
    """Ends a request with a JSON error: ``{"error": code, "message": message}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(error: ApiError) -> HTTPResponse:
    return response.json(
        {"error": error.code, "message": error.message},
        status=error.status,
        headers={**API_HEADERS, **error.headers},
        ensure_ascii=False,
    )


def ok(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=dict(API_HEADERS), ensure_ascii=False)


def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The request's JSON object; 400 for anything else (a missing body is {} if optional)."""
    raw = request.body or b""
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "请求内容不能为空。")
        return {}
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", "请求内容过长。")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # nested past the stack
        raise ApiError(400, "bad_json", "请求内容不是有效的 JSON。") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "请求内容必须是 JSON 对象。")
    return body


def check_same_origin(request: Request) -> None:
    """Refuse state-changing requests that a browser sent on behalf of another site.

    The session cookie is SameSite=Strict already; this is the second lock. Browsers send
    Origin on every cross-origin POST, so a present, foreign Origin is refused; requests from
    non-browser clients (tests, curl) carry none.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return
    # request.host is the Host header, or the public name a trusted proxy forwarded: Sanic
    # believes X-Forwarded-Host / Forwarded only when FORWARDED_SECRET or PROXIES_COUNT is
    # configured (SANIC_FORWARDED_SECRET, SANIC_PROXIES_COUNT), never from just anyone.
    if origin == "null" or urlsplit(origin).netloc != request.host:
        raise ApiError(403, "bad_origin", "请求来源不被允许。")


Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


def api(handler: Handler) -> Handler:
    """Turn ApiError and database failures of a route into JSON answers (never a traceback)."""

    @functools.wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            # Route ids are <int>, unbounded in Sanic; past a database integer they name nothing
            # (and SQLite would raise OverflowError on the query).
            if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in kwargs.values()):
                raise ApiError(404, "not_found", "找不到这个会话。")
            if request.method not in ("GET", "HEAD"):
                check_same_origin(request)
            return await handler(request, *args, **kwargs)
        except ApiError as error:
            return error_response(error)
        except (SQLAlchemyError, OSError, asyncio.TimeoutError) as exc:
            # Logged without details that may hold a database URL or password.
            logger.warning("agent console: storage unavailable: %s", type(exc).__name__)
            return error_response(
                ApiError(503, "unavailable", "系统暂时无法访问数据，请稍后再试。")
            )

    return wrapped


def _in_session(database_url: str, work: Callable[[Session], T]) -> T:
    with session_scope(database_url) as session:
        return work(session)


async def run_db(database_url: str, work: Callable[[Session], T]) -> T:
    """Run ``work(session)`` in one transaction on a worker thread.

    SQLAlchemy here is synchronous; the thread keeps the event loop, and with it every open
    customer socket, responsive while the query runs.
    """
    return await asyncio.wait_for(
        asyncio.to_thread(_in_session, database_url, work), timeout=DB_TIMEOUT_SECONDS
    )


def client_ip(request: Request) -> str:
    # remote_addr is set only when Sanic trusts a proxy's forwarding headers; the socket's
    # peer address otherwise.
    return str(request.remote_addr or request.ip or "unknown")


def int_arg(request: Request, name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_request", f"参数 {name} 无效。") from exc


def float_arg(request: Request, name: str) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_request", f"参数 {name} 无效。") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise ApiError(400, "bad_request", f"参数 {name} 无效。")
    return value
