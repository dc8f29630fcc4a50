"""Attacks on customer identity, demo mode and input bounds, against a real server.

Each test is a probe an attacker ran against `make run` (see the issue "Trustworthy identity and
a hardened surface"), now expected to fail. The server is a real Sanic app on a loopback port
with the channels built from credentials.yml entries exactly as `rasa run` builds them; only the
agent is a stand-in that records what the channels hand to Rasa (sender id and metadata are
what the actions trust), so no trained model is needed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
import requests
import socketio
import yaml
from rasa.core.channels.channel import InputChannel, UserMessage, register
from rasa.shared.utils.common import class_from_module_path
from sanic import Sanic

from bot.channels.socket_io import TOO_LONG_REPLY, SessionSocketIOInput
from bot.security.client_address import client_key
from bot.security.customer_token import issue_customer_token
from bot.security.input_bounds import MAX_MESSAGE_CHARS
from bot.security.startup import UnsafeSettings
from tests.threaded_sanic import ThreadedSanicServer

SECRET = "attack-test-secret-0123456789abcdefghij"
CREDENTIALS_YML = """
bot.channels.rest.ValidatedRestInput:
bot.channels.socket_io.SessionSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: customData
bot.channels.chat_page.ChatPageInput:
bot.handoff.console.channel.AgentConsoleInput:
"""
REST = "/webhooks/rest/webhook"
# What an anonymous visitor's messages carry: the channel's key for the client's address (the
# phone-tail lock-out counts against it), never the address, nothing the client wrote.
ANONYMOUS = {"client": client_key("127.0.0.1", SECRET)}
STRONG_TOKEN = "rasa-api-token-0123456789abcdefghijklmnop"


class RecordingAgent:
    """Stands in for ``app.ctx.agent``: records what reaches Rasa and answers with the sender."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"ok:{message.text}")

    def about(self, text: str) -> list[UserMessage]:
        return [m for m in self.messages if m.text == text]


def load_channels() -> list[InputChannel]:
    entries: dict[str, Any] = yaml.safe_load(CREDENTIALS_YML)
    return [class_from_module_path(name).from_credentials(c) for name, c in entries.items()]


def start_server(agent: RecordingAgent) -> ThreadedSanicServer:
    app = Sanic(f"attack_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    channels = load_channels()
    register(channels, app, route="/webhooks/")
    for channel in channels:
        if isinstance(channel, SessionSocketIOInput) and channel.sio is not None:
            # Long polls end within a second, so a refused client does not wait 25 s to close.
            channel.sio.eio.ping_interval = 1
    server = ThreadedSanicServer(app, name="attack-server")
    server.start()
    return server


def token_for(customer_id: Any, secret: str = SECRET, ttl: timedelta = timedelta(hours=1)) -> str:
    return issue_customer_token(customer_id, secret, datetime.now(timezone.utc), ttl)


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('attack_db') / 'kefu.db'}"
    seed(url)
    return url


@pytest.fixture(scope="module")
def agent() -> RecordingAgent:
    return RecordingAgent()


