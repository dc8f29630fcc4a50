"""Live updates of the agent console, pushed over the customer channel's own socket.io server.

The consoles connect to the namespace ``/console`` of the AsyncServer that Rasa's socketio
channel runs for the customers' widgets (path ``/socket.io/``): one server per process, and
with python-socketio's Redis manager configured there, an emit from any Rasa instance reaches
every agent on every instance. Customer sockets live in the default namespace and never join
the desk's room, so they never see an agent event.

What travels is a *poke*, never case data: ``{"kind", "case_id", "status", "agent_id"}``. A
console that hears one fetches what changed through the JSON API, where the agent's cookie and
``access.py`` decide what it may read, so the socket needs no access rules of its own.

Typing notes ride the same sockets: the widget's ``customer_typing`` becomes a poke for the
case (kind ``customer_typing``), and an agent's ``typing`` reaches the customer's widget as
``agent_typing`` when that agent holds the chat (rasa-webchat hands unknown events to the
page's ``onSocketEvent``; web/chat.js shows the note).

Signing in: the session cookie is scoped to ``/webhooks/agent/`` (auth.py), so the browser does
not send it to ``/socket.io/``. The page trades it for a ticket (``POST api/live-ticket``): an
HMAC over the agent id and a one-minute expiry, keyed by the server's ``RASA_TOKEN``, which
every instance shares. A connection without a valid ticket is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import socketio
from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError

from bot.db.models_handoff import ACTIVE
from bot.handoff import cases
from bot.handoff.console.http import run_db
from bot.settings import get_settings

logger = logging.getLogger(__name__)

NAMESPACE = "/console"
DESK_ROOM = "desk"
EVENT = "desk"
TICKET_SECONDS = 60
# Typing notes, both ways: the widget sends ``customer_typing`` on its own socket, the console
# sends ``typing`` on its; the customer's widget is told ``agent_typing``. Clients send at most
# one every few seconds; the server drops anything faster from one connection.
AGENT_TYPING = "agent_typing"
TYPING_EVERY_SECONDS = 2.0
_TICKET_PURPOSE = b"kefu-console-live-ticket"

# What a poke says happened to a case.
CUSTOMER_MESSAGE = "customer_message"
CUSTOMER_TYPING = "customer_typing"
CLAIMED = "claimed"
AGENT_MESSAGE = "agent_message"
TRANSFERRED = "transferred"
RESOLVED = "resolved"


def _ticket_key() -> bytes:
    # Derived, so a ticket can never be replayed as the API token itself.
    token = get_settings().rasa_token.encode()
    return hmac.new(token, _TICKET_PURPOSE, hashlib.sha256).digest()


def _signature(agent_id: int, expires: int) -> str:
    return hmac.new(_ticket_key(), f"{agent_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def issue_ticket(agent_id: int, now: float | None = None) -> str:
    """A ticket that lets ``agent_id`` open the console's socket during the next minute."""
    expires = int((time.time() if now is None else now) + TICKET_SECONDS)
    return f"{agent_id}.{expires}.{_signature(agent_id, expires)}"


def agent_of_ticket(ticket: object, now: float | None = None) -> int | None:
    """The agent a ticket was issued to; None if it is malformed, forged or expired."""
    if not isinstance(ticket, str) or len(ticket) > 200:
        return None
    parts = ticket.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    agent_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _signature(agent_id, expires)):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return agent_id


async def _maybe_await(result: Any) -> None:
    # enter_room is a coroutine since python-socketio 5.10, a plain call before.
    if inspect.isawaitable(result):
        await result


def _too_soon(state: dict[str, Any]) -> bool:
    now = time.monotonic()
    if now - float(state.get("typed_at") or 0.0) < TYPING_EVERY_SECONDS:
        return True
    state["typed_at"] = now
    return False


def _held_case(case_id: int, agent_id: int) -> Callable[[Any], tuple[str, str] | None]:
    def work(session: Any) -> tuple[str, str] | None:
        case = cases.case_by_id(session, case_id)
        if case is None or case.agent_id != agent_id or case.status != ACTIVE:
            return None
        return str(case.sender_id), str(case.agent.display_name)

    return work


