"""Rasa's REST channel with its input checked, so malformed requests get a 4xx, not a 500.

Rasa 3.6 reads `request.json.get(...)` without checking the body's shape: a JSON list or a
missing `message` ends in an AttributeError and a 500. Same name (`rest`), same URL
(/webhooks/rest/webhook), same responses for well-formed requests.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

# Generous for any real chat message (the NLU reads only the first 400 characters); the bound
# keeps a runaway client from filling the tracker store.
MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 128


def _body(request: Request) -> dict[str, Any]:
    body = request.json  # Sanic answers 400 itself for a body that is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage("the body must be a JSON object with 'sender' and 'message'")
    return body


class ValidatedRestInput(RestInput):
    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if sender is None:
            return None  # Rasa then uses a fresh id, as before
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS}")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
        return message

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object")
        return metadata
