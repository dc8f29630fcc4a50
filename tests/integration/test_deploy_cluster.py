"""Two Rasa instances and an action server behind nginx, as `make prod` runs them.

PostgreSQL (database kefu_prod_test on the machine's server, recreated) and Redis (database 11,
flushed) are the machine's running services; each test is skipped with the reason when one of
them, nginx or the trained model is missing. One cluster serves the whole module.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
import requests
import socketio
from rasa.core.lock_store import RedisLockStore
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bot.channels.identity import rest_conversation_id
from bot.db.models_handoff import HandoffCase
from bot.db.session import dispose_engines, session_scope
from bot.deploy.cluster import Cluster, ClusterConfig
from bot.deploy.database import prepare_database
from bot.deploy.environment import lock_store_env
from bot.deploy.nginx import NginxMissing, nginx_binary
from bot.security.customer_token import issue_customer_token

DATABASE_URL = os.environ.get(
    "KEFU_PROD_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kefu_prod_test"
)
REDIS_URL = os.environ.get("KEFU_PROD_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
LOCK_PREFIX = "kefuprodtest"
JWT_SECRET = "deploy-test-customer-secret-0123456789abcdef"
# 王晓明's parcel stuck at the Hangzhou hub; his phone ends in 1234 (README, demo customers).
STUCK_ORDER, PHONE_TAIL = "926111453460400021", "1234"
WANG_XIAOMING = 1
SORRY = "开小差"  # the polite failure reply: never what a working cluster says


def _recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(
        target.set(database="postgres"),
        future=True,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    finally:
        admin.dispose()


def _services_or_skip() -> None:
    try:
        nginx_binary()
    except NginxMissing as missing:
        pytest.skip(f"{missing} (make nginx)")
    try:
        _recreate_database(DATABASE_URL)
    except Exception as error:  # any failure to connect means "no server here"
        pytest.skip(f"PostgreSQL not reachable for {DATABASE_URL}: {type(error).__name__}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).flushdb()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(error).__name__}")


@pytest.fixture(scope="module")
def cluster(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    _services_or_skip()
    prepare_database(DATABASE_URL)
    dispose_engines()
    config = ClusterConfig(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        model=trained_model,
        log_dir=tmp_path_factory.mktemp("cluster-logs"),
        instances=2,
        port=0,
        customer_jwt_secret=JWT_SECRET,
        lock_prefix=LOCK_PREFIX,
    )
    with Cluster(config) as running:
        yield running
    dispose_engines()


def say(base_url: str, sender: str, text: str, customer_id: int | None = None) -> list[str]:
    headers = {}
    if customer_id is not None:
        token = issue_customer_token(
            customer_id, JWT_SECRET, datetime.now(timezone.utc), timedelta(hours=1)
        )
        headers["Authorization"] = f"Bearer {token}"
    response = requests.post(
        f"{base_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=headers,
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return [str(message.get("text", "")) for message in response.json()]


def tracker(cluster: Cluster, base_url: str, conversation: str) -> dict[str, Any]:
    response = requests.get(
        f"{base_url}/conversations/{conversation}/tracker",
        params={"token": cluster.config.rasa_token},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def user_texts(state: dict[str, Any]) -> list[str]:
    return [event["text"] for event in state["events"] if event["event"] == "user"]


def test_nginx_serves_the_chat_page_the_console_and_rest(cluster: Cluster) -> None:
    chat_page = requests.get(f"{cluster.url}/webhooks/chat/", timeout=30)
    assert chat_page.status_code == 200 and "<html" in chat_page.text.lower()
    console = requests.get(f"{cluster.url}/webhooks/agent/", timeout=30)
    assert console.status_code == 200 and "人工客服工作台" in console.text
    replies = say(cluster.url, "deploy-rest", "你好")
    assert replies and not any(SORRY in reply for reply in replies)


async def _chat_over_websocket(url: str, text: str) -> list[Any]:
    """One exchange as the widget makes it over a websocket, spoken at the engine.io and
    socket.io packet level (python-engineio's websocket client needs a newer aiohttp than
    Rasa 3.6 pins): open, connect, session_request, user_uttered; the bot_uttered payloads."""
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as ws:

        async def next_event(name: str) -> Any:
            while True:
                packet = await asyncio.wait_for(ws.receive_str(), 120)
                if packet == "2":  # engine.io ping
                    await ws.send_str("3")
                elif packet.startswith("42"):
                    event, payload = json.loads(packet[2:])
                    if event == name:
                        return payload

        opened = await asyncio.wait_for(ws.receive_str(), 30)
        assert opened.startswith("0") and "sid" in opened  # engine.io open
        await ws.send_str("40")  # socket.io connect, default namespace
        connected = await asyncio.wait_for(ws.receive_str(), 30)
        assert connected.startswith("40"), connected
        await ws.send_str("42" + json.dumps(["session_request", {"session_id": None}]))
        session_id = await next_event("session_confirm")
        message = {"message": text, "session_id": session_id}
        await ws.send_str("42" + json.dumps(["user_uttered", message]))
        return [await next_event("bot_uttered")]


def test_socketio_upgrades_to_websocket_through_nginx(cluster: Cluster) -> None:
    received = asyncio.run(_chat_over_websocket(cluster.url, "你好"))
    assert received and SORRY not in str(received[0].get("text"))


def test_either_instance_continues_the_same_conversation(cluster: Cluster) -> None:
    first, second = cluster.instance_urls
    sender = "deploy-either"
    asked = say(first, sender, "我的快递到哪了")
    assert asked and not any(SORRY in reply for reply in asked)
    # The form started on the first instance asks for the phone tail on the second...
    say(second, sender, STUCK_ORDER)
    # ...and the first finds the order verified and answers where the parcel is.
    answer = " ".join(say(first, sender, PHONE_TAIL))
    assert "杭州" in answer, answer
    state = tracker(cluster, second, sender)
    assert user_texts(state) == ["我的快递到哪了", STUCK_ORDER, PHONE_TAIL]


def test_a_conversation_locked_in_redis_waits_on_the_other_instance(cluster: Cluster) -> None:
    """The Redis lock store is what both instances use: while the conversation's lock is held
    elsewhere, an instance does not process the message; once it is released, it does."""
    settings = lock_store_env(REDIS_URL, LOCK_PREFIX)
    locks = RedisLockStore(
        host=settings["REDIS_HOST"],
        port=int(settings["REDIS_PORT"]),
        db=int(settings["REDIS_DB"]),
        key_prefix=LOCK_PREFIX,
    )
    sender = "deploy-locked"
    conversation = rest_conversation_id(sender, None)
    ticket = locks.issue_ticket(conversation, lock_lifetime=120)
    replies: list[list[str]] = []
    turn = threading.Thread(target=lambda: replies.append(say(cluster.url, sender, "你好")))
    try:
        turn.start()
        turn.join(timeout=5)
        assert turn.is_alive(), "answered while another instance held the conversation"
        assert not user_texts(tracker(cluster, cluster.instance_urls[0], sender))
    finally:
        locks.cleanup(conversation, ticket)
    turn.join(timeout=120)
    assert replies and replies[0]


class Widget:
    """A customer's socket.io client (long polling, as rasa-webchat starts)."""

    def __init__(self, url: str) -> None:
        self.received: list[dict[str, Any]] = []
        self.session_ids: list[str] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("session_confirm", self.session_ids.append)
        self.client.on("bot_uttered", self.received.append)
        self.client.connect(url, transports=["polling"], socketio_path="socket.io")

    def session(self) -> str:
        self.client.emit("session_request", {"session_id": None})
        return str(wait_until(lambda: self.session_ids and self.session_ids[-1]))

    def say(self, text: str, session_id: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})

    def texts(self) -> list[str]:
        return [str(message.get("text", "")) for message in self.received]

    def close(self) -> None:
        self.client.eio.disconnect(abort=True)


