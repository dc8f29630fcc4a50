"""The WeChat Official Account channel: ``bot.channels.wechat.WeChatInput`` in credentials.yml.

Routes (only when a token is configured; 404 otherwise): ``GET /webhooks/wechat/webhook`` is
WeChat's URL verification, ``POST`` the same URL receives messages and events, plain or in safe
mode. Each WeChat user (openid) is the Rasa conversation ``wx:<openid>``.

WeChat waits 5 s for the answer to a message. When the bot has answered within
``passive_reply_seconds`` the answer is the HTTP response (被动回复); otherwise the response is
"success" at once, and the answer follows through the customer-service API when it is ready
(bot.channels.wechat.delivery), from the outbox, so it is never lost.

Identity: anonymous until the user verifies an order with the buyer's phone tail; the channel
then binds the openid to that customer (table ``wechat_users``) and signs later messages in
with it, until the user sends 「解除绑定」.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.replies import create_reply

from bot.channels.identity import CUSTOMER_ID, trusted_metadata
from bot.channels.wechat import messages, verification, wording
from bot.channels.wechat.api import CustomerServiceClient
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.delivery import Courier
from bot.channels.wechat.messages import Inbound, render, sender_id
from bot.channels.wechat.output import WeChatPushOutput
from bot.channels.wechat.storage import in_session, precise_now
from bot.channels.wechat.verification import Rejected
from bot.resilience.guard import TurnGuard
from bot.security.input_bounds import MAX_MESSAGE_CHARS
from bot.services.wechat import accounts, replays
from bot.services.wechat.evidence import keep_picture

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
VERIFIED_ORDERS = "verified_order_ids"  # the slot the order forms fill (actions.common)
# What "who is chatting" consists of in a conversation; cleared when the user unbinds.
IDENTITY_SLOTS = (CUSTOMER_ID, "customer_name", VERIFIED_ORDERS)
ACK = "success"  # what WeChat expects when there is no passive reply


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(WeChatConfig.from_credentials(credentials))

    def __init__(self, config: WeChatConfig) -> None:
        self.config = config
        self.courier = Courier(CustomerServiceClient(config))
        self._late: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> WeChatPushOutput:
        return WeChatPushOutput(self.courier)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("wechat_webhook", __name__)
        # As on the other customer channels: a failed turn gets a polite reply, a failed
        # hand-over is done in this process (bot.resilience.guard).
        guard = TurnGuard()
        on_new_message = guard.wrap(on_new_message)
        guard.watch(bp)
        sweeper: list[asyncio.Task[None]] = []

        @bp.listener("after_server_start")
        async def start_sweeping(app: Any, loop: Any) -> None:
            if self.config.enabled:
                sweep = self.courier.sweep_forever(self.config.sweep_seconds)
                sweeper.append(asyncio.ensure_future(sweep))

        @bp.listener("before_server_stop")
        async def stop_sweeping(app: Any, loop: Any) -> None:
            for task in sweeper:
                task.cancel()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            self._require_enabled()
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            self._require_enabled()
            try:
                return response.text(verification.echo(self.config, request.args, time.time()))
            except Rejected as rejected:
                return response.text(rejected.reason, status=rejected.status)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self._require_enabled()
            try:
                message, incoming = await self._checked_message(request)
            except Rejected as rejected:
                return response.text(rejected.reason, status=rejected.status)
            if not await self._first_time(incoming.dedupe_key):
                # WeChat's retry of a message already taken in: its answer comes (or came)
                # through the API.
                return response.text(ACK)
            answer = await self._answer(request.app, on_new_message, incoming)
            if not answer:
                return response.text(ACK)
            xml = create_reply(answer, message, render=True)
            if self.config.safe_mode:
                xml = verification.encrypted_reply(self.config, xml, request.args)
            return response.text(xml, content_type="application/xml")

        return bp

    def _require_enabled(self) -> None:
        if not self.config.enabled:
            raise NotFound("the WeChat channel is not configured (WECHAT_TOKEN)")

    async def _checked_message(self, request: Request) -> tuple[Any, Inbound]:
        """The request's message, once it proved to come from WeChat and to be new."""
        verification.check_request_signature(self.config, request.args, time.time())
        xml = verification.message_xml(self.config, request.args, request.body or b"")
        message = verification.parsed(xml)
        incoming = messages.inbound(message)
        if incoming is None:
            raise Rejected(400, "malformed sender")
        if not await self._first_time(verification.replay_key(request.args)):
            raise Rejected(403, "replayed request")
        return message, incoming

    @staticmethod
    async def _first_time(key: str) -> bool:
        now = precise_now()
        try:
            await in_session(lambda session: replays.mark_seen(session, key, now))
        except replays.Replayed:
            return False
        return True

    async def _answer(self, app: Any, on_new_message: OnNewMessage, incoming: Inbound) -> str:
        """The passive answer to the message; "" when there is none (yet)."""
        openid, now = incoming.openid, precise_now()

        def arrive(session: Any) -> int | None:
            accounts.touch(session, openid, now)  # opens WeChat's 48-hour window
            return accounts.bound_customer(session, openid)

        customer_id = await in_session(arrive)
        if incoming.kind == messages.IGNORE:
            return ""
        if incoming.kind == messages.UNHEARD:
            return wording.UNHEARD
        if incoming.kind == messages.UNSUPPORTED:
            return wording.UNSUPPORTED
        if incoming.kind == messages.PICTURE:
            return await self._picture(app, on_new_message, incoming, customer_id)
        text = incoming.text.strip()
        if text in wording.UNBIND_COMMANDS:
            return await self._unbind(app, openid)
        if len(text) > MAX_MESSAGE_CHARS:
            return wording.TOO_LONG.format(limit=MAX_MESSAGE_CHARS)
        choice = await in_session(lambda session: accounts.chosen_payload(session, openid, text))
        return await self._converse(app, on_new_message, openid, choice or text, customer_id)

    async def _converse(
        self, app: Any, on_new_message: OnNewMessage, openid: str, text: str, customer: int | None
    ) -> str:
        turn = asyncio.ensure_future(self._turn(app, on_new_message, openid, text, customer))
        done, _ = await asyncio.wait({turn}, timeout=self.config.passive_reply_seconds)
        if turn in done:
            return "\n\n".join(turn.result())
        # Too slow for a passive reply: answer "success" now, deliver through the API later.
        late = asyncio.ensure_future(self._deliver_late(turn, openid))
        self._late.add(late)
        late.add_done_callback(self._late.discard)
        return ""

    async def _turn(
        self, app: Any, on_new_message: OnNewMessage, openid: str, text: str, customer: int | None
    ) -> list[str]:
        """One message through Rasa; the reply as WeChat texts (after binding, if it verified)."""
        collector = CollectingOutputChannel()
        metadata = trusted_metadata(customer)
        try:
            await on_new_message(
                UserMessage(
                    text, collector, sender_id(openid), input_channel=self.name(), metadata=metadata
                )
            )
        except Exception:  # Rasa logs its own errors; the user simply gets no answer
            logger.exception("WeChat message of %s not handled", openid)
            return []
        rendered = render(collector.messages)
        texts = rendered.texts
        if customer is None and await self._bind_if_verified(app, openid, text):
            texts.append(wording.BOUND)
        await in_session(
            lambda session: accounts.remember_choices(session, openid, rendered.choices)
        )
        return texts

    async def _deliver_late(self, turn: asyncio.Future[list[str]], openid: str) -> None:
        try:
            texts = await turn
            await self.courier.send_later(openid, texts)
        except Exception:
            logger.exception("late answer to WeChat user %s not queued", openid)

    async def _bind_if_verified(self, app: Any, openid: str, text: str) -> bool:
        tracker = await _tracker(app, sender_id(openid))
        verified = list(tracker.get_slot(VERIFIED_ORDERS) or []) if tracker is not None else []
        if not verified:
            return False
        now = precise_now()

        def bind(session: Any) -> bool:
            customer_id = accounts.buyer_of_verified_order(session, verified, text)
            return customer_id is not None and accounts.bind(session, openid, customer_id, now)

        return await in_session(bind)

    async def _unbind(self, app: Any, openid: str) -> str:
        if not await in_session(lambda session: accounts.unbind(session, openid)):
            return wording.NOT_BOUND
        # The conversation forgets who it was talking to as well.
        agent = getattr(app.ctx, "agent", None)
        if agent is not None and agent.tracker_store is not None:
            async with agent.lock_store.lock(sender_id(openid)):
                tracker = await agent.tracker_store.retrieve(sender_id(openid))
                if tracker is not None:
                    for slot in IDENTITY_SLOTS:
                        tracker.update(SlotSet(slot, None))
                    await agent.tracker_store.save(tracker)
        return wording.UNBOUND

    async def _picture(
        self, app: Any, on_new_message: OnNewMessage, incoming: Inbound, customer: int | None
    ) -> str:
        tracker = await _tracker(app, sender_id(incoming.openid))
        verified = list(tracker.get_slot(VERIFIED_ORDERS) or []) if tracker is not None else []
        picture, now = incoming.picture, precise_now()
        assert picture is not None  # a PICTURE always carries one (messages.inbound)
        link = await in_session(
            lambda session: keep_picture(session, picture, customer, verified, now)
        )
        if tracker is not None and tracker.is_paused():
            # A person has the chat: put the picture into the transcript the agent reads
            # (the paused bot only records it).
            transcript_line = f"[图片] {picture.pic_url}"
            await self._turn(app, on_new_message, incoming.openid, transcript_line, customer)
            return ""
        if link.ticket_no:
            return wording.PICTURE_TICKET.format(ticket_no=link.ticket_no)
        if link.order_no:
            return wording.PICTURE_ORDER.format(order_no=link.order_no)
        return wording.PICTURE_UNLINKED


async def _tracker(app: Any, conversation: str) -> DialogueStateTracker | None:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker: DialogueStateTracker | None = await agent.tracker_store.retrieve(conversation)
    return tracker
