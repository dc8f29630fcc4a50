"""The notice pump's life inside the Rasa server: started with it, stopped with it.

The agent console channel calls :func:`attach_notice_pump` when it mounts (one pump per server
process). The pump is kept on ``app.ctx.notice_pump`` so that other channels (WeChat) can add
their sender: ``app.ctx.notice_pump.add_sender(sender)``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from sanic import Blueprint

from bot.services.notices.delivery import NoticePump
from bot.services.notices.socketio_sender import SocketIONoticeSender

PUMP = "notice_pump"
TASK = "notice_pump_task"


def attach_notice_pump(bp: Blueprint, database_url: Callable[[], str]) -> None:
    @bp.listener("after_server_start")
    async def start(app: Any, _loop: Any) -> None:
        pump = getattr(app.ctx, PUMP, None)
        if pump is None:
            pump = NoticePump(database_url)
            pump.add_sender(SocketIONoticeSender(app, database_url))
            setattr(app.ctx, PUMP, pump)
        setattr(app.ctx, TASK, asyncio.get_running_loop().create_task(pump.run_forever()))

    @bp.listener("before_server_stop")
    async def stop(app: Any, _loop: Any) -> None:
        task = getattr(app.ctx, TASK, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
