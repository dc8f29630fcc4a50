"""The agent console's API against a live server, a seeded store and a real tracker store.

The Sanic app is built the way ``rasa run`` builds it (channels from a credentials.yml, mounted
with Rasa's own ``register``) and served from a thread on a free port. The database is a real
seeded SQLite file; the conversations live in Rasa's own ``SQLTrackerStore`` on the same file,
and customers talk over a real socket.io connection. Only ``app.ctx.agent`` is a stand-in: it
logs customer messages the way a paused Rasa does and runs ``action_ask_satisfaction`` as a
canned reply, where the real thing would need a trained model (tests/e2e/test_handoff.py).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import socketio
import yaml
from rasa.core.channels.channel import OutputChannel, UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import class_from_module_path
from sanic import Sanic

from bot.channels.identity import new_session_id
from bot.db.models_handoff import HandoffCase, HandoffEvent
from bot.db.session import dispose_engines, session_scope
from bot.handoff import cases
from bot.handoff.console.views import transcript
from bot.handoff.escalation import Decision, Reason
from bot.handoff.suggestions import CANNED_REPLIES, suggested_replies
from bot.handoff.summary import CustomerFacts, build_summary
from bot.settings import get_settings
from bot.timeutil import beijing_now
from tests.threaded_sanic import ThreadedSanicServer

API = "/webhooks/agent/api/"
CREDENTIALS_YML = """
bot.channels.socket_io.SessionSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: customData
bot.handoff.console.channel.AgentConsoleInput:
"""
RATING_QUESTION = "本次人工服务已经结束啦，麻烦您为刚才的人工服务打个分：1-5 分。"
XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


# --------------------------------------------------------------------------- live server


class StandInAgent:
    """``app.ctx.agent`` without a model: a real tracker store and lock store, no predictions."""

    def __init__(self, tracker_store: SQLTrackerStore) -> None:
        self.tracker_store = tracker_store
        self.lock_store = InMemoryLockStore()
        self.executed: list[tuple[str, str]] = []

    async def handle_message(self, message: UserMessage) -> None:
        # What Rasa does with a message while the conversation is paused: log it, say nothing.
        async with self.lock_store.lock(message.sender_id):
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(
                UserUttered(
                    message.text,
                    intent={"name": "inform", "confidence": 0.9},
                    input_channel=message.input_channel,
                )
            )
            await self.tracker_store.save(tracker)

    async def execute_action(
        self,
        sender_id: str,
        action: str,
        output_channel: OutputChannel,
        policy: str | None,
        confidence: float | None,
    ) -> DialogueStateTracker:
        self.executed.append((sender_id, action))
        tracker = await self.tracker_store.get_or_create_tracker(sender_id)
        tracker.update(ActionExecuted(action))
        tracker.update(BotUttered(RATING_QUESTION))
        await output_channel.send_text_message(sender_id, RATING_QUESTION)
        await self.tracker_store.save(tracker)
        return tracker


def build_app(agent: StandInAgent) -> Sanic:
    app = Sanic(f"console_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    entries: dict[str, Any] = yaml.safe_load(CREDENTIALS_YML)
    channels = [class_from_module_path(k).from_credentials(v) for k, v in entries.items()]
    register(channels, app, route="/webhooks/")
    return app


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('console_db') / 'kefu.db'}"
    seed(url)
    with pytest.MonkeyPatch.context() as patch:
        # The console's configured database; settings are read afresh in each test (conftest).
        patch.setenv("DATABASE_URL", url)
        yield url
    dispose_engines()


@pytest.fixture(scope="module")
def agent(database: str) -> StandInAgent:
    # Rasa's SQL tracker store accepts a full SQLAlchemy URL as host: the same file as the shop.
    return StandInAgent(SQLTrackerStore(Domain.empty(), host=database))


@pytest.fixture(scope="module")
def server(agent: StandInAgent) -> Iterator[ThreadedSanicServer]:
    live = ThreadedSanicServer(build_app(agent), name="console-server")
    live.start()
    yield live
    live.stop()


# --------------------------------------------------------------------------- helpers


def login(server: ThreadedSanicServer, username: str, password: str) -> requests.Session:
    http = requests.Session()
    response = http.post(
        server.origin + API + "login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return http


@pytest.fixture(scope="module")
def wang(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "agent01", "kefu-demo-1")


@pytest.fixture(scope="module")
def li(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "agent02", "kefu-demo-2")


@pytest.fixture(scope="module")
def lead(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "lead01", "kefu-lead-1")


def user(text: str, intent: str, channel: str, emotion: str = "neutral") -> UserUttered:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "emotion": {"name": emotion, "confidence": 0.9},
    }
    return UserUttered(text, intent=parse["intent"], parse_data=parse, input_channel=channel)


def open_conversation(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    *,
    channel: str = "rest",
    codes: tuple[str, ...] = ("requested_human",),
    priority: int = 1,
    customer_text: str = "我要转人工",
    created_at: datetime | None = None,
    customer: CustomerFacts | None = None,
) -> tuple[int, str]:
    """A customer's chat that the bot handed over: tracker events plus the case. (id, sender)."""
    sender = f"customer-{uuid.uuid4().hex[:12]}"
    if channel == "socketio":  # the server issues socket.io session ids (bot.channels.identity)
        sender = new_session_id(get_settings().customer_jwt_secret, None)
    events: list[Event] = [
        user("你好", "greet", channel),
        BotUttered("您好！我是智能客服小优，请问有什么可以帮您？"),
        user("这个退货怎么还没退款", "refund_status", channel, "anxious"),
        BotUttered("我帮您查一下退款进度。"),
        user(customer_text, "request_human", channel, "angry"),
        ActionExecuted("action_handoff"),
        BotUttered("这就为您转接人工客服，您目前排在第 1 位。"),
        ConversationPaused(),
    ]
    tracker = DialogueStateTracker.from_events(sender, events)
    server.run(agent.tracker_store.save(tracker))
    reasons = [Reason(code, f"{code} detail", 1.0) for code in codes]
    decision = Decision(True, float(len(reasons)), priority, reasons)
    summary = build_summary([e.as_dict() for e in events], {}, customer)
    with session_scope(database) as session:
        case = cases.open_case(
            session,
            sender_id=sender,
            customer_id=customer.id if customer else None,
            decision=decision,
            summary=summary,
            now=created_at or beijing_now(),
        )
        return int(case.id), sender


