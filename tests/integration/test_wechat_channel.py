"""The WeChat channel served in-process against a local fake of WeChat's API.

Requests are built, signed and encrypted with wechatpy's own code (bot.channels.wechat.simulate),
as WeChat's servers would send them. The bot is a stand-in that echoes (optionally slowly), so
each test here is about the channel: signatures, safe mode, replays, passive versus
customer-service replies, retries, the outbox. The real assistant is in tests/e2e.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy import select

from bot.channels.wechat import WeChatInput, simulate, wording
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.storage import precise_now
from bot.db.models_wechat import FAILED, SENT, WeChatEvidence, WeChatOutboxMessage, WeChatUser
from bot.db.session import session_scope
from tests.threaded_sanic import ThreadedSanicServer
from tests.wechat_fake import APPID, SECRET, FakeWeChatApi

TOKEN = "integration-wechat-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WEBHOOK = "/webhooks/wechat/webhook"


class EchoBot:
    """Stands in for Rasa's message handler: answers 收到：<text>, after `delay` seconds."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        reply: dict[str, Any] = {"text": f"收到：{message.text}"}
        if message.text == "选尺码":
            reply["buttons"] = [
                {"title": "M码", "payload": '/inform{"size":"M"}'},
                {"title": "L码", "payload": '/inform{"size":"L"}'},
            ]
        await message.output_channel.send_response(message.sender_id, reply)


@pytest.fixture(scope="module")
def database(module_store_url: str) -> str:
    return module_store_url


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeWeChatApi]:
    fake = FakeWeChatApi().start()
    yield fake
    fake.stop()


class Served:
    def __init__(self, config: WeChatConfig, name: str) -> None:
        self.config = config
        self.bot = EchoBot()
        self.channel = WeChatInput(config)
        app = Sanic(name)
        app.blueprint(self.channel.blueprint(self.bot), url_prefix="/webhooks/wechat")
        self.server = ThreadedSanicServer(app, name=name)

    def post(self, request: simulate.SignedRequest) -> requests.Response:
        return requests.post(
            self.server.url(WEBHOOK), params=request.params, data=request.body, timeout=10
        )

    def say(self, openid: str, xml: str) -> str | None:
        """The passive reply's text to a message (None for "success")."""
        answer = self.post(simulate.signed(self.config, xml, openid))
        assert answer.status_code == 200, answer.text
        return simulate.reply_text(self.config, answer.text)


def _served(database: str, fake: FakeWeChatApi, name: str, aes_key: str = "") -> Iterator[Served]:
    config = WeChatConfig(
        token=TOKEN,
        appid=APPID,
        secret=SECRET,
        aes_key=aes_key,
        api_base=fake.base,
        passive_reply_seconds=0.5,
        sweep_seconds=0.2,
    )
    served = Served(config, name)
    served.server.start()
    yield served
    served.server.stop()


@pytest.fixture(scope="module")
def plain(database: str, fake_api: FakeWeChatApi) -> Iterator[Served]:
    yield from _served(database, fake_api, "wechat_plain")


@pytest.fixture(scope="module")
def safe(database: str, fake_api: FakeWeChatApi) -> Iterator[Served]:
    yield from _served(database, fake_api, "wechat_safe", aes_key=AES_KEY)


@pytest.fixture
def openid() -> str:
    return "o" + secrets.token_hex(12)


@pytest.fixture(autouse=True)
def reset_bot(plain: Served, safe: Served, fake_api: FakeWeChatApi) -> None:
    for served in (plain, safe):
        served.bot.delay = 0.0
    fake_api.fail_next(0)


def outbox_of(database: str, openid: str) -> list[WeChatOutboxMessage]:
    with session_scope(database) as session:
        query = select(WeChatOutboxMessage).where(WeChatOutboxMessage.openid == openid)
        return list(session.execute(query.order_by(WeChatOutboxMessage.id)).scalars())


def wait_for_outbox(database: str, openid: str, status: str) -> WeChatOutboxMessage:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = outbox_of(database, openid)
        if rows and all(row.status == status for row in rows):
            return rows[-1]
        time.sleep(0.1)
    raise AssertionError([(r.status, r.last_error) for r in outbox_of(database, openid)])


# --------------------------------------------------------------------------- verification


