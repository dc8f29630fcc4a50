"""WeChat messages in, bot replies out: what the channel makes of each, as plain data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels.wechat import wording
from bot.services.wechat.evidence import Picture

OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SENDER_PREFIX = "wx:"
# A new follower is greeted by the bot's own greeting.
GREETING_PAYLOAD = "/greet"

TEXT = "text"
PICTURE = "picture"
IGNORE = "ignore"  # unsubscribe, link views, ...: nothing to answer
UNHEARD = "unheard"  # a voice message WeChat could not transcribe
UNSUPPORTED = "unsupported"  # video, location, links: say what the bot understands


@dataclass(frozen=True)
class Inbound:
    openid: str
    kind: str
    # Unique per message: WeChat retries a message it got no answer for with the same MsgId
    # (events have none; WeChat's advice is sender + CreateTime).
    dedupe_key: str
    text: str = ""
    picture: Picture | None = None


def sender_id(openid: str) -> str:
    """The Rasa conversation of a WeChat user."""
    return SENDER_PREFIX + openid


def openid_of(sender: str) -> str | None:
    return sender[len(SENDER_PREFIX) :] if sender.startswith(SENDER_PREFIX) else None


def inbound(message: Any) -> Inbound | None:
    """What a parsed wechatpy message asks of the bot; None when its sender is malformed."""
    openid = str(message.source)
    if not OPENID.fullmatch(openid):
        return None
    kind, event = str(message.type), str(getattr(message, "event", "") or "")
    msg_id = int(message.id or 0)
    key = f"msg:{msg_id}" if msg_id else f"evt:{openid}:{message.time}:{event}"
    if kind == "text":
        return Inbound(openid, TEXT, key, text=str(message.content or ""))
    if kind == "voice":
        heard = str(message.recognition or "").strip()
        return Inbound(openid, TEXT if heard else UNHEARD, key, text=heard)
    if kind == "image":
        picture = Picture(
            openid, str(msg_id) if msg_id else None, str(message.media_id), str(message.image)
        )
        return Inbound(openid, PICTURE, key, picture=picture)
    if kind == "event":
        if event.startswith("subscribe") and event != "subscribe_scan_product":
            return Inbound(openid, TEXT, key, text=GREETING_PAYLOAD)
        if event == "click" and message.key:
            # The menu item's key is what the bot receives: a text such as 我的快递到哪了 or an
            # intent payload such as /track_order.
            return Inbound(openid, TEXT, key, text=str(message.key))
        return Inbound(openid, IGNORE, key)
    return Inbound(openid, UNSUPPORTED, key)


@dataclass(frozen=True)
class Rendered:
    """The bot's reply as WeChat texts, and the payloads its numbered choices stand for."""

    texts: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)


def render(messages: Iterable[Mapping[str, Any]]) -> Rendered:
    """Rasa's collected bot messages as WeChat texts. WeChat text has no buttons: they become a
    numbered list, and the user replies with the number (see ``chosen_payload``)."""
    texts: list[str] = []
    choices: list[str] = []
    for message in messages:
        lines = [str(message["text"])] if message.get("text") else []
        buttons = [b for b in message.get("buttons") or [] if b.get("title") and b.get("payload")]
        if buttons:
            lines.append(wording.CHOOSE)
            for button in buttons:
                choices.append(str(button["payload"]))
                lines.append(f"{len(choices)}. {button['title']}")
        for key in ("image", "attachment"):
            if isinstance(message.get(key), str):
                lines.append(str(message[key]))
        if lines:
            texts.append("\n".join(lines))
    return Rendered(texts, choices)