def events_of(
    server: ThreadedSanicServer, agent: StandInAgent, sender: str
) -> list[dict[str, Any]]:
    tracker = server.run(agent.tracker_store.retrieve(sender))
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def claimed(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    http: requests.Session,
    **kwargs: Any,
) -> tuple[int, str]:
    case_id, sender = open_conversation(server, agent, database, **kwargs)
    response = http.post(f"{server.origin}{API}cases/{case_id}/claim")
    assert response.status_code == 200, response.text
    return case_id, sender


def case_row(database: str, case_id: int) -> HandoffCase:
    with session_scope(database) as session:
        found = session.get(HandoffCase, case_id)
        assert found is not None
        return found


# --------------------------------------------------------------------------- page and login


def test_page_is_served_with_a_strict_content_security_policy(server: ThreadedSanicServer) -> None:
    response = requests.get(server.origin + "/webhooks/agent/", timeout=10)
    assert response.status_code == 200
    assert "人工客服工作台" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assets = set(re.findall(r'(?:src|href)="static/([^"]+)"', response.text))
    assert {"console-util.js", "console-card.js", "console.js", "console.css"} <= assets
    # No CDN: nothing but our own static files.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', response.text)
    for name in assets:
        asset = requests.get(f"{server.origin}/webhooks/agent/static/{name}", timeout=10)
        assert asset.status_code == 200, name
        assert asset.headers["x-content-type-options"] == "nosniff"
    for bad in ("..%2F..%2Fpyproject.toml", "index.html", ".hidden.js", "missing.js"):
        assert requests.get(f"{server.origin}/webhooks/agent/static/{bad}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "me"),
        ("GET", "queue"),
        ("GET", "agents"),
        ("GET", "updates"),
        ("GET", "supervisor"),
        ("GET", "cases/1"),
        ("POST", "cases/1/claim"),
        ("POST", "cases/1/messages"),
        ("POST", "cases/1/transfer"),
        ("POST", "cases/1/resolve"),
    ],
)
def test_every_route_but_login_needs_a_session(
    server: ThreadedSanicServer, method: str, path: str
) -> None:
    url = server.origin + API + path
    assert requests.request(method, url, json={"text": "hi"}, timeout=10).status_code == 401
    forged = {"kefu_agent_session": "not-a-real-token"}
    response = requests.request(method, url, json={"text": "hi"}, cookies=forged, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "not_logged_in"


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_the_session(
    server: ThreadedSanicServer,
) -> None:
    http = requests.Session()
    response = http.post(
        server.origin + API + "login", json={"username": "agent01", "password": "kefu-demo-1"}
    )
    assert response.status_code == 200
    assert response.json()["agent"] == {
        "id": response.json()["agent"]["id"],
        "username": "agent01",
        "display_name": "小王",
        "role": "agent",
    }
    cookie = response.headers["set-cookie"]
    assert (
        "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/webhooks/agent/" in cookie
    )
    token = http.cookies["kefu_agent_session"]
    assert len(token) >= 32
    assert http.get(server.origin + API + "me").json()["agent"]["display_name"] == "小王"

    assert http.post(server.origin + API + "logout").status_code == 200
    # The token is dead on the server, not only forgotten by this browser.
    stale = requests.get(
        server.origin + API + "me", cookies={"kefu_agent_session": token}, timeout=10
    )
    assert stale.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"username": "agent01", "password": "wrong"},
        {"username": "nobody", "password": "kefu-demo-1"},
        {"username": "agent01", "password": "KEFU-DEMO-1"},
    ],
)
def test_bad_credentials_are_refused_with_one_message(
    server: ThreadedSanicServer, body: dict[str, str]
) -> None:
    response = requests.post(server.origin + API + "login", json=body, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "用户名或密码不正确。"
    assert "set-cookie" not in response.headers


def test_repeated_failures_for_one_username_are_throttled(server: ThreadedSanicServer) -> None:
    url = server.origin + API + "login"
    for _ in range(5):
        wrong = requests.post(url, json={"username": "guess-me", "password": "x"}, timeout=10)
        assert wrong.status_code == 401
    blocked = requests.post(url, json={"username": "guess-me", "password": "x"}, timeout=10)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # Other agents are not locked out by someone guessing one name.
    assert login(server, "agent02", "kefu-demo-2").get(server.origin + API + "me").ok


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b'"agent01"', "application/json"),
        (b"", "application/json"),
        (b'{"username": "agent01"}', "application/json"),
        (b'{"username": 1, "password": 2}', "application/json"),
        (b'{"username": "agent01", "password": "' + b"x" * 500 + b'"}', "application/json"),
        (b"username=agent01&password=kefu-demo-1", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_login_requests_get_400(
    server: ThreadedSanicServer, data: bytes, content_type: str
) -> None:
    response = requests.post(
        server.origin + API + "login", data=data, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["error"] in ("bad_json", "bad_request")


def test_cross_site_posts_are_refused(server: ThreadedSanicServer, wang: requests.Session) -> None:
    response = wang.post(
        server.origin + API + "logout", headers={"Origin": "https://evil.example"}, json={}
    )
    assert response.status_code == 403
    assert wang.get(server.origin + API + "me").status_code == 200


# --------------------------------------------------------------------------- queue and card


def test_queue_puts_legal_threats_and_anger_first_then_the_longest_wait(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    # The queue runs on the wall clock; allow a minute for the test itself.
    base = beijing_now() - timedelta(minutes=60)
    calm_old, _ = open_conversation(server, agent, database, created_at=base)
    calm_new, _ = open_conversation(server, agent, database, created_at=base + timedelta(minutes=5))
    angry, _ = open_conversation(
        server,
        agent,
        database,
        codes=("strong_anger",),
        priority=2,
        created_at=base + timedelta(minutes=9),
    )
    legal, _ = open_conversation(
        server,
        agent,
        database,
        codes=("legal_threat",),
        priority=3,
        created_at=base + timedelta(minutes=10),
    )
    queue = wang.get(server.origin + API + "queue").json()["queue"]
    ours = [c["id"] for c in queue if c["id"] in {calm_old, calm_new, angry, legal}]
    assert ours == [legal, angry, calm_old, calm_new]
    first = next(c for c in queue if c["id"] == legal)
    assert first["priority_label"] == "紧急"
    assert first["reasons"][0]["label"] == "投诉维权 / 媒体曝光"
    assert first["status"] == "waiting"
    # Waiting since 09:10 on the store's clock (10:00): fifty minutes.
    assert abs(first["wait_seconds"] - 50 * 60) <= 60


def test_case_card_has_transcript_context_reasons_and_suggestions(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    customer = CustomerFacts(1, "张晓梅", "金卡", "138****0001")
    case_id, sender = open_conversation(
        server,
        agent,
        database,
        codes=("strong_anger", "contested_refusal"),
        priority=2,
        customer=customer,
    )
    # The customer keeps writing while waiting; whoever claims must see it.
    server.run(
        agent.handle_message(
            UserMessage("人呢？等了好久了", sender_id=sender, input_channel="rest")
        )
    )
    card = wang.get(f"{server.origin}{API}cases/{case_id}").json()
    assert card["customer_name"] == "张晓梅"
    assert card["summary"]["customer"]["phone"] == "138****0001"
    assert [r["code"] for r in card["reasons"]] == ["strong_anger", "contested_refusal"]
    assert card["score"] == 2.0 and card["priority"] == 2
    kinds = [(m["kind"], m["text"]) for m in card["transcript"]]
    assert kinds[:2] == [
        ("customer", "你好"),
        ("bot", "您好！我是智能客服小优，请问有什么可以帮您？"),
    ]
    assert ("system", "机器人转接人工") in kinds
    assert kinds[-1] == ("customer", "人呢？等了好久了")
    assert all(isinstance(m["at"], float) and m["at"] > 0 for m in card["transcript"])
    angry = next(m for m in card["transcript"] if m["text"] == "我要转人工")
    assert angry["emotion"] == "生气"
    assert {"name": "refund_status", "label": "退款进度"} in card["intents"]
    titles = [s["title"] for s in card["suggestions"]]
    assert titles[0] == "开场问候" and "安抚致歉" in titles and titles[-1] == "承诺跟进"
    assert "小王" in card["suggestions"][0]["text"]
    assert len(card["canned"]) == len(CANNED_REPLIES)
    assert card["mine"] is False and card["status"] == "waiting"


def test_unknown_cases_and_bad_ids_are_404(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    assert wang.get(f"{server.origin}{API}cases/999999").status_code == 404
    assert wang.post(f"{server.origin}{API}cases/999999/claim").status_code == 404
    assert wang.get(f"{server.origin}{API}cases/abc").status_code == 404
    assert wang.get(f"{server.origin}{API}updates?case=x").status_code == 400
    assert wang.get(f"{server.origin}{API}updates?case=1&since=nan").status_code == 400


# --------------------------------------------------------------------------- claim, 403


def test_claim_is_atomic_between_two_agents(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
) -> None:
    for _ in range(3):
        case_id, _ = open_conversation(server, agent, database)
        url = f"{server.origin}{API}cases/{case_id}/claim"
        barrier = threading.Barrier(2)

        def claim(http: requests.Session, url: str = url, barrier: Any = barrier) -> int:
            barrier.wait()
            return http.post(url, timeout=30).status_code

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(claim, [wang, li]))
        assert statuses == [200, 409]
        row = case_row(database, case_id)
        assert row.status == "active" and row.agent_id is not None
        with session_scope(database) as session:
            kinds = [e.kind for e in session.query(HandoffEvent).filter_by(case_id=case_id)]
        assert kinds.count("claimed") == 1


def test_a_claimed_case_is_closed_to_other_agents(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
    lead: requests.Session,
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    base = f"{server.origin}{API}cases/{case_id}"
    again = li.post(base + "/claim")
    assert again.status_code == 409 and "小王" in again.json()["message"]
    assert li.get(base).status_code == 403
    assert li.post(base + "/messages", json={"text": "我来"}).status_code == 403
    assert li.post(base + "/transfer", json={"agent_id": 1}).status_code == 403
    assert li.post(base + "/resolve", json={}).status_code == 403
    assert li.get(f"{server.origin}{API}updates?case={case_id}").json()["case"] == {
        "id": case_id,
        "error": "forbidden",
    }
    # A supervisor may read along, but not write into someone else's chat.
    assert lead.get(base).status_code == 200
    assert lead.post(base + "/messages", json={"text": "我来"}).status_code == 403
    # The holder claiming again (a double click) is harmless.
    assert wang.post(base + "/claim").status_code == 200
    assert not [
        e
        for e in events_of(server, agent, sender)
        if e["event"] == "bot" and (e.get("metadata") or {}).get("agent")
    ]


def test_only_the_holder_may_write_and_only_once_claimed(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, _ = open_conversation(server, agent, database)
    base = f"{server.origin}{API}cases/{case_id}"
    assert wang.post(base + "/messages", json={"text": "您好"}).status_code == 403
    assert wang.post(base + "/resolve", json={}).status_code == 403


# --------------------------------------------------------------------------- live chat


class WidgetClient:
    """The customer's rasa-webchat widget, as a real socket.io client in its session's room."""

    def __init__(self, server: ThreadedSanicServer, session_id: str) -> None:
        self.session_id = session_id
        self.received: list[dict[str, Any]] = []
        self.client = socketio.Client(reconnection=False)
        confirmed = threading.Event()
        self.client.on("session_confirm", lambda _sid: confirmed.set())
        self.client.on("bot_uttered", self.received.append)
        self.client.connect(server.origin, transports=["polling"], socketio_path="socket.io")
        self.client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(10), "no session_confirm"

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def wait_for(self, text: str, timeout: float = 10) -> dict[str, Any]:
        deadline = threading.Event()
        for _ in range(int(timeout * 10)):
            found = [m for m in self.received if text in str(m.get("text"))]
            if found:
                return found[-1]
            deadline.wait(0.1)
        raise AssertionError(f"the widget never showed {text!r}: {self.received}")

    def close(self) -> None:
        self.client.disconnect()


def wait_until(check: Any, timeout: float = 10) -> Any:
    pause = threading.Event()
    for _ in range(int(timeout * 10)):
        value = check()
        if value:
            return value
        pause.wait(0.1)
    raise AssertionError("condition never became true")


def test_agent_and_widget_customer_talk_both_ways(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang, channel="socketio")
    widget = WidgetClient(server, sender)
    try:
        card = wang.get(f"{server.origin}{API}cases/{case_id}").json()
        since = card["transcript"][-1]["at"]
        response = wang.post(
            f"{server.origin}{API}cases/{case_id}/messages",
            json={"text": "  您好，我是小王，马上为您处理退款。 "},
        )
        assert response.status_code == 201
        sent = response.json()["message"]
        assert sent["kind"] == "agent" and sent["agent"] == "小王"
        assert sent["text"] == "您好，我是小王，马上为您处理退款。"
        # In the customer's widget, marked as a person speaking …
        assert widget.wait_for("马上为您处理退款")["text"] == (
            "人工客服小王：您好，我是小王，马上为您处理退款。"
        )
        # … and in the conversation itself, as a bot event carrying the agent's name.
        stored = [e for e in events_of(server, agent, sender) if e["event"] == "bot"][-1]
        assert stored["text"] == sent["text"] and stored["metadata"] == {"agent": "小王"}

        widget.say("好的，谢谢，订单是 20261118 那单")

        def customer_reply() -> list[dict[str, Any]]:
            update = wang.get(f"{server.origin}{API}updates?case={case_id}&since={since}").json()
            return [m for m in update["case"]["messages"] if m["kind"] == "customer"]

        replies = wait_until(customer_reply)
        assert replies[-1]["text"] == "好的，谢谢，订单是 20261118 那单"
        update = wang.get(f"{server.origin}{API}updates?case={case_id}&since={since}").json()
        assert [m["kind"] for m in update["case"]["messages"]] == ["agent", "customer"]
        assert case_id in [c["id"] for c in update["mine"]]
        with session_scope(database) as session:
            audit = session.query(HandoffEvent).filter_by(case_id=case_id, kind="agent_message")
            assert [e.actor for e in audit] == ["agent01"]
    finally:
        widget.close()


def test_rest_customers_get_the_message_in_their_transcript(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, _ = claimed(server, agent, database, wang, channel="rest")
    response = wang.post(f"{server.origin}{API}cases/{case_id}/messages", json={"text": "在的"})
    assert response.status_code == 201
    card = wang.get(f"{server.origin}{API}cases/{case_id}").json()
    assert card["transcript"][-1] == {**response.json()["message"]}


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "   "}, {"text": 42}, {"text": ["a"]}, {"text": "长" * 1001}],
    ids=["missing", "empty", "blank", "number", "list", "too-long"],
)
def test_bad_agent_messages_get_400(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    body: dict[str, Any],
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    response = wang.post(f"{server.origin}{API}cases/{case_id}/messages", json=body)
    assert response.status_code == 400
    broken = wang.post(
        f"{server.origin}{API}cases/{case_id}/messages",
        data=b'{"text": "unterminated',
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert not [e for e in events_of(server, agent, sender) if (e.get("metadata") or {})]


def test_script_in_customer_and_agent_text_is_kept_as_plain_text(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    customer = CustomerFacts(2, XSS, "普通", "139****0002")
    case_id, _ = claimed(server, agent, database, wang, customer_text=XSS, customer=customer)
    sent = wang.post(f"{server.origin}{API}cases/{case_id}/messages", json={"text": XSS})
    assert sent.status_code == 201
    response = wang.get(f"{server.origin}{API}cases/{case_id}")
    assert response.headers["content-type"].startswith("application/json")
    card = response.json()
    assert card["customer_name"] == XSS
    texts = [m["text"] for m in card["transcript"]]
    assert texts.count(XSS) == 2  # the customer's and the agent's, byte for byte


# --------------------------------------------------------------------------- transfer, resolve


def test_transfer_hands_the_case_to_another_agent(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
) -> None:
    case_id, _ = claimed(server, agent, database, wang)
    base = f"{server.origin}{API}cases/{case_id}"
    agents = wang.get(server.origin + API + "agents").json()["agents"]
    names = {a["display_name"]: a["id"] for a in agents}
    assert "小王" not in names and {"小李", "王主管"} <= set(names)
    me = wang.get(server.origin + API + "me").json()["agent"]["id"]

    for bad in ({"agent_id": me}, {"agent_id": 999999}, {"agent_id": "2"}, {"agent_id": True}, {}):
        assert wang.post(base + "/transfer", json=bad).status_code == 400, bad
    response = wang.post(base + "/transfer", json={"agent_id": names["小李"]})
    assert response.status_code == 200
    assert response.json()["case"]["agent_name"] == "小李"
    # Now it is 小李's chat: in their list, closed to 小王.
    assert case_id in [c["id"] for c in li.get(server.origin + API + "queue").json()["mine"]]
    assert wang.post(base + "/messages", json={"text": "还在吗"}).status_code == 403
    assert li.post(base + "/messages", json={"text": "您好，我是小李"}).status_code == 201
    with session_scope(database) as session:
        audit = session.query(HandoffEvent).filter_by(case_id=case_id, kind="transferred").one()
        assert (audit.actor, audit.detail) == ("agent01", "agent02")


def test_resolve_resumes_the_bot_which_asks_for_a_rating(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang, channel="socketio")
    widget = WidgetClient(server, sender)
    try:
        base = f"{server.origin}{API}cases/{case_id}"
        assert wang.post(base + "/messages", json={"text": "已为您办理退款"}).status_code == 201
        response = wang.post(base + "/resolve", json={})
        assert response.status_code == 200
        widget.wait_for("打个分")
    finally:
        widget.close()
    kinds = [e["event"] for e in events_of(server, agent, sender)]
    # Paused at the hand-over, resumed by the agent, then the rating question.
    assert kinds.index("pause") < kinds.index("resume")
    tail = events_of(server, agent, sender)[kinds.index("resume") :]
    assert [e.get("name") for e in tail if e["event"] == "action"] == ["action_ask_satisfaction"]
    assert tail[-1]["text"] == RATING_QUESTION
    assert agent.executed.count((sender, "action_ask_satisfaction")) == 1
    row = case_row(database, case_id)
    assert row.status == "resolved" and row.resolved_at is not None
    # Nothing more to do on a resolved case, and the rating question is not asked twice.
    assert wang.post(base + "/resolve", json={}).status_code == 409
    assert wang.post(base + "/messages", json={"text": "还有问题吗"}).status_code == 409
    assert agent.executed.count((sender, "action_ask_satisfaction")) == 1
    assert wang.post(base + "/resolve", data=b"{oops").status_code == 400
    assert case_id not in [c["id"] for c in wang.get(server.origin + API + "queue").json()["mine"]]


def test_supervisor_sees_every_open_chat_with_its_agent_and_wait(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    lead: requests.Session,
) -> None:
    assert wang.get(server.origin + API + "supervisor").status_code == 403
    waiting, _ = open_conversation(
        server, agent, database, created_at=beijing_now() - timedelta(minutes=2)
    )
    served, _ = claimed(server, agent, database, wang)
    view = lead.get(server.origin + API + "supervisor").json()
    rows = {c["id"]: c for c in view["cases"]}
    assert rows[waiting]["status"] == "waiting" and rows[waiting]["agent_name"] is None
    assert abs(rows[waiting]["wait_seconds"] - 120) <= 60
    assert rows[served]["status"] == "active" and rows[served]["agent_name"] == "小王"
    assert all(c["status"] != "resolved" for c in view["cases"])
    load = {a["display_name"]: a["active_cases"] for a in view["agents"]}
    assert load["小王"] >= 1


# --------------------------------------------------------------------------- the page


def test_console_page_round_trip_keeps_hostile_text_as_text(
    server: ThreadedSanicServer, agent: StandInAgent, database: str
) -> None:
    """The page itself, in Chromium: login, queue, claim, chat both ways, resolve, logout."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("run scripts/install_browser.sh")
    customer = CustomerFacts(3, XSS, "普通", "137****0003")
    case_id, sender = open_conversation(
        server,
        agent,
        database,
        customer_text=XSS,
        customer=customer,
        codes=("legal_threat",),
        priority=3,
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1440, "height": 900})
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.origin + "/webhooks/agent/")
            page.fill("#login-username", "lead01")
            page.fill("#login-password", "wrong")
            page.click("#login-submit")
            page.locator("#login-error", has_text="用户名或密码不正确").wait_for()
            page.fill("#login-password", "kefu-lead-1")
            page.click("#login-submit")
            item = page.locator(f'#queue-list [data-case-id="{case_id}"]')
            item.wait_for()
            assert XSS in item.inner_text() and "紧急" in item.inner_text()
            item.click()
            bubble = page.locator("#transcript .msg--customer .msg__bubble", has_text="onerror")
            bubble.first.wait_for()
            assert bubble.count() == 1 and bubble.inner_text() == XSS
            assert page.locator("#case-title").inner_text().startswith(XSS)
            assert page.locator("#message-input").is_disabled()

            page.click("#claim-btn")
            page.locator('#case-card[data-status="active"]').wait_for()
            page.locator("#suggestions .chip", has_text="重视并承诺处理").click()
            assert "非常重视" in page.input_value("#message-input")
            page.fill("#message-input", XSS)
            page.press("#message-input", "Enter")
            page.locator("#transcript .msg--agent .msg__bubble", has_text="onerror").wait_for()
            message = UserMessage("<b>好的</b>", sender_id=sender, input_channel="rest")
            server.run(agent.handle_message(message))
            page.locator("#transcript .msg--customer", has_text="<b>好的</b>").wait_for()

            page.click("#resolve-btn")
            page.click("#resolve-btn")
            page.locator('#case-card[data-status="resolved"]').wait_for()
            page.locator("#transcript .msg--bot", has_text="打个分").wait_for()
            page.click("#tab-supervisor")
            page.locator("#supervisor-view").wait_for()
            assert page.locator(f'#sup-rows [data-case-id="{case_id}"]').count() == 0

            injected = "#app-view img:not([src^='static/']), #app-view script, #app-view b"
            assert page.locator(injected).count() == 0
            assert page.evaluate("window.pwned") is None
            page.click("#logout-btn")
            page.locator("#login-view").wait_for()
            assert errors == []
        finally:
            browser.close()


# --------------------------------------------------------------------------- pure parts


def test_suggestions_follow_the_dispute_steps() -> None:
    replies = suggested_replies(
        ["safety_harm", "strong_anger", "rising_anger"], ["request_return"], agent_name="小李"
    )
    titles = [r.title for r in replies]
    assert titles == ["开场问候", "安全问题优先", "安抚致歉", "承诺跟进"]
    assert "人工客服小李" in replies[0].text
    assert all("您" in r.text and "你" not in r.text.replace("您", "") for r in replies)
    plain = suggested_replies([], ["track_order", "unknown_intent"])
    assert [r.key for r in plain] == ["greeting", "track_order", "follow_up"]
    assert all("你" not in r.text.replace("您", "") for r in CANNED_REPLIES)


def test_transcript_reads_button_choices_and_skips_the_widget_greeting() -> None:
    events = [
        {"event": "user", "text": "/greet", "timestamp": 1.0, "parse_data": {}},
        {
            "event": "user",
            "text": '/inform{"order_id":"202611180001"}',
            "timestamp": 2.0,
            "parse_data": {
                "intent": {"name": "inform"},
                "entities": [{"entity": "order_id", "value": "202611180001"}],
            },
        },
        {"event": "bot", "text": "", "timestamp": 3.0, "data": {"buttons": [{"title": "5 分"}]}},
        {"event": "bot", "text": "", "timestamp": 4.0, "data": {}},
        {"event": "resume", "timestamp": 5.0},
    ]
    assert transcript(events) == [
        {"kind": "customer", "text": "（点选）202611180001", "at": 2.0, "choice": True},
        {"kind": "bot", "text": "", "at": 3.0, "buttons": ["5 分"]},
        {"kind": "system", "text": "对话已交回机器人", "at": 5.0},
    ]
