"""Rasa's REST channel with its input checked and its identity verified.

Rasa 3.6 reads `request.json.get(...)` without checking the body's shape (a JSON list ends in a
500), believes any `metadata.customer_id`, and puts every request without a `sender` into the one
conversation `default`. Here: a malformed or oversized body gets a 4xx (bot.security.
input_bounds); `sender` is required; the customer comes only from an `Authorization: Bearer`
customer token (bot.security.customer_token), and a signed-in customer's conversation is their
own (bot.channels.identity). Same name (`rest`), same URL (/webhooks/rest/webhook), same
responses for well-formed requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge, Unauthorized
from sanic.request import Request

from bot.channels.identity import rest_conversation_id, trusted_metadata
from bot.security.customer_token import bearer_token, verified_customer_id
from bot.security.input_bounds import (
    InputRejected,
    checked_message,
    checked_metadata,
    checked_sender,
)
from bot.security.startup import refuse_unsafe_production
from bot.settings import get_settings

T = TypeVar("T")


def _body(request: Request) -> dict[str, Any]:
    body = request.json  # Sanic answers 400 itself for a body that is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage("the body must be a JSON object with 'sender' and 'message'")
    return body


def _checked(check: Callable[[object], T], value: object) -> T:
    try:
        return check(value)
    except InputRejected as rejected:
        raise (PayloadTooLarge if rejected.too_large else InvalidUsage)(str(rejected)) from None


def signed_in_customer(request: Request) -> int | None:
    """The customer of the request's bearer token; None without one; 401 for a token that is
    not valid (a client that sends credentials should learn they failed)."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None
    customer_id = verified_customer_id(token, get_settings().customer_jwt_secret)
    if customer_id is None:
        raise Unauthorized("the customer token is invalid or expired")
    return customer_id


class ValidatedRestInput(RestInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        refuse_unsafe_production(get_settings())
        return super().from_credentials(credentials)

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _checked(checked_sender, _body(req).get("sender"))
        return rest_conversation_id(sender, signed_in_customer(req))

    def _extract_message(self, req: Request) -> str | None:
        return _checked(checked_message, _body(req).get("message"))

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        _checked(checked_metadata, _body(request).get("metadata"))
        return trusted_metadata(signed_in_customer(request))
