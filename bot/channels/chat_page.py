"""The customer chat page, served by Rasa itself as a custom input channel.

Rasa mounts every channel listed in credentials.yml under ``/webhooks/<name>/``, so listing
``bot.channels.chat_page.ChatPageInput:`` there puts the page at ``/webhooks/chat/`` on the same
origin as the ``socketio`` channel. Same origin matters: the rasa-webchat widget then connects to
``window.location.origin`` with no CORS set-up, and the page can forbid every other origin in its
Content-Security-Policy (nothing is loaded from a CDN at run time).

This channel never receives chat messages: the widget talks to the ``socketio`` channel. It only
serves the page, its static files and the demo customers the page offers as identities.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import REPO_ROOT, load_settings

if TYPE_CHECKING:
    from bot.services.customers.directory import DemoCustomer

logger = logging.getLogger(__name__)

DEFAULT_WEB_DIR = REPO_ROOT / "web"
WIDGET_BUNDLE = "webchat-1.0.1.js"

# Explicit types instead of mimetypes.guess_type: the system's mime.types differs between
# machines (.js is text/javascript on some, application/javascript on others) and a wrong or
# missing type makes browsers with nosniff refuse the script.
STATIC_TYPES: dict[str, str] = {
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
# One plain file name: no slash, no leading dot, no percent-escapes, a whitelisted extension.
# Combined with the resolved-parent check below this rules out path traversal and dotfiles.
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(?:css|js|svg|png|ico|woff2)$")

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
    "Cache-Control": "no-cache",
}

# A database that hangs (e.g. a firewalled host) must not hold the request forever.
CUSTOMERS_TIMEOUT_SECONDS = 10.0


def customer_to_json(customer: DemoCustomer) -> dict[str, Any]:
    """The fields of a ``DemoCustomer`` that the page shows or sends as widget ``customData``."""
    return {
        # Kept as the store's type (an int): the page sends it back untouched as customData.
        "customer_id": customer.customer_id,
        "name": customer.name,
        # The full phone is needed as customData (the bot verifies identity with it); the page
        # only ever displays the masked one.
        "phone": customer.phone,
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


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


class ChatPageInput(InputChannel):
    """Serves the customer chat page at ``/webhooks/chat/``; never handles messages itself."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Every key is optional so that ``bot.channels.chat_page.ChatPageInput:`` with no value
        # (credentials None) is a complete entry.
        credentials = credentials or {}
        web_dir = credentials.get("web_dir")
        return cls(
            web_dir=Path(web_dir) if web_dir else None,
            database_url=credentials.get("database_url"),
            customer_limit=int(credentials.get("customer_limit", 6)),
        )

    def __init__(
        self,
        web_dir: Path | None = None,
        database_url: str | None = None,
        customer_limit: int = 6,
    ) -> None:
        self.web_dir = (web_dir or DEFAULT_WEB_DIR).resolve()
        # None means "ask load_settings() on every request", so DATABASE_URL is honoured as it is
        # when the request comes in, not as it was when Rasa started.
        self.database_url = database_url
        self.customer_limit = customer_limit

    def _static_dirs(self) -> tuple[Path, Path]:
        # Our own files first, then the vendored widget bundle that build_webchat.sh copies.
        return self.web_dir, self.web_dir / "vendor"

    def find_static(self, name: str) -> Path | None:
        """The file a whitelisted static name refers to, or None."""
        if not _STATIC_NAME.fullmatch(name):
            return None
        for directory in self._static_dirs():
            candidate = (directory / name).resolve()
            # resolve() follows symlinks: a link pointing out of the directory is refused too.
            if candidate.parent == directory.resolve() and candidate.is_file():
                return candidate
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # on_new_message is unused on purpose: messages arrive through the socketio channel.
        chat_page = Blueprint("chat_page_webhook", __name__)

        @chat_page.route("/", methods=["GET", "HEAD"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # Sanic also routes /webhooks/chat here, but the page's relative URLs (static/…,
                # customers) only resolve under /webhooks/chat/. The Location is relative too,
                # so it stays right behind a proxy that mounts Rasa under a path prefix.
                last_segment = request.path.rsplit("/", 1)[-1]
                query = f"?{request.query_string}" if request.query_string else ""
                return response.redirect(f"{last_segment}/{query}", status=301)
            page = self.web_dir / "index.html"
            if not page.is_file():
                return _error(404, "not_found", "chat page is not installed")
            return await response.file(
                page, mime_type="text/html; charset=utf-8", headers=dict(PAGE_HEADERS)
            )

        @chat_page.route("/static/<name:str>", methods=["GET", "HEAD"])
        async def static(_: Request, name: str) -> HTTPResponse:
            path = self.find_static(name)
            if path is None:
                return _error(404, "not_found", "no such file")
            # The vendored bundle carries its version in its name, so it can be cached for long;
            # our own files change without renaming, so browsers must revalidate them.
            cache = "public, max-age=86400" if path.parent.name == "vendor" else "no-cache"
            return await response.file(
                path,
                mime_type=STATIC_TYPES[path.suffix],
                headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
            )

        @chat_page.route("/customers", methods=["GET"])
        async def customers(_: Request) -> HTTPResponse:
            database_url = self.database_url or load_settings().database_url
            try:
                # SQLAlchemy here is synchronous; a worker thread keeps the event loop, and with
                # it every open chat socket, responsive while the query runs.
                found = await asyncio.wait_for(
                    asyncio.to_thread(load_demo_customers, database_url, self.customer_limit),
                    timeout=CUSTOMERS_TIMEOUT_SECONDS,
                )
            except (SQLAlchemyError, OSError, asyncio.TimeoutError) as exc:
                # Logged without the URL, which may hold a password.
                logger.warning("demo customers unavailable: %s", type(exc).__name__)
                return _error(503, "database_unavailable", "演示顾客暂时无法加载，请稍后再试。")
            return response.json(found, headers={"Cache-Control": "no-store"}, ensure_ascii=False)

        @chat_page.route("/health", methods=["GET", "HEAD"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(
                {
                    "status": "ok",
                    "channel": self.name(),
                    "page": (self.web_dir / "index.html").is_file(),
                    "widget": self.find_static(WIDGET_BUNDLE) is not None,
                }
            )

        return chat_page