def test_url_verification_echoes_only_a_signed_fresh_request(plain: Served) -> None:
    url = plain.server.url(WEBHOOK)
    good = {**simulate.url_params(TOKEN), "echostr": "4021157871738519"}
    assert requests.get(url, params=good, timeout=10).text == "4021157871738519"
    forged = {**simulate.url_params("not-the-token"), "echostr": "1"}
    assert requests.get(url, params=forged, timeout=10).status_code == 403
    stale = {**simulate.url_params(TOKEN, timestamp=str(int(time.time()) - 3600)), "echostr": "1"}
    assert requests.get(url, params=stale, timeout=10).status_code == 403
    assert requests.get(url, params={"echostr": "1"}, timeout=10).status_code == 400


def test_plain_text_is_answered_passively_as_the_users_own_conversation(
    plain: Served, openid: str
) -> None:
    assert plain.say(openid, simulate.text(openid, "你好")) == "收到：你好"
    message = plain.bot.received[-1]
    assert (message.sender_id, message.input_channel) == (f"wx:{openid}", "wechat")
    assert message.metadata == {}  # anonymous until bound


def test_safe_mode_decrypts_and_encrypts(safe: Served, openid: str) -> None:
    assert safe.say(openid, simulate.text(openid, "在吗")) == "收到：在吗"
    # In safe mode a plain message is refused, and so is a body whose msg_signature is wrong.
    plain_config = WeChatConfig(token=TOKEN, appid=APPID)
    assert (
        safe.post(simulate.signed(plain_config, simulate.text(openid, "x"), openid)).status_code
        == 400
    )
    request = simulate.signed(safe.config, simulate.text(openid, "x"), openid)
    request.params["msg_signature"] = "0" * 40
    assert safe.post(request).status_code == 403


def test_forged_or_malformed_requests_are_refused(plain: Served, openid: str) -> None:
    forged = WeChatConfig(token="guessed-token")
    assert (
        plain.post(simulate.signed(forged, simulate.text(openid, "hi"), openid)).status_code == 403
    )
    for body, status in [
        (b"not xml at all", 400),
        (b"<xml><Content>no type</Content></xml>", 400),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>text</MsgType></xml>', 400),
        (b"<xml>" + b"a" * 70_000 + b"</xml>", 413),
    ]:
        request = simulate.SignedRequest(simulate.url_params(TOKEN), body)
        assert plain.post(request).status_code == status, body[:40]
    bad_openid = simulate.text("o'; drop table--", "hi")
    assert plain.post(simulate.signed(plain.config, bad_openid, "x")).status_code == 400
    assert not any(m.text == "hi" for m in plain.bot.received)


def test_replays_are_refused_and_retries_not_processed_twice(plain: Served, openid: str) -> None:
    xml = simulate.text(openid, "重复的消息")
    request = simulate.signed(plain.config, xml, openid)
    assert plain.post(request).status_code == 200
    # The very same signed request again: a replay.
    assert plain.post(request).status_code == 403
    # The same message (MsgId) signed afresh, as WeChat retries it: acknowledged, not handled.
    retry = plain.post(simulate.signed(plain.config, xml, openid))
    assert (retry.status_code, retry.text) == (200, "success")
    assert sum(m.text == "重复的消息" for m in plain.bot.received) == 1


# --------------------------------------------------------------------------- replies


def test_slow_answer_arrives_through_the_customer_service_api(
    plain: Served, fake_api: FakeWeChatApi, database: str, openid: str
) -> None:
    plain.bot.delay = 4.0  # far longer than passive_reply_seconds
    started = time.monotonic()
    assert plain.say(openid, simulate.text(openid, "慢一点的问题")) is None
    # "success" long before the answer exists, as WeChat needs (a bound relative to the answer's
    # delay, not a speed target: a loaded machine may take a second to serve the request)
    assert time.monotonic() - started < plain.bot.delay
    assert fake_api.wait_for_texts(openid, 1) == ["收到：慢一点的问题"]
    row = wait_for_outbox(database, openid, SENT)
    assert row.attempts == 1 and row.sent_at is not None


def test_api_errors_are_retried_and_an_expired_token_refreshed(
    plain: Served, fake_api: FakeWeChatApi, database: str, openid: str
) -> None:
    plain.bot.delay = 1.0
    fetches_before = fake_api.token_fetches
    fake_api.expire_token()
    fake_api.fail_next(2)
    assert plain.say(openid, simulate.text(openid, "系统繁忙也要送到")) is None
    assert fake_api.wait_for_texts(openid, 1) == ["收到：系统繁忙也要送到"]
    row = wait_for_outbox(database, openid, SENT)
    assert row.attempts == 3  # two "system error" answers, then through
    assert fake_api.token_fetches > fetches_before


