"""The agent console, served by Rasa itself as a custom input channel.

Listing ``bot.handoff.console.AgentConsoleInput:`` in credentials.yml mounts it at
``/webhooks/agent/``: the page (web/console/) and its JSON API under ``/webhooks/agent/api/``.
Living inside the Rasa server is what lets the console read and write the customers'
conversations through the same tracker store and lock store as the bot, and push an agent's
message into the customer's rasa-webchat widget through the socketio channel's live server.

This channel never receives customer messages (``on_new_message`` is unused); every API route
but login needs an agent's session cookie, so a customer can never reach it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff import console_auth
from bot.handoff.console_api import CaseApi
from bot.handoff.console_auth import LoginThrottle
from bot.handoff.console_http import (
    PAGE_HEADERS,
    SECURITY_HEADERS,
    ApiError,
    Handler,
    api,
    error_response,
)
from bot.settings import REPO_ROOT, load_settings

DEFAULT_WEB_DIR = REPO_ROOT / "web" / "console"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# One plain file name with a whitelisted extension: no path traversal, no dotfiles.
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(?:css|js|svg|png)$")


class AgentConsoleInput(InputChannel):
    """The agent console at ``/webhooks/agent/``."""

    @classmethod
    def name(cls) -> str:
        return "agent"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Every key is optional: ``bot.handoff.console.AgentConsoleInput:`` alone is complete.
        credentials = credentials or {}
        web_dir = credentials.get("web_dir")
        return cls(
            web_dir=Path(web_dir) if web_dir else None,
            database_url=credentials.get("database_url"),
        )

    def __init__(self, web_dir: Path | None = None, database_url: str | None = None) -> None:
        self.web_dir = (web_dir or DEFAULT_WEB_DIR).resolve()
        # None: read DATABASE_URL on every request, as the chat page does.
        self._database_url = database_url
        # Per process, like the sessions of one Rasa server; see LoginThrottle.
        self.throttle = LoginThrottle()

    def database_url(self) -> str:
        return self._database_url or load_settings().database_url

    def find_static(self, name: str) -> Path | None:
        if not _STATIC_NAME.fullmatch(name):
            return None
        candidate = (self.web_dir / name).resolve()
        # resolve() follows symlinks, so a link out of the folder is refused too.
        if candidate.parent == self.web_dir and candidate.is_file():
            return candidate
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("agent_console_webhook", __name__)
        cases = CaseApi(self.database_url)

        @bp.route("/", methods=["GET", "HEAD"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page's URLs (static/…, api/…) are relative to /webhooks/agent/.
                return response.redirect(request.path.rsplit("/", 1)[-1] + "/", status=301)
            page = self.web_dir / "index.html"
            if not page.is_file():
                return error_response(ApiError(404, "not_found", "console is not installed"))
            return await response.file(
                page, mime_type="text/html; charset=utf-8", headers=dict(PAGE_HEADERS)
            )

        @bp.route("/static/<name:str>", methods=["GET", "HEAD"])
        async def static(_: Request, name: str) -> HTTPResponse:
            path = self.find_static(name)
            if path is None:
                return error_response(ApiError(404, "not_found", "no such file"))
            return await response.file(
                path,
                mime_type=STATIC_TYPES[path.suffix],
                headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
            )

        @bp.route("/api/login", methods=["POST"])
        @api
        async def login(request: Request) -> HTTPResponse:
            return await console_auth.login(request, self.database_url(), self.throttle)

        @bp.route("/api/logout", methods=["POST"])
        @api
        async def logout(request: Request) -> HTTPResponse:
            return await console_auth.logout(request, self.database_url())

        routes: list[tuple[str, str, Handler]] = [
            ("/api/me", "GET", cases.me),
            ("/api/queue", "GET", cases.queue),
            ("/api/agents", "GET", cases.agents),
            ("/api/updates", "GET", cases.updates),
            ("/api/supervisor", "GET", cases.supervisor),
            ("/api/cases/<case_id:int>", "GET", cases.case),
            ("/api/cases/<case_id:int>/claim", "POST", cases.claim),
            ("/api/cases/<case_id:int>/messages", "POST", cases.message),
            ("/api/cases/<case_id:int>/transfer", "POST", cases.transfer),
            ("/api/cases/<case_id:int>/resolve", "POST", cases.resolve),
            ("/api/intents", "GET", cases.intents),
            ("/api/cases/<case_id:int>/corrections", "POST", cases.correct),
        ]
        for uri, method, handler in routes:
            # Sanic names routes after the handler; the bound methods need distinct names.
            name = "agent_api_" + re.sub(r"\W+", "_", f"{method}{uri}").strip("_")
            bp.add_route(api(handler), uri, methods=[method], name=name)

        return bp
