"""The real assistant behind the WeChat channel, in safe mode, against a fake of WeChat's API.

One action server and Rasa server with WECHAT_* set (credentials.yml's channel switched on), a
local fake of the customer-service API, and a proxy that can slow the action server down. The
requests are signed and encrypted with wechatpy, as WeChat sends them. Covered: URL
verification, refused requests, the passive answer, identity binding and unbinding, a picture
filed with the after-sale ticket, a slow answer through the API, and a full handoff in which the
agent's reply reaches WeChat and WeChat's 48-hour window closes the chat for the agent.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.channels.wechat import simulate, wording
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.storage import precise_now
from bot.db.models import AfterSaleTicket, Order
from bot.db.models_handoff import HandoffCase
from bot.db.models_wechat import FAILED, WeChatEvidence, WeChatOutboxMessage, WeChatUser
from bot.db.session import dispose_engines, session_scope
from bot.demo.seed import seed
from tests.live_assistant import Assistant, free_port, running_assistant
from tests.wechat_fake import APPID, SECRET, DelayingProxy, FakeWeChatApi

TOKEN = "e2e-wechat-token"
AES_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
# 王晓明 (demo customer 1, phone 13812341234): an order on its way, and an open return.
ORDER_IN_TRANSIT = "926111453460400021"
PHONE_TAIL = "1234"
CUSTOMER = 1


class WeChat:
    """WeChat's servers, as far as the test needs them: push a user's message, read the reply."""

    def __init__(self, assistant: Assistant, fake: FakeWeChatApi, proxy: DelayingProxy) -> None:
        self.assistant, self.fake, self.proxy = assistant, fake, proxy
        self.config = WeChatConfig(token=TOKEN, appid=APPID, aes_key=AES_KEY)
        self.url = f"{assistant.url}/webhooks/wechat/webhook"

    def post(self, request: simulate.SignedRequest) -> requests.Response:
        return requests.post(self.url, params=request.params, data=request.body, timeout=30)

    def push(self, openid: str, xml: str) -> tuple[str | None, float]:
        """The passive reply to a message (None for "success") and how long it took."""
        started = time.monotonic()
        answer = self.post(simulate.signed(self.config, xml, openid))
        assert answer.status_code == 200, answer.text
        return simulate.reply_text(self.config, answer.text), time.monotonic() - started

    def say(self, openid: str, text: str) -> str:
        reply, _ = self.push(openid, simulate.text(openid, text))
        assert reply, f"no passive reply to {text!r}"
        return reply


@pytest.fixture(scope="module")
def wechat(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChat]:
    directory = tmp_path_factory.mktemp("wechat-assistant")
    url = f"sqlite:///{directory / 'kefu-wechat.db'}"
    seed(url)
    fake = FakeWeChatApi().start()
    action_port = free_port()
    proxy = DelayingProxy(f"http://127.0.0.1:{action_port}/webhook").start()
    env = {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_API_BASE": fake.base,
        "ACTION_SERVER_URL": proxy.url,
    }
    try:
        with running_assistant(trained_model, url, directory / "logs", env, action_port) as live:
            yield WeChat(live, fake, proxy)
    finally:
        proxy.stop()
        fake.stop()
        dispose_engines()


@pytest.fixture
def openid() -> str:
    return "o" + secrets.token_hex(12)


def test_only_requests_signed_with_the_token_get_in(wechat: WeChat, openid: str) -> None:
    params = {**simulate.url_params(TOKEN), "echostr": "7391024"}
    assert requests.get(wechat.url, params=params, timeout=30).text == "7391024"
    forged = WeChatConfig(token="guessed", appid=APPID, aes_key=AES_KEY)
    xml = simulate.text(openid, "你好")
    assert wechat.post(simulate.signed(forged, xml, openid)).status_code == 403
    plain = WeChatConfig(token=TOKEN, appid=APPID)  # the account is in safe mode
    assert wechat.post(simulate.signed(plain, xml, openid)).status_code == 400
    request = simulate.signed(wechat.config, xml, openid)
    assert wechat.post(request).status_code == 200
    assert wechat.post(request).status_code == 403  # replayed


def test_a_greeting_is_answered_passively_in_the_users_conversation(
    wechat: WeChat, openid: str
) -> None:
    reply, took = wechat.push(openid, simulate.text(openid, "你好"))
    assert reply and "小优" in reply and took < 5
    tracker = wechat.assistant.tracker(f"wx:{openid}")
    user_events = [e for e in tracker["events"] if e["event"] == "user"]
    assert user_events[-1]["input_channel"] == "wechat"


def test_verifying_an_order_binds_the_account_and_unbinding_forgets_it(
    wechat: WeChat, openid: str
) -> None:
    wechat.say(openid, f"{ORDER_IN_TRANSIT}到哪了")
    answer = wechat.say(openid, PHONE_TAIL)
    assert wording.BOUND in answer
    with session_scope(wechat.assistant.database_url) as session:
        assert session.get(WeChatUser, openid).customer_id == CUSTOMER

    # Signed in now: a picture goes with the customer's open after-sale ticket.
    xml = simulate.image(openid, "http://mmbiz.qpic.cn/torn-seam.jpg", "media-e2e")
    reply, _ = wechat.push(openid, xml)
    with session_scope(wechat.assistant.database_url) as session:
        evidence = session.execute(
            select(WeChatEvidence).where(WeChatEvidence.openid == openid)
        ).scalar_one()
        ticket = session.get(AfterSaleTicket, evidence.ticket_id)
        assert session.get(Order, ticket.order_id).customer_id == CUSTOMER
        assert reply == wording.PICTURE_TICKET.format(ticket_no=ticket.ticket_no)

    assert wechat.say(openid, "解除绑定") == wording.UNBOUND
    with session_scope(wechat.assistant.database_url) as session:
        assert session.get(WeChatUser, openid).customer_id is None
    slots = wechat.assistant.tracker(f"wx:{openid}")["slots"]
    assert slots["customer_id"] is None and not slots["verified_order_ids"]


def test_a_slow_answer_comes_through_the_customer_service_api(wechat: WeChat, openid: str) -> None:
    wechat.proxy.delay = 5.0  # every action call: the bot needs well over 5 s
    try:
        reply, took = wechat.push(openid, simulate.text(openid, "我的快递到哪了"))
    finally:
        wechat.proxy.delay = 0.0
    assert reply is None and took < 5  # "success" in time, so WeChat does not retry
    texts = wechat.fake.wait_for_texts(openid, 1, timeout=60)
    assert any("订单号" in text for text in texts)  # asks which order, as it would passively


def _login(wechat: WeChat) -> requests.Session:
    http = requests.Session()
    login = {"username": "agent01", "password": "kefu-demo-1"}
    answer = http.post(f"{wechat.assistant.url}/webhooks/agent/api/login", json=login, timeout=30)
    assert answer.status_code == 200, answer.text
    return http


def _case_of(wechat: WeChat, openid: str) -> int:
    with session_scope(wechat.assistant.database_url) as session:
        query = select(HandoffCase.id).where(HandoffCase.sender_id == f"wx:{openid}")
        return int(session.execute(query.order_by(HandoffCase.id.desc())).scalars().first())


def test_handoff_the_agent_reaches_wechat_until_the_48_hour_window_closes(
    wechat: WeChat, openid: str
) -> None:
    wechat.say(openid, "转人工")
    # While a person has the chat the bot is silent; what the customer sends reaches the agent.
    assert wechat.push(openid, simulate.text(openid, "我等着呢"))[0] is None
    desk, api = _login(wechat), f"{wechat.assistant.url}/webhooks/agent/api"
    case_id = _case_of(wechat, openid)
    assert desk.post(f"{api}/cases/{case_id}/claim", timeout=30).status_code == 200
    card: dict[str, Any] = desk.get(f"{api}/cases/{case_id}", timeout=30).json()
    assert any(entry["text"] == "我等着呢" for entry in card["transcript"])
    assert card["unreachable"] is None

    fetches = wechat.fake.token_fetches
    wechat.fake.expire_token()  # the agent's message needs a fresh access token
    sent = desk.post(
        f"{api}/cases/{case_id}/messages", json={"text": "您好，我来帮您看看"}, timeout=30
    )
    assert sent.status_code == 201, sent.text
    assert wechat.fake.wait_for_texts(openid, 1) == ["人工客服小王：您好，我来帮您看看"]
    assert wechat.fake.token_fetches > fetches

    # Two days of silence later WeChat would refuse: the console says so and sends nothing.
    with session_scope(wechat.assistant.database_url) as session:
        session.get(WeChatUser, openid).last_interaction_at = precise_now() - timedelta(hours=49)
    card = desk.get(f"{api}/cases/{case_id}", timeout=30).json()
    assert card["unreachable"] == wording.WINDOW_CLOSED
    refused = desk.post(f"{api}/cases/{case_id}/messages", json={"text": "还在吗"}, timeout=30)
    assert (refused.status_code, refused.json()["message"]) == (409, wording.WINDOW_CLOSED)
    assert wechat.fake.texts_to(openid) == ["人工客服小王：您好，我来帮您看看"]
    # Handing back asks for a rating: WeChat would refuse it too, so it is kept as failed.
    assert desk.post(f"{api}/cases/{case_id}/resolve", json={}, timeout=30).status_code == 200
    desk.close()  # no idle keep-alive connection for the server to wait for at shutdown
    assert wechat.fake.texts_to(openid) == ["人工客服小王：您好，我来帮您看看"]
    with session_scope(wechat.assistant.database_url) as session:
        query = select(WeChatOutboxMessage.status).where(WeChatOutboxMessage.openid == openid)
        assert FAILED in set(session.execute(query).scalars())
