"""Is a request really from WeChat, fresh, and readable? (Before anything is stored.)

WeChat signs every request with the token both sides know: ``signature`` = SHA-1 of the sorted
token, timestamp and nonce. In safe mode the body is AES-encrypted with the EncodingAESKey and
carries its own ``msg_signature``. A request older or newer than MAX_SKEW is refused, and within
that window its (signature, timestamp, nonce) may be used once (the caller records
``replay_key``), so a captured request cannot be sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot.channels.wechat.config import WeChatConfig

MAX_SKEW_SECONDS = 300
# A WeChat message is well under 2 KB; anything far larger is not from WeChat.
MAX_BODY_BYTES = 64 * 1024


class Rejected(Exception):
    """The request is refused with `status` (400, 403 or 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _arg(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value or len(value) > 128:
        raise Rejected(400, f"missing or malformed '{name}'")
    return value


def check_request_signature(config: WeChatConfig, args: Mapping[str, Any], now: float) -> None:
    """The URL's signature and its freshness; Rejected when either fails."""
    timestamp = _arg(args, "timestamp")
    signature, nonce = _arg(args, "signature"), _arg(args, "nonce")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Rejected(403, "stale or malformed timestamp")
    try:
        check_signature(config.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Rejected(403, "bad signature") from None


def echo(config: WeChatConfig, args: Mapping[str, Any], now: float) -> str:
    """URL verification (GET): the ``echostr`` back, if the request is signed."""
    check_request_signature(config, args, now)
    return _arg(args, "echostr")


def replay_key(args: Mapping[str, Any]) -> str:
    parts = "|".join(str(args.get(name, "")) for name in ("signature", "timestamp", "nonce"))
    return "req:" + hashlib.sha256(parts.encode()).hexdigest()


def crypto(config: WeChatConfig) -> WeChatCrypto:
    return WeChatCrypto(config.token, config.aes_key, config.appid)


def message_xml(config: WeChatConfig, args: Mapping[str, Any], body: bytes) -> str:
    """The message's plain XML: decrypted and checked in safe mode.

    With an EncodingAESKey configured, plain-text messages are refused: the account is in safe
    mode, and only WeChat can produce the encrypted form.
    """
    if len(body) > MAX_BODY_BYTES:
        raise Rejected(413, "body too large")
    # WeChat never sends a DOCTYPE; refusing one keeps entity tricks away from the XML parser.
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise Rejected(400, "DOCTYPE not allowed")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    encrypted = args.get("encrypt_type") == "aes"
    if encrypted != config.safe_mode:
        raise Rejected(400, "safe mode expected" if config.safe_mode else "safe mode not set up")
    if not encrypted:
        return text
    msg_signature = _arg(args, "msg_signature")
    try:
        plain: str = crypto(config).decrypt_message(
            text, msg_signature, _arg(args, "timestamp"), _arg(args, "nonce")
        )
    except InvalidSignatureException:
        raise Rejected(403, "bad message signature") from None
    except Exception:  # malformed XML, base64 or padding: wechatpy raises many kinds
        raise Rejected(400, "cannot decrypt the message") from None
    return plain


def parsed(xml: str) -> Any:
    """The wechatpy message or event; Rejected (400) for XML that is not a WeChat message."""
    try:
        message = parse_message(xml)
    except Exception:  # expat, missing MsgType, a body that is not <xml>...</xml>
        raise Rejected(400, "not a WeChat message") from None
    if message is None or not isinstance(message.source, str) or not message.source:
        raise Rejected(400, "not a WeChat message")
    return message


def encrypted_reply(config: WeChatConfig, xml: str, args: Mapping[str, Any]) -> str:
    reply: str = crypto(config).encrypt_message(xml, _arg(args, "nonce"), _arg(args, "timestamp"))
    return reply
