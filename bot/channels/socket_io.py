"""Rasa's socketio channel with signed identity, server-issued session ids and bounded input.

Replaces four things of Rasa 3.6's ``SocketIOInput`` and keeps the rest (name ``socketio``,
credentials keys, output channel):

- ``connect``: Rasa's ``jwt_key`` option, extended. The key defaults to ``CUSTOMER_JWT_SECRET``;
  a valid customer token (socket.io ``auth: {token}``, or ``?token=`` on the connection URL for
  the rasa-webchat widget, which cannot pass ``auth``) signs the connection in as its
  ``customer_id``; no token means an anonymous visitor; an invalid token is refused.
- ``session_request``: the server issues the session id (the Rasa sender id), bound to the
  connection's identity (bot.channels.identity), and reuses one a client offers only when it was
  issued for that identity. Rasa's handler also never awaits python-socketio 5.10's coroutine
  ``enter_room`` (RasaHQ/rasa#13027), so no reply ever reached the widget.
- ``user_uttered``: only into the connection's own session; message and metadata capped like
  every channel (bot.security.input_bounds); the metadata Rasa stores is the verified identity
  only (client ``customData`` such as a phone number is dropped).
- the engine.io buffer is capped, so a 200 KB packet is refused before it is parsed.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.identity import is_session_of, new_session_id, trusted_metadata
from bot.channels.socketio_redis import share_rooms_through_redis
from bot.handoff.console import live as console_live
from bot.resilience.guard import TurnGuard
from bot.security.client_address import client_address, client_key
from bot.security.customer_token import verified_customer_id
from bot.security.input_bounds import (
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    InputRejected,
    checked_message,
    checked_metadata,
)
from bot.security.rate_limit import TOO_FAST_MESSAGE, MessageLimits, retry_after_header
from bot.security.startup import refuse_unsafe_production
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# One engine.io packet: a capped message and capped metadata fit several times over.
MAX_PACKET_BYTES = 4 * (MAX_MESSAGE_CHARS * 4 + MAX_METADATA_BYTES)
TOO_LONG_REPLY = f"消息太长了，请控制在{MAX_MESSAGE_CHARS}字以内，分几条发送也可以。"
MALFORMED_REPLY = "消息格式不正确，请刷新页面后再试。"


def offered_token(environ: dict[str, Any], auth: object) -> str | None:
    """The token a client presents: socket.io ``auth`` first, else the URL's ``token``."""
    if isinstance(auth, dict) and auth.get("token"):
        token = auth["token"]
        return token if isinstance(token, str) else ""
    tokens = parse_qs(environ.get("QUERY_STRING", "")).get("token")
    return tokens[0] if tokens else None


def requester_key(environ: dict[str, Any]) -> str:
    """The connecting client's key, from Sanic's request (which knows the trusted proxies)."""
    request = environ.get("sanic.request")
    address = client_address(request) if request is not None else environ.get("REMOTE_ADDR")
    return client_key(str(address or "unknown"), get_settings().customer_jwt_secret)


class SessionSocketIOInput(SocketIOInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = get_settings()
        refuse_unsafe_production(settings)
        channel = super().from_credentials(credentials)
        if not isinstance(channel, SessionSocketIOInput):  # Rasa's builds cls(...); for mypy
            raise TypeError("SocketIOInput.from_credentials() did not build this class")
        # Tokens are verified as HS256 only (bot.security.customer_token), whatever jwt_method
        # credentials.yml names.
        channel.jwt_key = channel.jwt_key or settings.customer_jwt_secret
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # A failure that Rasa would leave unanswered gets a polite reply (bot.resilience).
        guard = TurnGuard()
        on_new_message = guard.wrap(on_new_message)
        socketio_webhook = super().blueprint(on_new_message)
        guard.watch(socketio_webhook)
        sio = self.sio
        if sio is None:  # Rasa's blueprint() always sets it; checked for the type checker.
            raise RuntimeError("SocketIOInput.blueprint() did not create its server")
        sio.eio.max_http_buffer_size = MAX_PACKET_BYTES
        settings = get_settings()
        if settings.socketio_redis_url:
            share_rooms_through_redis(sio, settings.socketio_redis_url)
        secret = self.jwt_key or settings.customer_jwt_secret
        # The agent console's live updates share this server, in a namespace of their own, and
        # hear of every customer message handled here (bot.handoff.console.live).
        console_live.attach(sio, self.namespace)
        handle = console_live.watching(on_new_message, sio)
        limits = MessageLimits.from_settings(settings)

        @socketio_webhook.after_server_stop
        async def close_limits(*_: Any) -> None:
            await limits.close()

        async def tell_to_slow_down(sid: str, state: dict[str, Any], wait: float) -> None:
            """The polite reply to a message over the rate, once per wait (a flood of messages
            does not get a flood of replies)."""
            now = time.monotonic()
            if now < state.get("slow_down_until", 0.0):
                return
            state["slow_down_until"] = now + wait
            await sio.save_session(sid, state, namespace=self.namespace)
            text = TOO_FAST_MESSAGE.format(seconds=retry_after_header(wait))
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        # Registering the same event again replaces Rasa's handler (python-socketio keeps one
        # handler per event and namespace).
        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> bool:
            token = offered_token(environ, auth)
            customer_id = verified_customer_id(token, secret) if token is not None else None
            if token is not None and customer_id is None:
                logger.info("socket.io connection refused: invalid customer token")
                return False
            # The client's key (bot.security.client_address) for the per-address message limit
            # and the verification lock-out, taken once from the connection's request.
            client = requester_key(environ)
            state = {"customer_id": customer_id, "client": client}
            await sio.save_session(sid, state, namespace=self.namespace)
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: object = None) -> None:
            state = await sio.get_session(sid, namespace=self.namespace)
            offered = data.get("session_id") if isinstance(data, dict) else None
            customer_id = state.get("customer_id")
            if not is_session_of(offered, secret, customer_id):
                offered = new_session_id(secret, customer_id)
            state["session_id"] = offered
            await sio.save_session(sid, state, namespace=self.namespace)
            if self.session_persistence:
                entered = sio.enter_room(sid, offered, namespace=self.namespace)
                # A coroutine since python-socketio 5.10, a plain call before: support both so a
                # pin in either direction keeps working.
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", offered, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: object = None) -> None:
            state = await sio.get_session(sid, namespace=self.namespace)
            if self.session_persistence:
                sender_id = state.get("session_id")
                if sender_id is None or not isinstance(data, dict):
                    return  # no session_request yet: nothing to speak into
                if data.get("session_id") != sender_id:
                    logger.info("socket.io message for a session not this connection's: dropped")
                    return
            else:
                sender_id = sid
                if not isinstance(data, dict):
                    return
            try:
                text = checked_message(data.get("message", ""))
                checked_metadata(data.get(self.metadata_key))
            except InputRejected as rejected:
                logger.info("socket.io message refused: %s", rejected)
                reply = TOO_LONG_REPLY if rejected.too_large else MALFORMED_REPLY
                await sio.emit(
                    self.bot_message_evt, {"text": reply}, room=sid, namespace=self.namespace
                )
                return
            wait = await limits.wait(state["client"], sender_id)
            if wait:
                await tell_to_slow_down(sid, state, wait)
                return
            await handle(
                UserMessage(
                    text,
                    SocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=trusted_metadata(state.get("customer_id"), state["client"]),
                )
            )

        return socketio_webhook
