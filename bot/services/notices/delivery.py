"""Pushing pending notices to customers who are connected right now.

One small interface, :class:`NoticeSender`: a channel (socket.io here, WeChat's customer-service
API in its own module) tries to reach the notice's customer and says where it delivered, or
that the customer cannot be reached now. The :class:`NoticePump` runs in the Rasa server, asks
each sender in turn and claims the notice in the database first (``claim_delivery``), so a
notice is delivered once even with several servers. A notice nobody could deliver stays pending
and is read out at the start of the customer's next conversation (actions.session).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.services.notices.store import PendingNotice, all_pending, claim_delivery
from bot.timeutil import beijing_now

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0

T = TypeVar("T")


class NoticeSender(Protocol):
    """A channel that can reach a customer without being spoken to first."""

    #: Stored as ``delivered_via``: "socketio", "wechat", ...
    channel: str

    async def reachable(self, notice: PendingNotice) -> str | None:
        """The conversation (sender id) through which the notice's customer can be reached
        now, or None."""

    async def deliver(self, notice: PendingNotice, sender_id: str) -> None:
        """Send the notice into that conversation (and record it there)."""


class NoticePump:
    """Delivers pending notices through the registered senders, every few seconds."""

    def __init__(self, database_url: Callable[[], str]) -> None:
        self.database_url = database_url
        self.senders: list[NoticeSender] = []

    def add_sender(self, sender: NoticeSender) -> None:
        self.senders.append(sender)

    def _db(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.database_url()) as session:
            return work(session)

    async def run_once(self) -> int:
        """Deliver what can be delivered now; how many notices went out."""
        if not self.senders:
            return 0
        pending = await asyncio.to_thread(self._db, all_pending)
        delivered = 0
        # Oldest first within the batch, so a customer reads them in the order they happened.
        for notice in reversed(pending):
            for sender in self.senders:
                target = await sender.reachable(notice)
                if target is None:
                    continue
                claimed = await asyncio.to_thread(
                    self._db,
                    lambda s, n=notice, via=sender.channel: claim_delivery(
                        s, n.id, via, beijing_now()
                    ),
                )
                if claimed:
                    await sender.deliver(notice, target)
                    delivered += 1
                break
        return delivered

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database or socket hiccup must not end the pump
                logger.warning("notice delivery failed; retrying", exc_info=True)
            await asyncio.sleep(POLL_SECONDS)
