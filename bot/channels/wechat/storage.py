"""Database work of the channel, off the event loop (SQLAlchemy here is synchronous)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.timeutil import BEIJING

T = TypeVar("T")


def _in_session(work: Callable[[Session], T]) -> T:
    with session_scope() as session:
        return work(session)


async def in_session(work: Callable[[Session], T]) -> T:
    """``work(session)`` in one transaction of the configured database, on a worker thread."""
    return await asyncio.to_thread(_in_session, work)


def precise_now() -> datetime:
    """Beijing time (the storage convention) to the microsecond: retries are sub-second."""
    return datetime.now(BEIJING).replace(tzinfo=None)
