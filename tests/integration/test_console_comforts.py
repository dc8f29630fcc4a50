"""The console's comforts against a live server: live pokes over socket.io, unread counts,
search of past cases, canned replies kept by supervisors.

The server is built as in test_console_api.py (Rasa's own channel registration, the real SQL
tracker store on a seeded SQLite file, a stand-in for the model); agents and customers talk to
it through real HTTP and real socket.io clients.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio

from bot.db.models import Customer, Order
from bot.db.session import session_scope
from bot.handoff.console.live import NAMESPACE, issue_ticket
from bot.handoff.suggestions import CANNED_REPLIES
from bot.handoff.summary import CustomerFacts
from tests.integration.test_console_api import (
    API,
    StandInAgent,
    WidgetClient,
    build_app,
    login,
    open_conversation,
    wait_until,
)
from tests.threaded_sanic import ThreadedSanicServer


@pytest.fixture(scope="module")
def database(module_store_url: str) -> str:
    return module_store_url


@pytest.fixture(scope="module")
def agent(database: str) -> StandInAgent:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return StandInAgent(SQLTrackerStore(Domain.empty(), host=database))


@pytest.fixture(scope="module")
def server(agent: StandInAgent) -> Iterator[ThreadedSanicServer]:
    live = ThreadedSanicServer(build_app(agent), name="comforts-server")
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def wang(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "agent01", "kefu-demo-1")


@pytest.fixture(scope="module")
def li(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "agent02", "kefu-demo-2")


@pytest.fixture(scope="module")
def lead(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "lead01", "kefu-lead-1")


class DeskClient:
    """An agent's console socket: namespace /console, signed in with a ticket."""

    def __init__(self, server: ThreadedSanicServer, ticket: str) -> None:
        self.pokes: list[dict[str, Any]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("desk", self.pokes.append, namespace=NAMESPACE)
        self.client.connect(
            server.origin,
            namespaces=[NAMESPACE],
            transports=["polling"],
            socketio_path="socket.io",
            auth={"ticket": ticket},
            wait_timeout=10,
        )

    def poke_for(self, case_id: int, kind: str) -> dict[str, Any]:
        return dict(
            wait_until(
                lambda: next(
                    (p for p in self.pokes if p["case_id"] == case_id and p["kind"] == kind), None
                )
            )
        )

    def close(self) -> None:
        close(self.client)


def close(client: socketio.Client) -> None:
    # Without abort, the polling client waits for its pending long poll (the 25 s ping).
    client.eio.disconnect(abort=True)


def namespace_answer(server: ThreadedSanicServer, auth: dict[str, Any]) -> str:
    """What the server answers a request to join /console, spoken in engine.io polling."""
    base = f"{server.origin}/socket.io/?EIO=4&transport=polling"
    sid = json.loads(requests.get(base, timeout=10).text[1:])["sid"]
    joined = f"40{NAMESPACE},{json.dumps(auth)}"
    assert requests.post(f"{base}&sid={sid}", data=joined, timeout=10).status_code == 200
    answer = requests.get(f"{base}&sid={sid}", timeout=10).text
    requests.post(f"{base}&sid={sid}", data="1", timeout=10)  # engine.io close
    return answer


def ticket_of(http: requests.Session, server: ThreadedSanicServer) -> str:
    response = http.post(f"{server.origin}{API}live-ticket")
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


def brief_in(http: requests.Session, server: ThreadedSanicServer, case_id: int) -> dict[str, Any]:
    lists = http.get(f"{server.origin}{API}queue").json()
    return next(c for c in lists["queue"] + lists["mine"] if c["id"] == case_id)


# --------------------------------------------------------------------------- live pokes


def test_a_customer_message_in_a_handed_over_chat_pokes_every_console_but_no_customer(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = open_conversation(server, agent, database, channel="socketio")
    desk = DeskClient(server, ticket_of(wang, server))
    widget = WidgetClient(server, sender)
    leaked: list[Any] = []
    widget.client.on("desk", leaked.append)
    try:
        widget.say("还要等多久啊")
        poke = desk.poke_for(case_id, "customer_message")
        # A poke names the case, never its content: the console fetches that through the API.
        assert poke == {
            "kind": "customer_message",
            "case_id": case_id,
            "status": "waiting",
            "agent_id": None,
        }
        assert wang.post(f"{server.origin}{API}cases/{case_id}/claim").status_code == 200
        claimed = desk.poke_for(case_id, "claimed")
        assert claimed["status"] == "active" and claimed["agent_id"] == wang_id(wang, server)
        assert leaked == []
    finally:
        close(widget.client)
        desk.close()


def test_typing_notes_go_both_ways_but_only_for_the_agent_holding_the_chat(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
) -> None:
    case_id, sender = open_conversation(server, agent, database, channel="socketio")
    assert wang.post(f"{server.origin}{API}cases/{case_id}/claim").status_code == 200
    mine, other = (
        DeskClient(server, ticket_of(wang, server)),
        DeskClient(server, ticket_of(li, server)),
    )
    widget = WidgetClient(server, sender)
    typing: list[dict[str, Any]] = []
    widget.client.on("agent_typing", typing.append)
    try:
        widget.client.emit("customer_typing", {})
        assert mine.poke_for(case_id, "customer_typing")["status"] == "active"
        other.client.emit("typing", {"case_id": case_id}, namespace=NAMESPACE)
        mine.client.emit("typing", {"case_id": case_id}, namespace=NAMESPACE)
        assert wait_until(lambda: typing) == [{"agent": "小王"}]
    finally:
        close(widget.client)
        mine.close()
        other.close()


def wang_id(http: requests.Session, server: ThreadedSanicServer) -> int:
    return int(http.get(f"{server.origin}{API}me").json()["agent"]["id"])


@pytest.mark.parametrize("ticket", ["", "1.9999999999.forged", "not a ticket", None])
def test_the_console_socket_refuses_a_connection_without_a_valid_ticket(
    server: ThreadedSanicServer, ticket: str | None
) -> None:
    assert namespace_answer(server, {"ticket": ticket}).startswith(f"44{NAMESPACE},")


def test_a_fresh_ticket_is_accepted_an_expired_one_is_not_and_tickets_need_a_session(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    fresh = ticket_of(wang, server)
    assert namespace_answer(server, {"ticket": fresh}).startswith(f"40{NAMESPACE},")
    agent_id, _, signature = fresh.split(".")
    expired = issue_ticket(int(agent_id), now=0.0)
    assert namespace_answer(server, {"ticket": expired}).startswith(f"44{NAMESPACE},")
    # The signature covers the expiry: pushing it into the future breaks it.
    extended = f"{agent_id}.9999999999.{signature}"
    assert namespace_answer(server, {"ticket": extended}).startswith(f"44{NAMESPACE},")
    assert requests.post(f"{server.origin}{API}live-ticket", timeout=10).status_code == 401


# --------------------------------------------------------------------------- unread counts


def test_unread_counts_grow_per_agent_and_clear_when_the_case_is_shown(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
) -> None:
    case_id, sender = open_conversation(server, agent, database, channel="socketio")
    assert brief_in(wang, server, case_id)["unread"] == 0
    widget = WidgetClient(server, sender)
    try:
        widget.say("在吗")
        widget.say("我的退款到底什么时候到")
        wait_until(lambda: brief_in(wang, server, case_id)["unread"] == 2)
    finally:
        close(widget.client)
    assert wang.get(f"{server.origin}{API}cases/{case_id}").status_code == 200
    assert brief_in(wang, server, case_id)["unread"] == 0
    # Each agent reads for themselves.
    assert brief_in(li, server, case_id)["unread"] == 2


# --------------------------------------------------------------------------- search


def customer_facts(database: str, name: str) -> tuple[CustomerFacts, str, str]:
    with session_scope(database) as session:
        customer = session.query(Customer).filter_by(name=name).one()
        order = session.query(Order).filter_by(customer_id=customer.id).first()
        assert order is not None
        facts = CustomerFacts(customer.id, customer.name, "金卡", "177****8888")
        return facts, str(customer.phone), str(order.order_no)


def found(http: requests.Session, server: ThreadedSanicServer, q: str) -> list[int]:
    response = http.get(f"{server.origin}{API}search", params={"q": q})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["cases"]]


def test_search_finds_past_cases_by_customer_phone_order_and_text_within_access(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
    lead: requests.Session,
) -> None:
    facts, phone, order_no = customer_facts(database, "陈静")
    case_id, _ = open_conversation(
        server, agent, database, customer=facts, customer_text="耳机左边没声音了，我要人工"
    )
    base = f"{server.origin}{API}cases/{case_id}"
    assert wang.post(base + "/claim").status_code == 200
    assert wang.post(base + "/resolve", json={}).status_code == 200

    for q in ("陈静", phone, phone[-4:], order_no, "左边没声音"):
        assert case_id in found(wang, server, q), q
        assert case_id in found(lead, server, q), q
        # A resolved case is its agent's and the supervisors', not every colleague's.
        assert case_id not in found(li, server, q), q
    match = wang.get(f"{server.origin}{API}search", params={"q": "左边没声音"}).json()["cases"]
    assert "耳机左边没声音了" in next(c for c in match if c["id"] == case_id)["match"]
    assert found(wang, server, "这句话谁也没说过") == []


@pytest.mark.parametrize("q", ["", "   ", "长" * 51])
def test_search_refuses_an_empty_or_overlong_query(
    server: ThreadedSanicServer, wang: requests.Session, q: str
) -> None:
    response = wang.get(f"{server.origin}{API}search", params={"q": q})
    assert response.status_code == 400
    assert response.json()["message"]


def test_search_takes_sql_wildcards_literally(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    assert found(wang, server, "%") == []
    assert found(wang, server, "_") == []


# --------------------------------------------------------------------------- canned replies


def test_agents_read_canned_replies_that_only_supervisors_change(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    lead: requests.Session,
) -> None:
    url = f"{server.origin}{API}canned"
    replies = wang.get(url).json()["canned"]
    assert [r["title"] for r in replies] == [r.title for r in CANNED_REPLIES]
    first = replies[0]
    assert wang.post(url, json={"title": "新的", "text": "内容"}).status_code == 403
    assert wang.put(f"{url}/{first['id']}", json={"title": "x", "text": "y"}).status_code == 403
    assert wang.delete(f"{url}/{first['id']}").status_code == 403

    created = lead.post(url, json={"title": "催发货安抚", "text": "已经帮您催仓库了，今天会发出。"})
    assert created.status_code == 201, created.text
    new_id = created.json()["reply"]["id"]
    edited = lead.put(f"{url}/{new_id}", json={"title": "催发货安抚", "text": "今天 18 点前发出。"})
    assert edited.status_code == 200
    assert lead.post(url, json={"title": "催发货安抚", "text": "重复"}).status_code == 409
    assert lead.post(url, json={"title": " ", "text": "没有标题"}).status_code == 400
    assert lead.put(f"{url}/999999", json={"title": "a", "text": "b"}).status_code == 404

    # What agents pick from in a case card is the edited list.
    case_id, _ = open_conversation(server, agent, database)
    card = wang.get(f"{server.origin}{API}cases/{case_id}").json()
    assert {"id": new_id, "title": "催发货安抚", "text": "今天 18 点前发出。"} in card["canned"]

    assert lead.delete(f"{url}/{new_id}").status_code == 200
    assert new_id not in [r["id"] for r in wang.get(url).json()["canned"]]


def test_canned_reply_race_for_one_title_has_one_winner(
    server: ThreadedSanicServer, lead: requests.Session
) -> None:
    url = f"{server.origin}{API}canned"
    statuses: list[int] = []

    def add() -> None:
        response = requests.post(
            url, json={"title": "同名竞争", "text": "内容"}, cookies=lead.cookies, timeout=10
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
