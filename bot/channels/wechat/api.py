"""WeChat's customer-service message API (客服消息) through wechatpy's client.

wechatpy caches the access token and fetches it from a hard-coded address; here the token
comes from the configured API base too (so tests and proxies can stand in for WeChat), every
call has a timeout, and an expired or revoked token is refreshed once and the call repeated.
"""

from __future__ import annotations

from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat.config import WeChatConfig

TIMEOUT_SECONDS = 10.0
# invalid credential, invalid token, expired token: fetch a new token and try once more.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Retrying cannot help: unknown openid, the user's 48-hour window is over, or too many
# messages since the user last wrote.
PERMANENT_ERRORS = frozenset({40003, 45015, 45047})


class SendFailed(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class _TimeoutSession(requests.Session):
    """wechatpy fetches tokens without a timeout; a hung request must not hang a sender."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class CustomerServiceClient(WeChatClient):
    def __init__(self, config: WeChatConfig, timeout: float = TIMEOUT_SECONDS) -> None:
        # auto_retry off: wechatpy would retry token errors without limit.
        super().__init__(config.appid, config.secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = config.api_base
        self._http = _TimeoutSession(timeout)

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def send_text_now(self, openid: str, text: str) -> None:
        """One text to the user (blocking); SendFailed says whether a retry may succeed."""
        try:
            try:
                self.message.send_text(openid, text)
            except WeChatClientException as error:
                if error.errcode not in TOKEN_ERRORS:
                    raise
                self.session.delete(self.access_token_key)
                self.message.send_text(openid, text)
        except WeChatClientException as error:
            code = error.errcode
            raise SendFailed(f"errcode {code}: {error.errmsg}", code in PERMANENT_ERRORS) from None
        except requests.RequestException as error:
            raise SendFailed(f"network: {type(error).__name__}", False) from None
