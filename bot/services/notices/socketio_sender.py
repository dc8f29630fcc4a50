"""The socket.io sender of notices: the customer's rasa-webchat widget, if it is open.

A notice for a conversation goes to its room when a socket is in it; a notice for a customer
goes to the newest connection signed in as that customer (the socket session holds the
verified ``customer_id`` and the issued ``session_id``, see bot.channels.socket_io). The notice
is written into the conversation as a bot message (metadata ``{"notice": id}``) under Rasa's
conversation lock, as the console writes an agent's message, so it is in the transcript and
the bot's memory, then pushed to the widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasa.shared.core.events import BotUttered

from bot.db.session import session_scope
from bot.handoff.console.conversation import (
    SOCKETIO,
    ConversationMissing,
    conversation_lock,
    rasa_agent,
)
from bot.services.followups.satisfaction import (
    AFTER_SALE_QUESTION,
    may_ask,
    rating_buttons,
    record_ask,
)
from bot.services.notices.store import PendingNotice
from bot.timeutil import beijing_now


class SocketIONoticeSender:
    channel = SOCKETIO

    def __init__(self, app: Any, database_url: Callable[[], str]) -> None:
        self.app = app
        self.database_url = database_url

    def _socket_channel(self) -> Any | None:
        for channel in getattr(self.app.ctx, "input_channels", None) or []:
            if channel.name() == SOCKETIO and getattr(channel, "sio", None) is not None:
                return channel
        return None

    async def reachable(self, notice: PendingNotice) -> str | None:
        channel = self._socket_channel()
        if channel is None:
            return None
        # Rasa's channel leaves the default namespace as None; the manager keys it as "/".
        sio, namespace = channel.sio, channel.namespace or "/"
        if notice.sender_id and any(sio.manager.get_participants(namespace, notice.sender_id)):
            return notice.sender_id
        if notice.customer_id is None:
            return None
        found = None
        # Connections in the order they came; the last one signed in as the customer wins.
        for sid, _eio_sid in list(sio.manager.get_participants(namespace, None)):
            state = await sio.get_session(sid, namespace=namespace)
            if state.get("customer_id") == notice.customer_id and state.get("session_id"):
                found = str(state["session_id"])
        return found

    def _ask_rating(self, notice: PendingNotice, sender_id: str) -> bool:
        with session_scope(self.database_url()) as session:
            now = beijing_now()
            if not may_ask(session, sender_id=sender_id, customer_id=notice.customer_id, now=now):
                return False
            record_ask(
                session,
                subject="after_sale",
                sender_id=sender_id,
                customer_id=notice.customer_id,
                ticket_id=notice.ticket_id,
                now=now,
            )
            return True

    async def deliver(self, notice: PendingNotice, sender_id: str) -> None:
        agent, channel = rasa_agent(self.app), self._socket_channel()
        if channel is None:
            raise ConversationMissing("no socket.io channel")
        ask = notice.ask_rating and await asyncio.to_thread(self._ask_rating, notice, sender_id)
        messages: list[tuple[str, list[dict[str, Any]]]] = [(notice.text, [])]
        if ask:
            messages.append((AFTER_SALE_QUESTION, rating_buttons()))
        async with conversation_lock(agent, sender_id):
            tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
            for text, buttons in messages:
                data = {"buttons": buttons} if buttons else None
                tracker.update(BotUttered(text, data=data, metadata={"notice": notice.id}))
            await agent.tracker_store.save(tracker)
        output = channel.get_output_channel()
        for text, buttons in messages:
            if buttons:
                await output.send_text_with_buttons(sender_id, text, buttons)
            else:
                await output.send_text_message(sender_id, text)
