"""The customer chat page, served by Rasa itself as a custom input channel.

Rasa mounts every channel listed in credentials.yml under ``/webhooks/<name>/``, so listing
``bot.channels.chat_page.ChatPageInput:`` there puts the page at ``/webhooks/chat/`` on the same
origin as the ``socketio`` channel. Same origin matters: the rasa-webchat widget then connects to
``window.location.origin`` with no CORS set-up, and the page can forbid every other origin in its
Content-Security-Policy (nothing is loaded from a CDN at run time).

This channel never receives chat messages: the widget talks to the ``socketio`` channel. It only
serves the page and its static files (``bot.channels.static_page``, shared with the agent
console) and, in demo mode only, the demo customers the page offers as identities and the demo
tokens that sign the widget in as one of them (without DEMO_MODE both answer 404, and the page
chats anonymously).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.static_page import REVALIDATE, StaticPageInput, web_dir_option
from bot.security.customer_token import issue_customer_token
from bot.security.startup import refuse_unsafe_production
from bot.settings import REPO_ROOT, get_settings

if TYPE_CHECKING:
    from bot.services.customers.directory import DemoCustomer

logger = logging.getLogger(__name__)

WIDGET_BUNDLE = "webchat-1.0.1.js"

# The page may load only what this server serves. Styles need 'unsafe-inline' because the widget
# bundle injects its CSS as <style> tags at run time. connect-src 'self' covers the socket.io
# polling requests and the same-origin websocket. Images in bot replies may be product photos
# hosted elsewhere, hence https: for img-src only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # The page is tiny and changes with deployments; always revalidate.
    "Cache-Control": REVALIDATE,
}

# A database that hangs (e.g. a firewalled host) must not hold the request forever.
CUSTOMERS_TIMEOUT_SECONDS = 10.0
# A demo token lives as long as a demo chat; the page asks for a new one on every load.
DEMO_TOKEN_TTL = timedelta(hours=2)


def customer_to_json(customer: DemoCustomer) -> dict[str, Any]:
    """The fields of a ``DemoCustomer`` that the page shows or sends as widget ``customData``."""
    return {
        # Kept as the store's type (an int): the page sends it back to ask for a demo token.
        "customer_id": customer.customer_id,
        "name": customer.name,
        # Masked only: the page needs no more, and this list is public in demo mode.
        "phone_masked": customer.masked_phone,
        "level": customer.level,
        "order_count": customer.order_count,
        "orders_by_status": {
            str(status): [str(order) for order in orders]
            for status, orders in customer.orders_by_status.items()
        },
    }


def load_demo_customers(database_url: str, limit: int) -> list[dict[str, Any]]:
    """Read the demo customers (blocking: call it from a worker thread)."""
    # Imported on first use rather than at module import: Rasa imports this module while it
    # reads credentials.yml, and the page and static files must keep working even when the
    # database layer is broken or not deployed; only /customers depends on it.
    from bot.db.session import session_scope
    from bot.services.customers.directory import demo_customers

    with session_scope(database_url) as session:
        return [customer_to_json(c) for c in demo_customers(session, limit=limit)]


class ChatPageInput(StaticPageInput):
    """Serves the customer chat page at ``/webhooks/chat/``; never handles messages itself."""

    default_web_dir = REPO_ROOT / "web"
    extensions = frozenset({".css", ".js", ".svg", ".png", ".ico", ".woff2"})
    page_headers = PAGE_HEADERS
    # The widget bundle that build_webchat.sh copies, named with its version.
    versioned_dir = "vendor"
    missing_page = "chat page is not installed"

    @classmethod
    def name(cls) -> str:
        return "chat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Every key is optional so that ``bot.channels.chat_page.ChatPageInput:`` with no value
        # (credentials None) is a complete entry.
        credentials = credentials or {}
        refuse_unsafe_production(get_settings())
        return cls(
            web_dir=web_dir_option(credentials),
            database_url=credentials.get("database_url"),
            customer_limit=int(credentials.get("customer_limit", 6)),
        )

    def __init__(
        self,
        web_dir: Path | None = None,
        database_url: str | None = None,
        customer_limit: int = 6,
    ) -> None:
        super().__init__(web_dir)
        # None means the configured database (get_settings().database_url, read once per process).
        self.database_url = database_url
        self.customer_limit = customer_limit

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # on_new_message is unused on purpose: messages arrive through the socketio channel.
        chat_page = Blueprint("chat_page_webhook", __name__)
        self.add_page_routes(chat_page)
        if get_settings().demo_mode:
            self.add_demo_routes(chat_page)

        @chat_page.route("/health", methods=["GET", "HEAD"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(
                {
                    "status": "ok",
                    "channel": self.name(),
                    "page": self.page.is_file(),
                    "widget": self.find_static(WIDGET_BUNDLE) is not None,
                }
            )

        return chat_page

    def add_demo_routes(self, chat_page: Blueprint) -> None:
        """The customer picker's data and demo sign-in: routes that exist in demo mode only."""
        secret = get_settings().customer_jwt_secret

        @chat_page.route("/demo-token", methods=["POST"])
        async def demo_token(request: Request) -> HTTPResponse:
            body = request.json
            customer_id = body.get("customer_id") if isinstance(body, dict) else None
            if not isinstance(customer_id, int) or isinstance(customer_id, bool):
                return self.error(400, "bad_request", "customer_id 必须是整数。")
            found = await self._demo_customers()
            if found is None:
                return self.error(503, "database_unavailable", "演示顾客暂时无法加载，请稍后再试。")
            if customer_id not in {c["customer_id"] for c in found}:
                return self.error(404, "unknown_customer", "没有这位演示顾客。")
            token = issue_customer_token(
                customer_id, secret, datetime.now(timezone.utc), DEMO_TOKEN_TTL
            )
            return response.json(
                {"token": token, "expires_in": int(DEMO_TOKEN_TTL.total_seconds())},
                headers={"Cache-Control": "no-store"},
            )

        @chat_page.route("/customers", methods=["GET"])
        async def customers(_: Request) -> HTTPResponse:
            found = await self._demo_customers()
            if found is None:
                return self.error(503, "database_unavailable", "演示顾客暂时无法加载，请稍后再试。")
            return response.json(found, headers={"Cache-Control": "no-store"}, ensure_ascii=False)

    async def _demo_customers(self) -> list[dict[str, Any]] | None:
        """The demo customers; None (logged) when the database cannot give them."""
        database_url = self.database_url or get_settings().database_url
        try:
            # SQLAlchemy here is synchronous; a worker thread keeps the event loop, and with it
            # every open chat socket, responsive while the query runs.
            return await asyncio.wait_for(
                asyncio.to_thread(load_demo_customers, database_url, self.customer_limit),
                timeout=CUSTOMERS_TIMEOUT_SECONDS,
            )
        except (SQLAlchemyError, OSError, asyncio.TimeoutError) as exc:
            # Logged without the URL, which may hold a password.
            logger.warning("demo customers unavailable: %s", type(exc).__name__)
            return None