class ConsoleNamespace(socketio.AsyncNamespace):
    """Agents' connections: signed in by ticket, all in the desk's room."""

    def __init__(self, namespace: str, customer_namespace: str) -> None:
        super().__init__(namespace)
        self.customer_namespace = customer_namespace

    async def on_connect(self, sid: str, environ: Mapping[str, Any], auth: object = None) -> bool:
        ticket = auth.get("ticket") if isinstance(auth, dict) else None
        agent_id = agent_of_ticket(ticket)
        if agent_id is None:
            logger.info("console socket refused: no valid ticket")
            return False
        await self.save_session(sid, {"agent_id": agent_id})
        await _maybe_await(self.enter_room(sid, DESK_ROOM))
        return True

    async def on_typing(self, sid: str, data: object = None) -> None:
        """The agent types in a chat they hold: the customer's widget may show it."""
        case_id = data.get("case_id") if isinstance(data, dict) else None
        state = await self.get_session(sid)
        if not isinstance(case_id, int) or isinstance(case_id, bool) or _too_soon(state):
            return
        try:
            held = await run_db(get_settings().database_url, _held_case(case_id, state["agent_id"]))
        except (SQLAlchemyError, OSError, asyncio.TimeoutError, OverflowError):
            return  # a typing note is not worth an error
        if held is not None:
            sender_id, agent_name = held
            # The widget's room is its session id (bot.channels.socket_io, session_request).
            await self.emit(
                AGENT_TYPING,
                {"agent": agent_name},
                room=sender_id,
                namespace=self.customer_namespace,
            )


def socket_server(app: Any) -> socketio.AsyncServer | None:
    """The socketio channel's server in this Rasa app; None if the channel is not configured."""
    for channel in getattr(app.ctx, "input_channels", None) or []:
        sio = getattr(channel, "sio", None)
        if isinstance(sio, socketio.AsyncServer):
            return sio
    return None


def attach(sio: socketio.AsyncServer, customer_namespace: str | None = None) -> None:
    """Serve the console's namespace on `sio`, and hear the widgets' typing notes."""
    customers = customer_namespace or "/"
    if NAMESPACE not in sio.namespace_handlers:
        sio.register_namespace(ConsoleNamespace(NAMESPACE, customers))

    @sio.on("customer_typing", namespace=customers)
    async def customer_typing(sid: str, data: object = None) -> None:
        state = await sio.get_session(sid, namespace=customers)
        sender_id = state.get("session_id")
        if not sender_id or _too_soon(state):
            return
        await after_customer_message(sio, str(sender_id), CUSTOMER_TYPING)


async def poke(
    sio: socketio.AsyncServer | None,
    kind: str,
    case_id: int,
    status: str,
    agent_id: int | None,
) -> None:
    """Tell every connected console that something happened to a case.

    Never raises: the change itself is done and stored, and the consoles' fallback poll picks
    it up if the push is lost (a Redis manager that is down, say).
    """
    if sio is None:
        return
    body = {"kind": kind, "case_id": case_id, "status": status, "agent_id": agent_id}
    try:
        await sio.emit(EVENT, body, room=DESK_ROOM, namespace=NAMESPACE)
    except Exception:  # any manager failure: logged, and the fallback poll covers it
        logger.warning("console poke %s for case %s not sent", kind, case_id, exc_info=True)


async def poke_app(app: Any, kind: str, brief: Mapping[str, Any]) -> None:
    """`poke` for a console route, from the case brief it answers with."""
    await poke(
        socket_server(app), kind, int(brief["id"]), str(brief["status"]), brief.get("agent_id")
    )


def _open_case(sender_id: str) -> Callable[[Any], tuple[int, str, int | None] | None]:
    def work(session: Any) -> tuple[int, str, int | None] | None:
        case = cases.active_case_for_sender(session, sender_id)
        if case is None:
            return None
        agent_id = int(case.agent_id) if case.agent_id is not None else None
        return int(case.id), str(case.status), agent_id

    return work


async def after_customer_message(
    sio: socketio.AsyncServer, sender_id: str, kind: str = CUSTOMER_MESSAGE
) -> None:
    """Poke the desk if the customer who just wrote has a chat waiting for or held by a person.

    Covers both a customer writing into a handed-off chat and the message that got the chat
    handed over (the case is opened while that message is handled). One indexed query on
    handoff_cases per customer message, off the event loop.
    """
    try:
        found = await run_db(get_settings().database_url, _open_case(sender_id))
    except (SQLAlchemyError, OSError, asyncio.TimeoutError):
        logger.warning("console poke skipped: handoff cases unreadable", exc_info=True)
        return
    if found is not None:
        case_id, status, agent_id = found
        await poke(sio, kind, case_id, status, agent_id)


def watching(
    handle: Callable[[UserMessage], Awaitable[Any]], sio: socketio.AsyncServer
) -> Callable[[UserMessage], Awaitable[None]]:
    """A channel's message handler that tells the desk after every message it handled."""

    async def handle_and_tell(message: UserMessage) -> None:
        await handle(message)
        await after_customer_message(sio, message.sender_id)

    return handle_and_tell