def wait_until(check: Any, timeout: float = 120) -> Any:
    pause = threading.Event()
    for _ in range(int(timeout * 10)):
        value = check()
        if value:
            return value
        pause.wait(0.1)
    raise AssertionError("condition never became true")


def test_an_agent_message_reaches_a_customer_socket_on_the_other_instance(
    cluster: Cluster,
) -> None:
    customer_side, agent_side = cluster.instance_urls[1], cluster.instance_urls[0]
    widget = Widget(customer_side)
    try:
        session_id = widget.session()
        widget.say("转人工", session_id)

        def open_case() -> int | None:
            with session_scope(DATABASE_URL) as session:
                query = select(HandoffCase.id).where(HandoffCase.sender_id == session_id)
                found = session.execute(query).scalar_one_or_none()
                return int(found) if found is not None else None

        case_id = wait_until(open_case)
        wait_until(lambda: widget.received)  # the handoff notice, from the customer's own instance
        agent = requests.Session()
        login = agent.post(
            f"{agent_side}/webhooks/agent/api/login",
            json={"username": "agent01", "password": "kefu-demo-1"},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        api = f"{agent_side}/webhooks/agent/api/cases/{case_id}"
        assert agent.post(f"{api}/claim", timeout=30).status_code == 200
        sent = agent.post(f"{api}/messages", json={"text": "您好，我来帮您看看"}, timeout=30)
        assert sent.ok, sent.text
        wait_until(lambda: any("我来帮您看看" in text for text in widget.texts()), timeout=30)
    finally:
        widget.close()
