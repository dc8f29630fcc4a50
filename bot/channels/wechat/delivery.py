"""Delivery through the customer-service API: from the outbox, in order, with back-off.

Each user's texts are sent by one task at a time in this process (and the outbox's lease keeps
other processes off them). A failed attempt is retried after the back-off (bot.services.wechat.
outbox); short waits are slept through, longer ones are left to the sweep, which also picks up
what a restart left behind. Every failure is logged; a text given up on stays in the outbox as
``failed`` with its error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.channels.wechat.api import CustomerServiceClient, SendFailed
from bot.channels.wechat.storage import in_session, precise_now
from bot.services.wechat import outbox

logger = logging.getLogger(__name__)

# A retry due sooner than this is waited for by the sending task; later ones by the sweep.
PATIENCE_SECONDS = 10.0


class Courier:
    def __init__(self, client: CustomerServiceClient) -> None:
        self._client = client
        self._draining: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def send_later(self, openid: str, texts: Sequence[str]) -> None:
        """Queues the texts and starts sending them; returns once they are safely queued."""
        if not texts:
            return
        now = precise_now()
        await in_session(lambda session: outbox.enqueue(session, openid, texts, now))
        self.kick(openid)

    def kick(self, openid: str) -> None:
        if openid in self._draining:
            return  # the running task picks the new texts up
        self._draining.add(openid)
        task = asyncio.ensure_future(self._drain(openid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Waits until every sending task of this process has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _drain(self, openid: str) -> None:
        try:
            while await self._send_next(openid):
                pass
        except Exception:  # a database outage: the texts stay queued for the sweep
            logger.exception("WeChat delivery to %s interrupted", openid)
        finally:
            self._draining.discard(openid)

    async def _send_next(self, openid: str) -> bool:
        """Sends the user's next due text; False when there is nothing more to do now."""
        now = precise_now()
        claimed = await in_session(lambda session: outbox.claim_next(session, openid, now))
        if claimed is None:
            due = await in_session(lambda session: outbox.next_due(session, openid))
            if due is None:
                return False
            wait = (due - precise_now()).total_seconds()
            if wait > PATIENCE_SECONDS:
                return False
            await asyncio.sleep(max(wait, 0.05))
            return True
        message_id, text = claimed
        try:
            await asyncio.to_thread(self._client.send_text_now, openid, text)
        except SendFailed as failure:
            reason, permanent, failed_at = str(failure), failure.permanent, precise_now()
            gave_up = await in_session(
                lambda session: outbox.mark_failed_attempt(
                    session, message_id, reason, failed_at, permanent
                )
            )
            if gave_up:
                logger.error("WeChat message %s to %s given up: %s", message_id, openid, reason)
            else:
                logger.warning("WeChat message %s to %s: %s; retrying", message_id, openid, reason)
            return True
        sent_at = precise_now()
        await in_session(lambda session: outbox.mark_sent(session, message_id, sent_at))
        return True

    async def sweep_forever(self, interval: float) -> None:
        """Every `interval` seconds, starts sending whatever is due (retries, leftovers)."""
        while True:
            try:
                for openid in await in_session(_users_with_due_texts):
                    self.kick(openid)
            except Exception:
                logger.exception("WeChat outbox sweep failed; trying again later")
            await asyncio.sleep(interval)


def _users_with_due_texts(session: Session) -> list[str]:
    return outbox.users_with_due_texts(session, precise_now())
