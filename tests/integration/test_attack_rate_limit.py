"""Attack: scripting thousands of requests, against real servers.

A script floods one conversation, sprays messages over many conversations from one address,
floods a socket.io session, sprays console passwords over many usernames, and guesses one
agent's password from another address, spreading its requests over several Rasa instances.
Each is slowed down: REST answers 429 with Retry-After, socket.io a polite reply, the console
429; nothing over the limit reaches Rasa, and other clients are not affected.

The servers trust one proxy (SANIC_PROXIES_COUNT=1), as behind the production load balancer,
so each test speaks from addresses of its own through X-Forwarded-For. Limits are small
(a few requests per minute), so no test waits for a bucket to refill; only the sign-in back-off
test waits out its (1 s and 2 s) delays, which is the behaviour under test.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
import socketio

from bot.security.rate_limit import TOO_FAST_MESSAGE
from tests.integration.test_attack_identity import RecordingAgent, start_server, wait_until
from tests.threaded_sanic import ThreadedSanicServer

REST = "/webhooks/rest/webhook"
LOGIN = "/webhooks/agent/api/login"
REDIS_URL = "redis://127.0.0.1:6379/9"
LIMITS = {
    "RATE_LIMIT_PER_SENDER": "3/min",
    "RATE_LIMIT_PER_ADDRESS": "6/min",
    "RATE_LIMIT_LOGIN": "4/min",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('rate_limit_db') / 'kefu.db'}"
    seed(url)
    return url


@pytest.fixture(scope="module")
def agent() -> RecordingAgent:
    return RecordingAgent()


def serve(agent: RecordingAgent, database: str, **settings: str) -> ThreadedSanicServer:
    """A server built with these settings over the module's defaults (channels read them as
    Rasa builds them)."""
    environ = {
        "DEMO_MODE": "true",
        # A secret of this run: client keys (and so Redis keys) never meet a previous run's.
        "CUSTOMER_JWT_SECRET": f"rate-limit-test-{uuid.uuid4().hex}",
        "DATABASE_URL": database,
        "SANIC_PROXIES_COUNT": "1",
        **LIMITS,
        **settings,
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        from bot.settings import get_settings

        get_settings.cache_clear()
        return start_server(agent)


@pytest.fixture(scope="module")
def server(agent: RecordingAgent, database: str) -> Iterator[ThreadedSanicServer]:
    live = serve(agent, database)
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def same_database(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database)


def rest_from(
    server: ThreadedSanicServer, address: str, sender: str, message: str
) -> requests.Response:
    return requests.post(
        server.url(REST),
        json={"sender": sender, "message": message},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )


def login_from(
    server: ThreadedSanicServer, address: str, username: str, password: str
) -> requests.Response:
    return requests.post(
        server.url(LOGIN),
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )


# --------------------------------------------------------------------------- customer messages


def test_flooding_one_conversation_gets_429_with_retry_after(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    address = "203.0.113.10"
    answers = [rest_from(server, address, "flood", f"rl-flood-{i}") for i in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    seconds = refused.headers["Retry-After"]
    assert refused.json()["message"] == TOO_FAST_MESSAGE.format(seconds=seconds)
    assert not agent.about("rl-flood-3")  # never handed to Rasa
    # The limit is the conversation's: the same address may still speak elsewhere.
    assert rest_from(server, address, "flood-other", "rl-flood-other").ok


def test_spraying_many_conversations_from_one_address_is_limited_too(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    address = "203.0.113.11"
    statuses = [rest_from(server, address, f"spray-{i}", f"rl-spray-{i}").status_code
                for i in range(7)]  # fmt: skip
    assert statuses == [200] * 6 + [429]
    assert not agent.about("rl-spray-6")
    # Another client is not affected, not even in a conversation of the same name.
    assert rest_from(server, "198.51.100.20", "spray-6", "rl-spray-elsewhere").ok


def test_malformed_requests_count_against_the_address(server: ThreadedSanicServer) -> None:
    address = "203.0.113.14"
    junk = [
        requests.post(
            server.url(REST), data=b"[1]", headers={"X-Forwarded-For": address}, timeout=30
        ).status_code
        for _ in range(7)
    ]
    assert junk == [400] * 6 + [429]


def test_flooding_a_socket_session_gets_one_polite_reply(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    replies: list[dict[str, Any]] = []
    sessions: list[str] = []
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.append)
    client.on("session_confirm", sessions.append)
    client.connect(
        server.origin,
        headers={"X-Forwarded-For": "203.0.113.12"},
        transports=["polling"],
        socketio_path="socket.io",
    )
    texts = [f"rl-socket-{i}" for i in range(5)]

    def told_to_slow_down() -> list[dict[str, Any]]:
        return [r for r in replies if str(r.get("text", "")).startswith("消息发得太快啦")]

    def handed_on() -> list[Any]:
        return [message for text in texts for message in agent.about(text)]

    try:
        client.emit("session_request", {})
        session = wait_until(lambda: sessions)[0]
        for text in texts:
            client.emit("user_uttered", {"message": text, "session_id": session})
        wait_until(lambda: told_to_slow_down() and len(handed_on()) == 3)
    finally:
        client.eio.disconnect(abort=True)
    assert len(handed_on()) == 3  # the conversation's 3 per minute
    assert len(told_to_slow_down()) == 1  # once per wait, not once per refused message


# --------------------------------------------------------------------------- console sign-in


def test_password_spraying_from_one_address_is_limited(server: ThreadedSanicServer) -> None:
    address = "203.0.113.13"
    statuses = [login_from(server, address, f"sprayed-{i}", "guess").status_code
                for i in range(5)]  # fmt: skip
    assert statuses == [401] * 4 + [429]
    # The agent at another address signs in as usual.
    assert login_from(server, "198.51.100.30", "agent01", "kefu-demo-1").status_code == 200


# --------------------------------------------------------------------------- several instances


@pytest.fixture(scope="module")
def two_instances(
    agent: RecordingAgent, database: str
) -> Iterator[tuple[ThreadedSanicServer, ThreadedSanicServer]]:
    """Two Rasa instances behind one load balancer: one database, one Redis, one secret."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    shared = {
        "CUSTOMER_JWT_SECRET": f"rate-limit-test-{uuid.uuid4().hex}",
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_LOGIN": "off",  # the back-off alone, below
    }
    first = serve(agent, database, **shared)
    second = serve(agent, database, **shared)
    yield first, second
    first.stop()
    second.stop()


