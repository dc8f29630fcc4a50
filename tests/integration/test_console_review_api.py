"""The console's 售后审核 and 跟进 routes against a live server, and the live push of notices.

Same set-up as test_console_api.py (its app builder and stand-in Rasa agent): a seeded SQLite
store, Rasa's SQL tracker store on the same file, real socket.io customers. A review decision
reaches a signed-in customer's open widget through the server's notice pump.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import socketio
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import select

from bot.db.models import Customer
from bot.db.session import session_scope
from bot.security.customer_token import issue_customer_token
from bot.services.clock import store_now
from bot.services.followups.satisfaction import store_rating
from bot.settings import get_settings
from bot.timeutil import beijing_now
from tests.integration.test_console_api import API, StandInAgent, build_app, login
from tests.threaded_sanic import ThreadedSanicServer

QUALITY_RETURN = "AS20261120000005"  # 赵磊 (19912345678), 退货退款 · 待审核
REFUND_ONLY = "AS20261118000003"  # 张伟, 仅退款 · 待审核


@pytest.fixture(scope="module")
def database(module_store_url: str) -> str:
    return module_store_url


@pytest.fixture(scope="module")
def agent(database: str) -> StandInAgent:
    return StandInAgent(SQLTrackerStore(Domain.empty(), host=database))


@pytest.fixture(scope="module")
def server(agent: StandInAgent) -> Iterator[ThreadedSanicServer]:
    live = ThreadedSanicServer(build_app(agent), name="review-server")
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def wang(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "agent01", "kefu-demo-1")


@pytest.fixture(scope="module")
def lead(server: ThreadedSanicServer) -> requests.Session:
    return login(server, "lead01", "kefu-lead-1")


class SignedInWidget:
    """A customer's widget connected with their token; the server issues the session id."""

    def __init__(self, server: ThreadedSanicServer, customer_id: int) -> None:
        token = issue_customer_token(
            customer_id, get_settings().customer_jwt_secret, beijing_now(), timedelta(hours=1)
        )
        self.received: list[dict[str, Any]] = []
        self.session_id = ""
        confirmed = threading.Event()

        def on_confirm(session_id: str) -> None:
            self.session_id = session_id
            confirmed.set()

        self.client = socketio.Client(reconnection=False)
        self.client.on("session_confirm", on_confirm)
        self.client.on("bot_uttered", self.received.append)
        self.client.connect(server.origin, transports=["polling"], auth={"token": token})
        self.client.emit("session_request", {})
        assert confirmed.wait(10), "no session_confirm"

    def wait_for(self, text: str, timeout: float = 15) -> dict[str, Any]:
        pause = threading.Event()
        for _ in range(int(timeout * 10)):
            found = [m for m in self.received if text in str(m.get("text"))]
            if found:
                return found[-1]
            pause.wait(0.1)
        raise AssertionError(f"the widget never showed {text!r}: {self.received}")

    def close(self) -> None:
        # Abort: a polite polling disconnect waits out the server's long-poll (about 30 s).
        self.client.eio.disconnect(abort=True)


def customer_id_by_phone(url: str, phone: str) -> int:
    with session_scope(url) as session:
        return int(session.execute(select(Customer.id).where(Customer.phone == phone)).scalar_one())


def test_reviewers_see_pending_tickets_with_the_facts_and_the_rule(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    assert requests.get(server.url(API + "tickets"), timeout=10).status_code == 401
    tickets = wang.get(server.url(API + "tickets"), timeout=10).json()["tickets"]
    card = next(t for t in tickets if t["ticket_no"] == QUALITY_RETURN)
    assert card["type"] == "退货退款" and card["reason"] == "质量问题"
    assert card["customer"]["name"] == "赵磊" and "****" in card["customer"]["phone"]
    assert card["order"]["signed_days"] == 4
    assert "运费由店铺承担" in card["rule"] and "照片" in card["photos"]


def test_an_approval_reaches_the_customers_open_widget_live(
    server: ThreadedSanicServer, wang: requests.Session, agent: StandInAgent, database: str
) -> None:
    widget = SignedInWidget(server, customer_id_by_phone(database, "19912345678"))
    try:
        answer = wang.post(
            server.url(API + f"tickets/{QUALITY_RETURN}/decision"),
            json={"decision": "approve", "reason": "照片清楚，开线属实"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "待寄回"
        pushed = widget.wait_for("审核通过")
        assert "退货单号" in pushed["text"] and "开线属实" in pushed["text"]
        # It is in the conversation too, so the transcript and the bot know it was said.
        tracker = server.run(agent.tracker_store.retrieve(widget.session_id))
        assert tracker is not None
        said = [e.as_dict() for e in tracker.events if e.as_dict().get("event") == "bot"]
        assert any("审核通过" in str(e.get("text")) for e in said)
    finally:
        widget.close()
    again = wang.post(
        server.url(API + f"tickets/{QUALITY_RETURN}/decision"),
        json={"decision": "reject", "reason": "重复"},
        timeout=10,
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("ticket_no", "body", "status"),
    [
        (REFUND_ONLY, {"decision": "reject"}, 400),
        (REFUND_ONLY, {"decision": "reject", "reason": "  "}, 400),
        (REFUND_ONLY, {"decision": "maybe"}, 400),
        (REFUND_ONLY, {"decision": "approve", "reason": ["x"]}, 400),
        ("AS20990101999999", {"decision": "approve"}, 404),
        ("../../etc", {"decision": "approve"}, 404),
    ],
)
def test_bad_decisions_are_refused_clearly(
    server: ThreadedSanicServer,
    wang: requests.Session,
    ticket_no: str,
    body: dict[str, Any],
    status: int,
) -> None:
    answer = wang.post(server.url(API + f"tickets/{ticket_no}/decision"), json=body, timeout=10)
    assert answer.status_code == status and answer.json()["message"]


def test_follow_ups_list_due_promises_and_closing_one_is_for_its_owner(
    server: ThreadedSanicServer, wang: requests.Session, lead: requests.Session, database: str
) -> None:
    listing = wang.get(server.url(API + "followups"), timeout=10).json()
    review = next(f for f in listing["followups"] if REFUND_ONLY in f["promise"])
    assert review["kind_label"] == "售后审核" and review["urgency"] == "overdue"
    assert listing["overdue"] >= 1

    with session_scope(database) as session:
        rated = store_rating(
            session,
            sender_id="unhappy-chat",
            customer_id=None,
            rating=1,
            comment="太慢",
            now=beijing_now(),
            store_time=store_now(session),
        )
    # No question was asked in that chat: nothing stored, nothing opened.
    assert not rated.stored

    closed = wang.post(
        server.url(API + f"followups/{review['id']}/close"),
        json={"outcome": "已加急审核，今天内给您结果"},
        timeout=10,
    )
    assert closed.status_code == 200
    twice = lead.post(
        server.url(API + f"followups/{review['id']}/close"), json={"outcome": "x"}, timeout=10
    )
    assert twice.status_code == 409
    missing = wang.post(
        server.url(API + "followups/999999/close"), json={"outcome": "x"}, timeout=10
    )
    assert missing.status_code == 404
    empty = wang.post(server.url(API + f"followups/{review['id']}/close"), json={}, timeout=10)
    assert empty.status_code == 400
