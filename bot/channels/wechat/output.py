"""Pushing to a WeChat user outside a turn: agents' messages and the bot's rating question.

Used by the agent console (bot.handoff.console.conversation) when the customer's latest
message came from WeChat. Texts go through the outbox, so a WeChat outage delays them and loses
nothing; the console asks ``unreachable_reason`` first, as WeChat refuses messages once the
customer has been silent for 48 hours.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.wechat import wording
from bot.channels.wechat.delivery import Courier
from bot.channels.wechat.messages import openid_of, render
from bot.channels.wechat.storage import in_session, precise_now
from bot.services.wechat import accounts, outbox

logger = logging.getLogger(__name__)


class WeChatPushOutput(OutputChannel):
    def __init__(self, courier: Courier) -> None:
        self._courier = courier

    @classmethod
    def name(cls) -> str:
        return "wechat"

    async def unreachable_reason(self, recipient_id: str) -> str | None:
        """Why WeChat would refuse a message to this conversation now; None if it accepts."""
        openid = openid_of(recipient_id)
        now = precise_now()
        if openid is not None and await in_session(
            lambda session: accounts.can_message(session, openid, now)
        ):
            return None
        return wording.WINDOW_CLOSED

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        openid = openid_of(recipient_id)
        if openid is None:
            return
        rendered = render([message])
        if await self.unreachable_reason(recipient_id) is not None:
            # WeChat would refuse it (e.g. the rating question after a handoff that outlasted
            # the window): recorded as failed instead of sent.
            now = precise_now()
            await in_session(
                lambda session: outbox.record_undeliverable(
                    session, openid, rendered.texts, wording.WINDOW_CLOSED, now
                )
            )
            logger.warning("WeChat user %s is outside the 48-hour window: not sent", openid)
            return
        if rendered.choices:
            await in_session(
                lambda session: accounts.remember_choices(session, openid, rendered.choices)
            )
        await self._courier.send_later(openid, rendered.texts)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
