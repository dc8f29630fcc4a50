"""The base of the channels that serve a web page: the customer chat page and the agent console.

Rasa mounts every channel under ``/webhooks/<name>/``. A channel built on this base answers
``/`` with the ``index.html`` of its web folder and ``/static/<file>`` with the files next to it,
and adds its own routes (demo customers, the console API) beside them. Both pages take the
same care: one plain, whitelisted file name, resolved inside the folder; explicit content types
with nosniff; pages and our own files revalidated, only versioned vendor files cached for long.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

# Explicit types instead of mimetypes.guess_type: the system's mime.types differs between
# machines (.js is text/javascript on some, application/javascript on others) and a wrong or
# missing type makes browsers with nosniff refuse the script.
CONTENT_TYPES: dict[str, str] = {
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
PAGE_TYPE = "text/html; charset=utf-8"
# One plain file name: no slash, no leading dot, no percent-escapes; the extension is checked
# against the channel's whitelist. Together with the resolved-parent check in find_static this
# rules out path traversal and dotfiles.
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\.[a-z0-9]+)$")
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
# Versioned file names never change content, so a day in the browser's cache is safe.
VERSIONED_CACHE = "public, max-age=86400"
# Pages and our own files change without renaming: browsers must revalidate them.
REVALIDATE = "no-cache"


def web_dir_option(credentials: Mapping[str, Any]) -> Path | None:
    """The ``web_dir`` key of a channel's credentials.yml entry (optional)."""
    web_dir = credentials.get("web_dir")
    return Path(web_dir) if web_dir else None


class StaticPageInput(InputChannel):
    """An input channel that serves one page and its static files from a web folder.

    Subclasses say what they serve; routes of their own go into the same blueprint.
    """

    default_web_dir: ClassVar[Path]
    # Extensions the static route serves (keys of CONTENT_TYPES): each page only what it needs.
    extensions: ClassVar[frozenset[str]]
    page_headers: ClassVar[Mapping[str, str]]
    # Sent with every static file, on top of nosniff and the cache policy.
    file_headers: ClassVar[Mapping[str, str]] = {}
    # Sent with every JSON error of the channel; an error is never worth caching.
    error_headers: ClassVar[Mapping[str, str]] = {**NOSNIFF, "Cache-Control": "no-store"}
    # A subfolder of vendored files that carry their version in their name (served second).
    versioned_dir: ClassVar[str | None] = None
    missing_page: ClassVar[str] = "page is not installed"

    def __init__(self, web_dir: Path | None = None) -> None:
        self.web_dir = (web_dir or self.default_web_dir).resolve()

    @property
    def page(self) -> Path:
        return self.web_dir / "index.html"

    def _vendor_dir(self) -> Path | None:
        return (self.web_dir / self.versioned_dir).resolve() if self.versioned_dir else None

    def _static_dirs(self) -> list[Path]:
        # Our own files first, then the vendored ones.
        vendor = self._vendor_dir()
        return [self.web_dir] if vendor is None else [self.web_dir, vendor]

    def find_static(self, name: str) -> Path | None:
        """The file a whitelisted static name refers to, or None."""
        match = _STATIC_NAME.fullmatch(name)
        if match is None or match.group(1) not in self.extensions:
            return None
        for directory in self._static_dirs():
            candidate = (directory / name).resolve()
            # resolve() follows symlinks: a link pointing out of the folder is refused too.
            if candidate.parent == directory and candidate.is_file():
                return candidate
        return None

    def _cache_control(self, path: Path) -> str:
        return VERSIONED_CACHE if path.parent == self._vendor_dir() else REVALIDATE

    def error(self, status: int, code: str, message: str) -> HTTPResponse:
        """A JSON error: ``{"error": code, "message": message}``."""
        return response.json(
            {"error": code, "message": message},
            status=status,
            headers=dict(self.error_headers),
            ensure_ascii=False,
        )

    def add_page_routes(self, bp: Blueprint) -> None:
        """``/`` (the page) and ``/static/<file>`` on the channel's blueprint."""

        @bp.route("/", methods=["GET", "HEAD"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # Sanic also routes /webhooks/<name> here, but the page's relative URLs
                # (static/…, api/…) only resolve under /webhooks/<name>/. The Location is
                # relative too, so it stays right behind a proxy that mounts Rasa under a prefix.
                last_segment = request.path.rsplit("/", 1)[-1]
                query = f"?{request.query_string}" if request.query_string else ""
                return response.redirect(f"{last_segment}/{query}", status=301)
            if not self.page.is_file():
                return self.error(404, "not_found", self.missing_page)
            return await response.file(
                self.page, mime_type=PAGE_TYPE, headers=dict(self.page_headers)
            )

        @bp.route("/static/<name:str>", methods=["GET", "HEAD"])
        async def static(_: Request, name: str) -> HTTPResponse:
            path = self.find_static(name)
            if path is None:
                return self.error(404, "not_found", "no such file")
            headers = {**NOSNIFF, **self.file_headers, "Cache-Control": self._cache_control(path)}
            return await response.file(path, mime_type=CONTENT_TYPES[path.suffix], headers=headers)
