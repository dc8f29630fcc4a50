"""The channel's settings, from its block in credentials.yml (``${WECHAT_...}`` there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
# WeChat drops a passive reply that takes longer than 5 s (and retries the request): answer
# passively only when the bot has answered by then, with a margin for the network.
PASSIVE_REPLY_SECONDS = 4.0
# How often the outbox is swept for texts whose retry is due.
SWEEP_SECONDS = 30.0


@dataclass(frozen=True)
class WeChatConfig:
    token: str = ""
    appid: str = ""
    secret: str = ""
    # EncodingAESKey (43 characters): set for safe mode (安全模式), when messages are encrypted.
    aes_key: str = ""
    api_base: str = DEFAULT_API_BASE
    passive_reply_seconds: float = PASSIVE_REPLY_SECONDS
    sweep_seconds: float = SWEEP_SECONDS

    @property
    def enabled(self) -> bool:
        """Without a token nobody can sign requests: the channel's routes answer 404."""
        return bool(self.token)

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatConfig:
        """Empty values (an unset variable expands to "") take the defaults."""
        given = {
            key: value for key, value in (credentials or {}).items() if value not in ("", None)
        }
        base = str(given.get("api_base") or DEFAULT_API_BASE)
        return cls(
            token=str(given.get("token", "")),
            appid=str(given.get("appid", "")),
            secret=str(given.get("secret", "")),
            aes_key=str(given.get("aes_key", "")),
            api_base=base if base.endswith("/") else base + "/",
            passive_reply_seconds=float(given.get("passive_reply_seconds", PASSIVE_REPLY_SECONDS)),
            sweep_seconds=float(given.get("sweep_seconds", SWEEP_SECONDS)),
        )
