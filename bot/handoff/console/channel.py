"""The agent console, served by Rasa itself as a custom input channel.

Listing ``bot.handoff.console.channel.AgentConsoleInput:`` in credentials.yml mounts it at
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
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.static_page import REVALIDATE, StaticPageInput, web_dir_option
from bot.handoff.console import auth
from bot.handoff.console.auth import LoginThrottle
from bot.handoff.console.canned import CannedRoutes
from bot.handoff.console.cases_read import CaseReader
from bot.handoff.console.cases_write import CaseWriter
from bot.handoff.console.followups import FollowUpRoutes
from bot.handoff.console.http import API_HEADERS, SECURITY_HEADERS, Handler, api
from bot.handoff.console.reports import ReportRoutes
from bot.handoff.console.search import SearchRoutes
from bot.handoff.console.tickets import TicketRoutes
from bot.services.notices.server import attach_notice_pump
from bot.settings import REPO_ROOT, get_settings

# The console loads only its own files; unlike the customer page it has no widget injecting
# inline styles, so 'unsafe-inline' is not needed anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": REVALIDATE,
}


class AgentConsoleInput(StaticPageInput):
    """The agent console at ``/webhooks/agent/``."""

    default_web_dir = REPO_ROOT / "web" / "console"
    extensions = frozenset({".css", ".js", ".svg", ".png"})
    page_headers = PAGE_HEADERS
    file_headers = SECURITY_HEADERS
    error_headers = API_HEADERS
    missing_page = "console is not installed"

    @classmethod
    def name(cls) -> str:
        return "agent"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Every key is optional: ``bot.handoff.console.channel.AgentConsoleInput:`` alone is
        # complete.
        credentials = credentials or {}
        return cls(
            web_dir=web_dir_option(credentials),
            database_url=credentials.get("database_url"),
        )

    def __init__(self, web_dir: Path | None = None, database_url: str | None = None) -> None:
        super().__init__(web_dir)
        # None: the configured database, as for the chat page.
        self._database_url = database_url
        # Shared by every instance through the database and Redis; see LoginThrottle.
        self.throttle = LoginThrottle()

    def database_url(self) -> str:
        return self._database_url or get_settings().database_url

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("agent_console_webhook", __name__)
        self.add_page_routes(bp)

        @bp.after_server_stop
        async def close_throttle(*_: Any) -> None:
            await self.throttle.close()  # its Redis connections, if any

        @bp.route("/api/login", methods=["POST"])
        @api
        async def login(request: Request) -> HTTPResponse:
            return await auth.login(request, self.database_url(), self.throttle)

        @bp.route("/api/logout", methods=["POST"])
        @api
        async def logout(request: Request) -> HTTPResponse:
            return await auth.logout(request, self.database_url())

        read, write = CaseReader(self.database_url), CaseWriter(self.database_url)
        canned, search = CannedRoutes(self.database_url), SearchRoutes(self.database_url)
        tickets, followups = TicketRoutes(self.database_url), FollowUpRoutes(self.database_url)
        routes: list[tuple[str, str, Handler]] = [
            ("/api/me", "GET", read.me),
            ("/api/queue", "GET", read.queue),
            ("/api/agents", "GET", read.agents),
            ("/api/updates", "GET", read.updates),
            ("/api/supervisor", "GET", read.supervisor),
            ("/api/cases/<case_id:int>", "GET", read.case),
            ("/api/cases/<case_id:int>/claim", "POST", write.claim),
            ("/api/cases/<case_id:int>/messages", "POST", write.message),
            ("/api/cases/<case_id:int>/transfer", "POST", write.transfer),
            ("/api/cases/<case_id:int>/resolve", "POST", write.resolve),
            ("/api/intents", "GET", read.intents),
            ("/api/cases/<case_id:int>/corrections", "POST", write.correct),
            ("/api/live-ticket", "POST", read.live_ticket),
            ("/api/search", "GET", search.search),
            ("/api/canned", "GET", canned.list),
            ("/api/canned", "POST", canned.create),
            ("/api/canned/<reply_id:int>", "PUT", canned.update),
            ("/api/canned/<reply_id:int>", "DELETE", canned.delete),
            ("/api/tickets", "GET", tickets.pending),
            ("/api/tickets/<ticket_no:str>/decision", "POST", tickets.decide),
            ("/api/followups", "GET", followups.listing),
            ("/api/followups/<follow_up_id:int>/close", "POST", followups.close),
            ("/api/reports", "GET", ReportRoutes(self.database_url).report),
        ]
        for uri, method, handler in routes:
            # Sanic names routes after the handler; the bound methods need distinct names.
            name = "agent_api_" + re.sub(r"\W+", "_", f"{method}{uri}").strip("_")
            bp.add_route(api(handler), uri, methods=[method], name=name)

        # Notices the shop sends unasked (review results, follow-up outcomes, stuck parcels)
        # reach connected customers from this server.
        attach_notice_pump(bp, self.database_url)
        return bp
