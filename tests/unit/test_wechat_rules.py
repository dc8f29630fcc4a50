"""The WeChat channel's pure parts: what a message becomes, how replies read, the back-off."""

from __future__ import annotations

from datetime import datetime, timedelta

import wechatpy

from bot.channels.wechat import simulate, wording
from bot.channels.wechat.config import DEFAULT_API_BASE, WeChatConfig
from bot.channels.wechat.messages import (
    IGNORE,
    PICTURE,
    TEXT,
    UNHEARD,
    UNSUPPORTED,
    inbound,
    openid_of,
    render,
    sender_id,
)
from bot.services.wechat.accounts import window_open
from bot.services.wechat.outbox import retry_delay

OPENID = "oUnitTest_123-abc"


def kind_and_text(xml: str) -> tuple[str, str]:
    incoming = inbound(wechatpy.parse_message(xml))
    assert incoming is not None
    return incoming.kind, incoming.text


def test_each_kind_of_wechat_message_becomes_what_the_bot_needs() -> None:
    assert kind_and_text(simulate.text(OPENID, "退款到哪了")) == (TEXT, "退款到哪了")
    assert kind_and_text(simulate.voice(OPENID, "查物流")) == (TEXT, "查物流")
    assert kind_and_text(simulate.voice(OPENID, "")) == (UNHEARD, "")
    assert kind_and_text(simulate.event(OPENID, "subscribe")) == (TEXT, "/greet")
    assert kind_and_text(simulate.event(OPENID, "CLICK", "/track_order")) == (TEXT, "/track_order")
    assert kind_and_text(simulate.event(OPENID, "VIEW", "https://shop"))[0] == IGNORE
    video = simulate.message_xml(OPENID, "video", {"MediaId": "v"}, 1)
    assert kind_and_text(video)[0] == UNSUPPORTED
    picture = inbound(wechatpy.parse_message(simulate.image(OPENID, "http://p/1.jpg", "m1")))
    assert picture is not None and picture.kind == PICTURE
    assert picture.picture is not None and picture.picture.pic_url == "http://p/1.jpg"


def test_a_retried_message_has_the_same_key_and_a_bad_openid_is_refused() -> None:
    xml = simulate.text(OPENID, "同一条")
    first, again = (inbound(wechatpy.parse_message(xml)) for _ in range(2))
    assert first is not None and again is not None and first.dedupe_key == again.dedupe_key
    assert inbound(wechatpy.parse_message(simulate.text("o<script>", "x"))) is None


def test_conversation_ids_round_trip() -> None:
    assert openid_of(sender_id(OPENID)) == OPENID
    assert openid_of("socket-session") is None


def test_buttons_become_a_numbered_list_across_messages() -> None:
    rendered = render(
        [
            {"text": "请问是哪一个订单呢？", "buttons": [{"title": "耳机", "payload": "/a"}]},
            {"text": "或者", "buttons": [{"title": "跑鞋", "payload": "/b"}]},
            {"image": "http://img/1.png"},
        ]
    )
    assert rendered.texts == [
        f"请问是哪一个订单呢？\n{wording.CHOOSE}\n1. 耳机",
        f"或者\n{wording.CHOOSE}\n2. 跑鞋",
        "http://img/1.png",
    ]
    assert rendered.choices == ["/a", "/b"]


def test_retries_back_off_exponentially_up_to_five_minutes() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 13)]
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(delays) == 300 and delays == sorted(delays)


def test_the_48_hour_window() -> None:
    now = datetime(2026, 12, 1, 12, 0)
    assert window_open(now - timedelta(hours=47, minutes=59), now)
    assert not window_open(now - timedelta(hours=48), now)
    assert not window_open(None, now)


def test_unset_credentials_leave_the_channel_off_with_the_real_api() -> None:
    config = WeChatConfig.from_credentials({"token": "", "aes_key": "", "api_base": ""})
    assert not config.enabled and not config.safe_mode and config.api_base == DEFAULT_API_BASE
    on = WeChatConfig.from_credentials({"token": "t", "api_base": "http://127.0.0.1:9/cgi-bin"})
    assert on.enabled and on.api_base == "http://127.0.0.1:9/cgi-bin/"
