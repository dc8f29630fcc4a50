"""The console's side of a Rasa conversation: read it, speak into it, hand it back to the bot.

The tracker store is the one record of a chat: while the bot is paused Rasa still logs every
customer message there, so the console reads the transcript from it (nothing is lost when the
server restarts), and agent messages are written there as ``bot`` events carrying
``{"agent": <display name>}`` metadata, so they are part of the conversation the bot sees after
it resumes. Writes take Rasa's per-conversation lock, the one ``Agent.handle_message`` holds,
so an agent message and a customer message arriving together cannot overwrite each other.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel
from rasa.shared.core.events import BotUttered, ConversationResumed
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff.console.http import ApiError

logger = logging.getLogger(__name__)

SATISFACTION_ACTION = "action_ask_satisfaction"
SOCKETIO = "socketio"
WECHAT = "wechat"
# Channels whose customers can be reached outside a turn of their own.
LIVE_CHANNELS = frozenset({SOCKETIO, WECHAT})


class ConversationMissing(LookupError):
    """The tracker store has no conversation under this sender id."""


def rasa_agent(app: Any) -> Any:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or getattr(agent, "tracker_store", None) is None:
        # Rasa sets app.ctx.agent once the model is loaded; before that there is no store.
        raise ConversationMissing("the assistant is still starting")
    return agent


@contextlib.asynccontextmanager
async def conversation_lock(agent: Any, sender_id: str) -> AsyncIterator[None]:
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is None:
        yield
        return
    async with lock_store.lock(sender_id):
        yield


async def load_tracker(agent: Any, sender_id: str) -> DialogueStateTracker:
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        raise ConversationMissing(sender_id)
    return tracker


async def load_events(app: Any, sender_id: str) -> list[dict[str, Any]]:
    """The conversation's events (current session) as dicts; [] if it is not stored."""
    try:
        tracker = await load_tracker(rasa_agent(app), sender_id)
    except ConversationMissing:
        return []
    return [event.as_dict() for event in tracker.events]


def _live_output(app: Any, name: str) -> OutputChannel | None:
    for channel in getattr(app.ctx, "input_channels", None) or []:
        if channel.name() == name:
            output: OutputChannel | None = channel.get_output_channel()
            return output
    return None


def output_channel_for(app: Any, tracker: DialogueStateTracker) -> OutputChannel | None:
    """The customer's live channel: the widget's socket.io room, WeChat's customer-service
    API (bot.channels.wechat), or None for REST customers.

    A REST customer has no connection to push to; what the bot or the agent says is still in
    the tracker, so it shows in the transcript.
    """
    channel = tracker.get_latest_input_channel()
    if channel in LIVE_CHANNELS:
        return _live_output(app, channel)
    return None


async def unreachable_reason(output: OutputChannel | None, sender_id: str) -> str | None:
    """Why the customer's channel would refuse a message now (WeChat's 48-hour window)."""
    check = getattr(output, "unreachable_reason", None)
    return await check(sender_id) if check is not None else None


async def unreachable_notice(app: Any, sender_id: str, events: list[dict[str, Any]]) -> str | None:
    """What the console shows when the customer can no longer be messaged; `events` are the
    conversation's (load_events), whose latest user message tells the channel."""
    channels = [e.get("input_channel") for e in events if e.get("event") == "user"]
    if not channels or channels[-1] not in LIVE_CHANNELS:
        return None
    return await unreachable_reason(_live_output(app, str(channels[-1])), sender_id)


def widget_text(agent_name: str, text: str) -> str:
    """How an agent's message looks in the customer's widget: clearly from a person."""
    return f"人工客服{agent_name}：{text}"


async def send_agent_message(app: Any, sender_id: str, text: str, agent_name: str) -> float:
    """Store the agent's message in the conversation and push it to the customer; its timestamp.

    Refused (409) when the customer's channel no longer accepts messages (WeChat, 48 hours).
    """
    agent = rasa_agent(app)
    async with conversation_lock(agent, sender_id):
        tracker = await load_tracker(agent, sender_id)
        output = output_channel_for(app, tracker)
        reason = await unreachable_reason(output, sender_id)
        if reason is not None:
            raise ApiError(409, "unreachable", reason)
        event = BotUttered(text, metadata={"agent": agent_name})
        tracker.update(event)
        await agent.tracker_store.save(tracker)
    if output is not None:
        try:
            await output.send_text_message(sender_id, widget_text(agent_name, text))
        except Exception:  # the message is stored; a dropped socket must not fail the agent
            logger.warning("agent message stored but not pushed to %s", sender_id, exc_info=True)
    return float(event.timestamp)


async def is_paused(app: Any, sender_id: str) -> bool:
    try:
        tracker = await load_tracker(rasa_agent(app), sender_id)
    except ConversationMissing:
        return False
    return tracker.is_paused()


async def resume_conversation(app: Any, sender_id: str) -> bool:
    """Give the chat back to the bot, which then asks the customer for a rating.

    True when the rating question went out. The hand-back itself is what matters: if the
    action server is down the bot still answers the customer's next message, so a failure to
    ask is logged and reported, not raised.
    """
    agent = rasa_agent(app)
    async with conversation_lock(agent, sender_id):
        tracker = await load_tracker(agent, sender_id)
        if tracker.is_paused():
            tracker.update(ConversationResumed())
            await agent.tracker_store.save(tracker)
        output = output_channel_for(app, tracker) or CollectingOutputChannel()
        # The processor stores the action's replies as bot events in the tracker; with the
        # collecting channel (REST customers) that record is all there is.
        try:
            await agent.execute_action(sender_id, SATISFACTION_ACTION, output, None, None)
        except Exception:
            logger.warning("conversation %s resumed, rating not asked", sender_id, exc_info=True)
            return False
    return True
