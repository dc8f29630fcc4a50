"""A local stand-in for WeChat's HTTP API: the token endpoint and the customer-service send.

Records every text it accepted; on demand it fails the next calls, expires the token it issued
(as WeChat does after two hours or when another server fetched a new one), or refuses a user
whose 48-hour window has closed. Served by tests.threaded_sanic in a thread of the test process.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tests.threaded_sanic import ThreadedSanicServer

APPID = "wx0123456789abcdef"
SECRET = "fake-app-secret"
_names = itertools.count()


@dataclass
class FakeWeChatApi:
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0
    rejected_tokens: int = 0
    failures_left: int = 0
    closed_windows: set[str] = field(default_factory=set)
    _token: str = "token-0"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadedSanicServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.url("/cgi-bin/")

    def expire_token(self) -> None:
        """The token handed out so far stops working (errcode 42001) until a new one is fetched."""
        with self._lock:
            self._token = f"token-{self.token_fetches}-expired"

    def fail_next(self, count: int) -> None:
        """The next `count` sends answer errcode -1 (系统繁忙), as WeChat does under load."""
        with self._lock:
            self.failures_left = count

    def texts_to(self, openid: str) -> list[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m["touser"] == openid]

    def wait_for_texts(self, openid: str, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(openid)
            if len(texts) >= count:
                return texts
            time.sleep(0.1)
        raise AssertionError(f"{openid} got {self.texts_to(openid)}, expected {count} texts")

    def app(self) -> Sanic:
        app = Sanic(f"fake_wechat_api_{next(_names)}")

        @app.get("/cgi-bin/token")
        async def token(request: Request) -> HTTPResponse:
            args = request.args
            if args.get("appid") != APPID or args.get("secret") != SECRET:
                return response.json({"errcode": 40013, "errmsg": "invalid appid"})
            with self._lock:
                self.token_fetches += 1
                self._token = f"token-{self.token_fetches}"
                return response.json({"access_token": self._token, "expires_in": 7200})

        @app.post("/cgi-bin/message/custom/send")
        async def send(request: Request) -> HTTPResponse:
            message = request.json
            with self._lock:
                if request.args.get("access_token") != self._token:
                    self.rejected_tokens += 1
                    return response.json({"errcode": 42001, "errmsg": "access_token expired"})
                if self.failures_left > 0:
                    self.failures_left -= 1
                    return response.json({"errcode": -1, "errmsg": "system error"})
                if message["touser"] in self.closed_windows:
                    return response.json({"errcode": 45015, "errmsg": "response out of time limit"})
                self.sent.append(message)
            return response.json({"errcode": 0, "errmsg": "ok"})

        return app

    def start(self) -> FakeWeChatApi:
        self.server = ThreadedSanicServer(self.app(), name="fake-wechat-api")
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@dataclass
class DelayingProxy:
    """Sits between Rasa and the action server and holds each call for `delay` seconds: a slow
    action server (a busy database, say), so the bot's answer misses WeChat's 5 seconds."""

    target: str  # the action server's webhook URL
    delay: float = 0.0
    server: ThreadedSanicServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url("/webhook")

    def app(self) -> Sanic:
        app = Sanic(f"delaying_proxy_{next(_names)}")

        @app.post("/webhook")
        async def forward(request: Request) -> HTTPResponse:
            await asyncio.sleep(self.delay)
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    self.target, data=request.body, headers={"Content-Type": "application/json"}
                ) as answer,
            ):
                body = await answer.read()
                return response.raw(body, status=answer.status, content_type="application/json")

        return app

    def start(self) -> DelayingProxy:
        self.server = ThreadedSanicServer(self.app(), name="delaying-proxy")
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
