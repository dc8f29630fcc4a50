"""Rasa's socketio channel with its ``session_persistence`` bug fixed.

With ``session_persistence: true`` Rasa 3.6 uses the widget's session id as the sender id and
sends every bot reply to the socket.io *room* named after it. Its ``session_request`` handler puts
the socket into that room with ``sio.enter_room(...)`` without ``await``; python-socketio 5.10
made ``AsyncServer.enter_room`` a coroutine, so with the python-socketio this project installs
the socket never joins the room and the widget never shows a single bot reply (only a
"coroutine 'AsyncServer.enter_room' was never awaited" warning in the log; RasaHQ/rasa#13027).

This subclass keeps everything else of Rasa's channel (name ``socketio``, credentials keys,
output channel) and only replaces that one handler. List it in credentials.yml instead of
``socketio:``, with the same keys.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint


class SessionSocketIOInput(SocketIOInput):
    """``SocketIOInput`` whose ``session_request`` really joins the session's room."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        if sio is None:  # Rasa's blueprint() always sets it; checked for the type checker.
            raise RuntimeError("SocketIOInput.blueprint() did not create its server")

        # Registering the same event again replaces Rasa's handler (python-socketio keeps one
        # handler per event and namespace).
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                # A coroutine since python-socketio 5.10, a plain call before: support both so a
                # pin in either direction keeps working.
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return socketio_webhook
