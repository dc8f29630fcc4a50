"""Rasa's REST channel with its input checked and its identity verified.

Rasa 3.6 reads `request.json.get(...)` without checking the body's shape (a JSON list ends in a
500), believes any `metadata.customer_id`, and puts every request without a `sender` into the one
conversation `default`. Here: a malformed or oversized body gets a 4xx (bot.security.
input_bounds); `sender` is required; the customer comes only from an `Authorization: Bearer`
customer token (bot.security.customer_token), and a signed-in customer's conversation is their
own (bot.channels.identity); a client sending faster than the per-address or per-conversation
rate gets 429 with Retry-After (bot.security.rate_limit). Same name (`rest`), same URL
(/webhooks/rest/webhook), same responses for well-formed requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException, Unauthorized
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.identity import rest_conversation_id, trusted_metadata
from bot.resilience.guard import TurnGuard
from bot.security.client_address import client_address, client_key
from bot.security.customer_token import bearer_token, verified_customer_id
from bot.security.input_bounds import (
    SENDER,
    InputRejected,
    checked_message,
    checked_metadata,
    checked_sender,
)
from bot.security.rate_limit import TOO_FAST_MESSAGE, MessageLimits, retry_after_header
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


def conversation_of(request: Request) -> str | None:
    """The conversation a request would speak into, for the per-sender limit; None when the
    request is malformed (it is answered 4xx without reaching any conversation)."""
    try:
        body = request.json
    except (SanicException, ValueError, RecursionError):
        return None
    sender = body.get("sender") if isinstance(body, dict) else None
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        return None
    token = bearer_token(request.headers.get("authorization"))
    customer_id = verified_customer_id(token, get_settings().customer_jwt_secret)
    return rest_conversation_id(sender, customer_id)


def requester_key(request: Request) -> str:
    return client_key(client_address(request), get_settings().customer_jwt_secret)


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
        return trusted_metadata(signed_in_customer(request), requester_key(request))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # A failure that Rasa would answer with `[]` gets a polite reply (bot.resilience).
        guard = TurnGuard()
        webhook = super().blueprint(guard.wrap(on_new_message))
        guard.watch(webhook)
        limits = MessageLimits.from_settings(get_settings())

        @webhook.after_server_stop
        async def close_limits(*_: Any) -> None:
            await limits.close()

        # Blueprint middleware runs for this channel's routes only, before the body is read
        # into a conversation.
        @webhook.middleware("request")
        async def rate_limit(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            wait = await limits.wait(requester_key(request), conversation_of(request))
            if not wait:
                return None
            seconds = retry_after_header(wait)
            return response.json(
                {
                    "description": "Too Many Requests",
                    "status": 429,
                    "message": TOO_FAST_MESSAGE.format(seconds=seconds),
                },
                status=429,
                headers={"Retry-After": seconds},
                ensure_ascii=False,
            )

        return webhook
