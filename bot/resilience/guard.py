"""A customer channel's message handler that never leaves the customer without an answer.

Rasa 3.6 swallows two failures without telling the customer:

- the tracker store (database) or the lock store (Redis) is down: ``Agent.handle_message``
  raises (for the tracker store once bot.resilience.tracker_store stops Rasa from answering
  from an empty in-memory conversation), and Rasa's REST channel answers ``[]`` while the
  socket.io channel says nothing;
- the action server is down or restarting: the processor logs the failed action, drops its
  events and carries on, so 「转人工」 gets no reply and no hand-over, and other requests may
  get no reply at all.

``TurnGuard.wrap`` wraps the ``on_new_message`` Rasa gives a channel's blueprint. An exception
becomes a polite "please send it again". After a turn that sent nothing, it reads the turn back
from the tracker store (under the conversation's lock): a hand-over that did not run is run in
this process (bot.resilience.in_process), pausing the conversation and opening the case; any
other silent turn gets the domain's ``utter_default`` ("系统刚刚开小差了…可以说「转人工」").
Turns that sent something cost nothing extra.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.actions.action import ActionBotResponse
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic

from bot.handoff.escalation import HANDOFF_ACTION
from bot.resilience.in_process import (
    InProcessActionEndpoint,
    hand_over_in_process,
    handoff_endpoint,
)
from bot.resilience.tracker_store import fail_loudly
from bot.resilience.turn_outcome import answered, failed_handoff_at, listening, turn_span

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

# The tracker store could not be read or written: nothing of the message was kept.
OUTAGE_REPLY = (
    "抱歉，系统刚刚开小差了，小优没能记下您刚才的消息 🙏 请稍等一两分钟再发一次；"
    "您之前说的内容都还在。"
)
# What a silent turn says (domain.yml; it invites the customer to retry or ask for a person).
SILENT_TURN_RESPONSE = "utter_default"
# Recorded as the policy of a hand-over this module ran, so the tracker tells how it happened.
IN_PROCESS_HANDOFF = "in_process_handoff"


class WatchedOutput(OutputChannel):
    """The channel's output channel, counting what the bot sends through it.

    Every sending method is passed on to the inner channel's own (not to this class's
    inherited ones, which would raise for the kinds a channel does not implement), so whatever
    a caller uses — ``send_response`` or ``send_text_message`` directly — behaves as before.
    """

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:
        return str(self.inner.name())

    def __getattr__(self, name: str) -> Any:
        # What a channel adds of its own (CollectingOutputChannel.messages, a socket's sid …).
        return getattr(self.inner, name)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_quick_replies(recipient_id, text, quick_replies, **kwargs)

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)


class TurnGuard:
    """One per channel blueprint: ``blueprint = super().blueprint(guard.wrap(on_new_message))``
    then ``guard.watch(blueprint)`` (the guard needs the app for Rasa's agent)."""

    def __init__(self) -> None:
        self._app: Sanic | None = None
        self._endpoint: InProcessActionEndpoint | None = None

    def watch(self, blueprint: Blueprint) -> None:
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self._app = app

        blueprint.listener("before_server_start")(remember_app)

    def wrap(self, on_new_message: Handler) -> Handler:
        async def handle(message: UserMessage) -> None:
            output = WatchedOutput(message.output_channel)
            message.output_channel = output
            fail_loudly(self._agent())
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("message of %s not handled; telling them", message.sender_id)
                await output.send_response(message.sender_id, {"text": OUTAGE_REPLY})
                return
            if output.sent:
                return
            try:
                await self._settle(message, output)
            except Exception:
                logger.exception("could not check the turn of %s", message.sender_id)

        return handle

    def _agent(self) -> Any:
        """Rasa's agent (None until the model is loaded); read for every message, because
        loading another model replaces it."""
        return getattr(self._app.ctx, "agent", None) if self._app else None

    async def _settle(self, message: UserMessage, output: OutputChannel) -> None:
        agent = self._agent()
        processor = getattr(agent, "processor", None)
        if agent is None or processor is None:
            return
        async with agent.lock_store.lock(message.sender_id):
            tracker = await processor.get_tracker(message.sender_id)
            events = [event.as_dict() for event in tracker.events]
            span = turn_span(events, message.message_id)
            if span is None or tracker.is_paused():
                return  # a paused chat is the agent's: the bot rightly says nothing
            if answered(events, span):
                return
            new = await self._hand_over(processor, tracker, failed_handoff_at(events, span), output)
            if not new:
                new = await ActionBotResponse(SILENT_TURN_RESPONSE).run(
                    output, processor.nlg, tracker, processor.domain
                )
                if not listening(events):
                    new.append(ActionExecuted(ACTION_LISTEN_NAME))
            tracker.update_with_events(new, processor.domain)
            await processor.execute_side_effects(new, tracker, output)
            await processor.save_tracker(tracker)

    async def _hand_over(
        self,
        processor: Any,
        tracker: DialogueStateTracker,
        failed_at: int | None,
        output: OutputChannel,
    ) -> list[Event]:
        """The events of the hand-over run here for a turn whose ``action_handoff`` failed;
        [] when there was none, or when it fails here too (the turn then gets the apology)."""
        if failed_at is None:
            return []
        logger.warning("action_handoff failed for %s: handing over in process", tracker.sender_id)
        # The action sees the conversation as Rasa sent it to the action server: up to the
        # failed action_handoff, which would otherwise open a new escalation window and hide
        # the reasons (a legal threat, anger) the case records.
        before = DialogueStateTracker.from_events(
            tracker.sender_id,
            list(tracker.events)[:failed_at],
            slots=processor.domain.slots,
            domain=processor.domain,
        )
        self._endpoint = self._endpoint or handoff_endpoint()
        try:
            events = await hand_over_in_process(
                self._endpoint, before, output, processor.nlg, processor.domain
            )
        except Exception:
            logger.exception("in-process hand-over failed for %s", tracker.sender_id)
            return []
        executed = ActionExecuted(HANDOFF_ACTION, policy=IN_PROCESS_HANDOFF, confidence=1.0)
        return [executed, *events]
