"""WeChat's side of the callback protocol: messages as WeChat's servers send them, signed (and
encrypted in safe mode) with the account's token and EncodingAESKey, and their replies opened.

For scripts/wechat_sim.py and the tests: the channel never imports it. Signing and encryption
are wechatpy's own, so what passes here passes with WeChat.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.replies import deserialize_reply

from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.verification import crypto

ACCOUNT = "gh_kefu_demo"  # the Official Account's own id (ToUserName)


def message_xml(openid: str, msg_type: str, fields: Mapping[str, Any], msg_id: int | None) -> str:
    """A message from `openid` as WeChat pushes it (XML under <xml>, CreateTime in seconds)."""
    body: dict[str, Any] = {
        "ToUserName": ACCOUNT,
        "FromUserName": openid,
        "CreateTime": int(time.time()),
        "MsgType": msg_type,
        **fields,
    }
    if msg_id is not None:
        body["MsgId"] = msg_id
    xml: str = xmltodict.unparse({"xml": body}, full_document=False)
    return xml


def new_msg_id() -> int:
    return secrets.randbelow(10**18) + 10**18


def text(openid: str, content: str) -> str:
    return message_xml(openid, "text", {"Content": content}, new_msg_id())


def voice(openid: str, recognition: str) -> str:
    fields = {
        "MediaId": "voice-" + secrets.token_hex(4),
        "Format": "amr",
        "Recognition": recognition,
    }
    return message_xml(openid, "voice", fields, new_msg_id())


def image(openid: str, pic_url: str, media_id: str) -> str:
    return message_xml(openid, "image", {"PicUrl": pic_url, "MediaId": media_id}, new_msg_id())


def event(openid: str, name: str, key: str = "") -> str:
    fields = {"Event": name, **({"EventKey": key} if key else {})}
    return message_xml(openid, "event", fields, None)


@dataclass(frozen=True)
class SignedRequest:
    params: dict[str, str]
    body: bytes


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def url_params(
    token: str, timestamp: str | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The query WeChat signs every callback with."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def signed(config: WeChatConfig, xml: str, openid: str) -> SignedRequest:
    """A POST as WeChat sends it: plain, or encrypted with msg_signature in safe mode."""
    params = {**url_params(config.token), "openid": openid}
    if not config.safe_mode:
        return SignedRequest(params, xml.encode())
    envelope = xmltodict.parse(
        crypto(config).encrypt_message(xml, params["nonce"], params["timestamp"])
    )["xml"]
    params |= {"encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
    body = xmltodict.unparse(
        {"xml": {"ToUserName": ACCOUNT, "Encrypt": envelope["Encrypt"]}}, full_document=False
    )
    return SignedRequest(params, body.encode())


def reply_text(config: WeChatConfig, body: str) -> str | None:
    """The text of a passive reply; None for WeChat's "success" (no passive reply)."""
    if body in ("", "success"):
        return None
    if config.safe_mode:
        envelope = xmltodict.parse(body)["xml"]
        body = crypto(config).decrypt_message(
            body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )
    content: str = deserialize_reply(body).content
    return content