def test_a_message_wechat_refuses_for_good_is_kept_as_failed(
    plain: Served, fake_api: FakeWeChatApi, database: str, openid: str
) -> None:
    fake_api.closed_windows.add(openid)
    plain.bot.delay = 1.0
    plain.say(openid, simulate.text(openid, "发不出去的回复"))
    row = wait_for_outbox(database, openid, FAILED)
    assert row.text == "收到：发不出去的回复" and "45015" in str(row.last_error)
    assert fake_api.texts_to(openid) == []


def test_buttons_become_numbered_choices(plain: Served, openid: str) -> None:
    reply = plain.say(openid, simulate.text(openid, "选尺码")) or ""
    assert wording.CHOOSE in reply and "1. M码" in reply and "2. L码" in reply
    plain.say(openid, simulate.text(openid, "2"))
    assert plain.bot.received[-1].text == '/inform{"size":"L"}'


def test_voice_events_and_other_kinds(plain: Served, database: str, openid: str) -> None:
    assert plain.say(openid, simulate.voice(openid, "我的快递到哪了")) == "收到：我的快递到哪了"
    assert plain.say(openid, simulate.voice(openid, "")) == wording.UNHEARD
    assert plain.say(openid, simulate.event(openid, "subscribe")) == "收到：/greet"
    assert plain.say(openid, simulate.event(openid, "CLICK", "查物流")) == "收到：查物流"
    assert plain.say(openid, simulate.event(openid, "unsubscribe")) is None
    location = simulate.message_xml(openid, "location", {"Label": "杭州"}, simulate.new_msg_id())
    assert plain.say(openid, location) == wording.UNSUPPORTED
    assert plain.say(openid, simulate.text(openid, "解除绑定")) == wording.NOT_BOUND


def test_a_picture_of_an_anonymous_user_is_kept_unlinked(
    plain: Served, database: str, openid: str
) -> None:
    xml = simulate.image(openid, "http://mmbiz.qpic.cn/crack.jpg", "media-1")
    assert plain.say(openid, xml) == wording.PICTURE_UNLINKED
    with session_scope(database) as session:
        evidence = session.execute(
            select(WeChatEvidence).where(WeChatEvidence.openid == openid)
        ).scalar_one()
        assert (evidence.media_id, evidence.ticket_id, evidence.order_id) == ("media-1", None, None)


def test_agent_messages_respect_the_48_hour_window(
    plain: Served, fake_api: FakeWeChatApi, database: str, openid: str
) -> None:
    plain.say(openid, simulate.text(openid, "你好"))
    output = plain.channel.get_output_channel()
    assert plain.server.run(output.unreachable_reason(f"wx:{openid}")) is None
    plain.server.run(output.send_text_message(f"wx:{openid}", "人工客服小王：您好"))
    assert fake_api.wait_for_texts(openid, 1) == ["人工客服小王：您好"]
    with session_scope(database) as session:
        user = session.get(WeChatUser, openid)
        user.last_interaction_at = precise_now() - timedelta(hours=49)
    reason = plain.server.run(output.unreachable_reason(f"wx:{openid}"))
    assert reason == wording.WINDOW_CLOSED
    # Pushed anyway (the bot's rating question after a long handoff): kept, not sent.
    plain.server.run(output.send_text_message(f"wx:{openid}", "请为本次服务打分"))
    assert [row.status for row in outbox_of(database, openid)] == [SENT, FAILED]
    assert fake_api.texts_to(openid) == ["人工客服小王：您好"]


def test_without_a_token_the_channel_is_not_there(database: str, fake_api: FakeWeChatApi) -> None:
    off = Served(WeChatConfig(api_base=fake_api.base), "wechat_off")
    off.server.start()
    try:
        params = {**simulate.url_params(""), "echostr": "1"}
        assert requests.get(off.server.url(WEBHOOK), params=params, timeout=10).status_code == 404
        assert requests.post(off.server.url(WEBHOOK), data=b"<xml/>", timeout=10).status_code == 404
    finally:
        off.server.stop()