def test_limits_are_shared_by_every_instance_through_redis(
    two_instances: tuple[ThreadedSanicServer, ThreadedSanicServer], agent: RecordingAgent
) -> None:
    first, second = two_instances
    address = "203.0.113.20"
    statuses = [
        rest_from(server, address, "round-robin", f"rl-shared-{i}").status_code
        for i, server in enumerate([first, second, first, second])
    ]
    assert statuses == [200, 200, 200, 429]
    assert not agent.about("rl-shared-3")


def test_sign_in_back_off_grows_is_shared_and_spares_the_real_agent(
    two_instances: tuple[ThreadedSanicServer, ThreadedSanicServer],
) -> None:
    first, second = two_instances
    stranger, real = "203.0.113.21", "198.51.100.21"
    # Five guesses at agent02, spread over both instances: each one checked.
    for server in [first, second, first, second, first]:
        assert login_from(server, stranger, "agent02", "guess").status_code == 401
    refused = login_from(second, stranger, "agent02", "guess")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    # The real agent, at their own address, is not locked out by the stranger.
    assert login_from(second, real, "agent02", "kefu-demo-2").status_code == 200
    # After the wait one more guess is checked; the next wait is twice as long.
    time.sleep(1.1)
    assert login_from(first, stranger, "agent02", "guess").status_code == 401
    refused = login_from(second, stranger, "agent02", "guess")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    # A right password (after the wait) clears the count: a later typo is only a typo.
    time.sleep(2.1)
    assert login_from(first, stranger, "agent02", "kefu-demo-2").status_code == 200
    assert login_from(second, stranger, "agent02", "typo").status_code == 401
    assert login_from(first, stranger, "agent02", "typo").status_code == 401