@pytest.fixture(scope="module")
def server(agent: RecordingAgent, seeded_database: str) -> Iterator[ThreadedSanicServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_MODE", "true")
        patch.setenv("CUSTOMER_JWT_SECRET", SECRET)
        patch.setenv("DATABASE_URL", seeded_database)
        live = start_server(agent)
        yield live
        live.stop()


@pytest.fixture(autouse=True)
def same_settings_in_each_test(seeded_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMER_JWT_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", seeded_database)


def rest(server: ThreadedSanicServer, body: Any, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(server.url(REST), json=body, headers=headers, timeout=30)


def said(agent: RecordingAgent, text: str) -> UserMessage:
    (message,) = agent.about(text)
    return message


# --------------------------------------------------------------------------- REST identity


def test_rest_metadata_customer_id_signs_nobody_in(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    body = {"sender": "mallory", "message": "probe-1", "metadata": {"customer_id": 2}}
    assert rest(server, body).status_code == 200
    message = said(agent, "probe-1")
    assert message.metadata == ANONYMOUS  # verifies by order number + phone tail
    assert message.sender_id == "mallory"


def test_rest_bearer_token_signs_the_customer_in(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    body = {"sender": "alice", "message": "probe-2", "metadata": {"customer_id": 2}}
    assert rest(server, body, token_for(1)).status_code == 200
    message = said(agent, "probe-2")
    assert message.metadata == {"customer_id": 1}  # the token's customer, not the metadata's


@pytest.mark.parametrize(
    "token",
    [
        token_for(1, secret="not-the-shop-secret-0123456789abcdef"),
        token_for(1, ttl=timedelta(seconds=-5)),
        jwt.encode({"customer_id": 1}, SECRET, algorithm="HS256"),  # no exp
        jwt.encode({"exp": 4102444800}, SECRET, algorithm="HS256"),  # no customer
        jwt.encode({"customer_id": 1, "exp": 4102444800}, None, algorithm="none"),
        token_for("1"),
        token_for(True),
        "not-a-jwt",
    ],
    ids=["other-key", "expired", "no-exp", "no-customer", "alg-none", "string-id", "bool", "junk"],
)
def test_rest_refuses_forged_or_expired_tokens(server: ThreadedSanicServer, token: str) -> None:
    response = rest(server, {"sender": "mallory", "message": "forged"}, token)
    assert response.status_code == 401


def test_anonymous_request_cannot_enter_a_signed_in_conversation(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    assert rest(server, {"sender": "shared", "message": "probe-3a"}, token_for(3)).ok
    assert rest(server, {"sender": "shared", "message": "probe-3b"}).ok
    assert rest(server, {"sender": "shared", "message": "probe-3c"}, token_for(4)).ok
    signed, anonymous, other = (said(agent, f"probe-3{x}") for x in "abc")
    # Three identities, three conversations: none can read or change another's.
    assert len({signed.sender_id, anonymous.sender_id, other.sender_id}) == 3
    assert anonymous.metadata == ANONYMOUS
    # A fresh token for the same customer and sender continues the same conversation.
    assert rest(server, {"sender": "shared", "message": "probe-3d"}, token_for(3)).ok
    assert said(agent, "probe-3d").sender_id == signed.sender_id


@pytest.mark.parametrize(
    "body",
    [
        {"message": "no sender"},
        {"sender": "", "message": "empty sender"},
        {"sender": "shared~c3", "message": "spelling a signed-in conversation"},
        {"sender": "x" * 129, "message": "long sender"},
        {"sender": 7, "message": "number"},
    ],
    ids=["missing", "empty", "tilde", "too-long", "not-a-string"],
)
def test_rest_requires_a_well_formed_sender(server: ThreadedSanicServer, body: Any) -> None:
    assert rest(server, body).status_code == 400


def test_rest_bounds_message_and_metadata(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    too_long = "退" * (MAX_MESSAGE_CHARS + 1)
    assert rest(server, {"sender": "big", "message": too_long}).status_code == 413
    bloated = {"sender": "big", "message": "probe-4", "metadata": {"x": "y" * 200_000}}
    assert rest(server, bloated).status_code == 413
    assert not agent.about(too_long) and not agent.about("probe-4")


def test_personal_data_in_metadata_is_not_handed_to_rasa(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    metadata = {"phone": "13812341234", "token": token_for(1), "address": "杭州市西湖区文三路1号"}
    body = {"sender": "pii", "message": "probe-5", "metadata": metadata}
    assert rest(server, body, token_for(1)).ok
    assert said(agent, "probe-5").metadata == {"customer_id": 1}


# --------------------------------------------------------------------------- socket.io


class Widget:
    """A customer's socket.io client, as rasa-webchat drives it."""

    def __init__(
        self, server: ThreadedSanicServer, token: str | None = None, via_query: bool = False
    ) -> None:
        self.received: list[dict[str, Any]] = []
        self.session_ids: list[str] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("session_confirm", self.session_ids.append)
        self.client.on("bot_uttered", self.received.append)
        url = server.origin + (f"/?token={token}" if token and via_query else "")
        auth = {"token": token} if token and not via_query else None
        self.client.connect(url, transports=["polling"], socketio_path="socket.io", auth=auth)

    def session(self, offered: str | None = None) -> str:
        before = len(self.session_ids)
        self.client.emit("session_request", {"session_id": offered})
        wait_until(lambda: len(self.session_ids) > before)
        return self.session_ids[-1]

    def say(self, text: str, session_id: str, custom_data: Any = None) -> None:
        data = {"message": text, "session_id": session_id, "customData": custom_data or {}}
        self.client.emit("user_uttered", data)

    def close(self) -> None:
        # abort: do not wait out the pending long poll (up to the 25 s ping interval).
        self.client.eio.disconnect(abort=True)


def wait_until(check: Any, timeout: float = 10) -> Any:
    pause = threading.Event()
    for _ in range(int(timeout * 20)):
        value = check()
        if value:
            return value
        pause.wait(0.05)
    raise AssertionError("condition never became true")


@pytest.mark.parametrize("via_query", [False, True], ids=["auth", "query"])
def test_socket_token_signs_in_and_custom_data_cannot(
    server: ThreadedSanicServer, agent: RecordingAgent, via_query: bool
) -> None:
    signed = Widget(server, token_for(2), via_query)
    anonymous = Widget(server)
    try:
        text = f"probe-6-{via_query}"
        signed.say(text, signed.session(), {"customer_id": 5, "phone": "13957685432"})
        anonymous.say(text + "-anon", anonymous.session(), {"customer_id": 2})
        wait_until(lambda: agent.about(text) and agent.about(text + "-anon"))
        assert said(agent, text).metadata == {"customer_id": 2}
        assert said(agent, text + "-anon").metadata == ANONYMOUS
    finally:
        signed.close()
        anonymous.close()


def test_socket_refuses_an_invalid_token(server: ThreadedSanicServer) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        Widget(server, token_for(2, secret="forged-secret-0123456789abcdefghijkl"))


def test_socket_session_ids_are_issued_and_bound_to_identity(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    victim = Widget(server, token_for(1))
    victim_session = victim.session()
    victim.close()
    # A client cannot pick its session id, nor take over one issued to someone else.
    mallory = Widget(server)
    try:
        assert mallory.session("my-own-choice") != "my-own-choice"
        assert mallory.session(victim_session) != victim_session
        # Nor speak into a session its connection was not given.
        mallory.say("probe-7", victim_session)
    finally:
        mallory.close()
    # The same customer with a fresh token gets the conversation back (session persistence).
    again = Widget(server, token_for(1))
    try:
        assert again.session(victim_session) == victim_session
        again.say("probe-7-own", victim_session)
        wait_until(lambda: agent.about("probe-7-own"))
    finally:
        again.close()
    assert not agent.about("probe-7")
    assert said(agent, "probe-7-own").sender_id == victim_session


def test_socket_bounds_messages_and_custom_data(
    server: ThreadedSanicServer, agent: RecordingAgent
) -> None:
    widget = Widget(server)
    try:
        session = widget.session()
        # Just over the cap: a clear reply, nothing handed to Rasa.
        widget.say("长" * (MAX_MESSAGE_CHARS + 1), session)
        wait_until(lambda: [m for m in widget.received if m.get("text") == TOO_LONG_REPLY])
    finally:
        widget.close()
    # Far over it (100,000 characters, 200 KB of customData): refused before it is parsed.
    for text, custom_data in [("长" * 100_000, None), ("probe-8", {"blob": "x" * 200_000})]:
        flood = Widget(server)
        try:
            flood.say(text, flood.session(), custom_data)
            wait_until(lambda: not flood.client.connected)  # noqa: B023 - used at once
        finally:
            flood.close()
    assert not agent.about("长" * (MAX_MESSAGE_CHARS + 1))
    assert not agent.about("长" * 100_000) and not agent.about("probe-8")
    assert requests.get(server.url("/webhooks/chat/health"), timeout=10).ok


# --------------------------------------------------------------------------- demo mode


def test_demo_mode_serves_masked_customers_and_tokens(server: ThreadedSanicServer) -> None:
    customers = requests.get(server.url("/webhooks/chat/customers"), timeout=30)
    assert customers.status_code == 200
    first = customers.json()[0]
    assert "phone" not in first and "****" in first["phone_masked"]
    minted = requests.post(
        server.url("/webhooks/chat/demo-token"), json={"customer_id": first["customer_id"]}
    )
    assert minted.status_code == 200
    body = {"sender": "demo", "message": "probe-9"}
    assert rest(server, body, minted.json()["token"]).status_code == 200
    unknown = requests.post(server.url("/webhooks/chat/demo-token"), json={"customer_id": 99999})
    assert unknown.status_code == 404
    assert requests.post(server.url("/webhooks/chat/demo-token"), json=[1]).status_code == 400


def test_production_has_no_picker_nor_demo_tokens(
    monkeypatch: pytest.MonkeyPatch, agent: RecordingAgent
) -> None:
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.setenv("RASA_TOKEN", STRONG_TOKEN)
    live = start_server(agent)
    try:
        assert requests.get(live.url("/webhooks/chat/customers"), timeout=10).status_code == 404
        minted = requests.post(live.url("/webhooks/chat/demo-token"), json={"customer_id": 1})
        assert minted.status_code == 404
        assert requests.get(live.url("/webhooks/chat/"), timeout=10).status_code == 200
    finally:
        live.stop()


@pytest.mark.parametrize(
    ("rasa_token", "jwt_secret"),
    [
        (STRONG_TOKEN, ""),
        (STRONG_TOKEN, "change-me"),
        ("change-me", SECRET),
        (STRONG_TOKEN, "a" * 64),
        ("", SECRET),
    ],
    ids=["no-secret", "weak-secret", "weak-token", "repetitive-secret", "generated-token"],
)
def test_production_refuses_to_start_with_weak_secrets(
    monkeypatch: pytest.MonkeyPatch, rasa_token: str, jwt_secret: str
) -> None:
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.setenv("RASA_TOKEN", rasa_token)
    monkeypatch.setenv("CUSTOMER_JWT_SECRET", jwt_secret)
    with pytest.raises(UnsafeSettings):
        load_channels()
