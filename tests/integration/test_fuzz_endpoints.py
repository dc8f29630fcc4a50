"""Property-based fuzzing of every customer channel and console endpoint on a live server.

Hypothesis generates request bodies, headers and ids (JSON of any shape and depth, forged
tokens, huge numbers, odd text); every answer must be a deliberate one (< 500), no answer may
carry any customer's data that the request did not itself contain (phone numbers, names, order
numbers, addresses, tracking numbers), and the server must still be up afterwards. The run is
derandomised (a fixed seed): `make test` tries FUZZ_EXAMPLES (default 350) inputs per endpoint,
`make fuzz` 1,750 (10,500 in all) and writes the summary (inputs per endpoint, status codes,
5xx count, server alive, runtime) to FUZZ_SUMMARY (docs/fuzz_summary.md). The rate limits are
off here, so that the inputs reach the parsers (tests/integration/test_attack_rate_limit.py
tests the limits).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.models import Address, Customer, Order, Shipment
from bot.db.session import session_scope
from tests.integration.test_attack_identity import SECRET, RecordingAgent, start_server, token_for
from tests.threaded_sanic import ThreadedSanicServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "350"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the fixed seed: the same inputs on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CONSOLE = "/webhooks/agent/api/"
FORGED_SECRET = "forged-secret-0123456789abcdefghij"
JSON = {"Content-Type": "application/json"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)
senders = st.one_of(
    st.text(max_size=140), st.from_regex(r"[A-Za-z0-9._:@~-]{1,130}", fullmatch=True)
)
messages = st.one_of(st.text(max_size=300), st.just("退" * 2_001), json_values)
tokens = st.one_of(
    st.none(),
    # Any text a header line can hold (no control characters such as a line break).
    st.text(st.characters(blacklist_categories=("Cc",)), max_size=60),
    st.builds(token_for, st.integers(min_value=-5, max_value=10**20)),
    st.builds(
        lambda c: token_for(c, secret="forged-secret-0123456789abcdefghij"), st.integers(1, 9)
    ),
)
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda v: json.dumps(v).encode(), json_values),
    st.integers(1, 5000).map(lambda n: ("[" * n + "]" * n).encode()),
)
case_ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=30))

summary: dict[str, Counter[int]] = defaultdict(Counter)
leaks: Counter[str] = Counter()  # kind of data -> answers that carried another customer's
LEAK_KINDS = ("phone numbers", "names", "order numbers", "addresses", "tracking numbers")


@dataclass(frozen=True)
class CustomerData:
    """Every customer's personal data in the store, by kind: none of it may appear in an answer
    (nobody is signed in as its owner, or the answer is not about them)."""

    by_kind: dict[str, frozenset[str]]

    def leaked(self, answer: str, request: str) -> list[str]:
        # What the request itself contained may come back (an echo is not a leak).
        return [
            kind
            for kind, values in self.by_kind.items()
            if any(value in answer and value not in request for value in values)
        ]


def customer_data(url: str) -> CustomerData:
    with session_scope(url) as session:
        customers = session.query(Customer).all()
        orders = session.query(Order).all()
        addresses = session.query(Address).all()
        values = {
            "phone numbers": {c.phone for c in customers}
            | {o.ship_phone for o in orders}
            | {a.phone for a in addresses},
            "names": {c.name for c in customers} | {o.ship_recipient for o in orders},
            "order numbers": {o.order_no for o in orders},
            "addresses": {a.full_text for a in addresses} | {o.ship_address_text for o in orders},
            "tracking numbers": {s.tracking_no for s in session.query(Shipment).all()},
        }
    return CustomerData({kind: frozenset(values[kind]) for kind in LEAK_KINDS})


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ThreadedSanicServer, CustomerData]]:
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz_db') / 'kefu.db'}"
    seed(url)
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "DEMO_MODE": "true",
            "CUSTOMER_JWT_SECRET": SECRET,
            "DATABASE_URL": url,
            "RATE_LIMIT_PER_SENDER": "off",
            "RATE_LIMIT_PER_ADDRESS": "off",
            "RATE_LIMIT_LOGIN": "off",
        }.items():
            patch.setenv(key, value)
        known = customer_data(url)
        server = start_server(RecordingAgent())
        yield server, known
        alive = requests.get(server.url("/webhooks/chat/health"), timeout=30).ok
        server.stop()
    report(alive, time.monotonic() - started)


@pytest.fixture(autouse=True)
def fuzz_settings(monkeypatch: pytest.MonkeyPatch, live: Any) -> None:
    monkeypatch.setenv("CUSTOMER_JWT_SECRET", SECRET)


def report(alive: bool, seconds: float) -> None:
    """Prints the summary; with FUZZ_SUMMARY set (make fuzz) writes it there as Markdown too."""
    total = sum(sum(c.values()) for c in summary.values())
    errors = sum(n for c in summary.values() for code, n in c.items() if code >= 500)
    rows = [
        f"| {endpoint} | {sum(codes.values())} | "
        + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
        + " |"
        for endpoint, codes in sorted(summary.items())
    ]
    lines = [
        "# Fuzz summary",
        "",
        f"`make fuzz`, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: Hypothesis, derandomised "
        f"(fixed seed), {EXAMPLES} examples per test, against a live server "
        "(tests/integration/test_fuzz_endpoints.py).",
        "",
        "| endpoint | inputs | status codes |",
        "|---|---:|---|",
        *rows,
        "",
        f"- inputs in all: {total}",
        f"- HTTP 5xx: {errors}",
        f"- server alive afterwards: {'yes' if alive else 'NO'}",
        "- answers carrying another customer's data ("
        + ", ".join(LEAK_KINDS)
        + "): "
        + str(sum(leaks.values())),
        f"- runtime: {seconds / 60:.1f} min",
    ]
    print("\n" + "\n".join(lines))
    target = os.environ.get("FUZZ_SUMMARY")
    if target:
        Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")


def as_text(sent: Any) -> str:
    """What a request carried, as text to tell an echo from a leak."""
    if isinstance(sent, bytes):
        return sent.decode("utf-8", "replace")
    return json.dumps(sent, ensure_ascii=False, default=repr)


def check(endpoint: str, response: requests.Response, data: CustomerData, sent: Any) -> None:
    summary[endpoint][response.status_code] += 1
    assert response.status_code < 500, response.text[:300]
    leaked = data.leaked(response.text, as_text(sent))
    leaks.update(leaked)
    assert not leaked, f"{endpoint} answered with another customer's {', '.join(leaked)}"


@FUZZ
@given(sender=senders, message=messages, metadata=json_values, token=tokens)
def test_rest_webhook(live: Any, sender: Any, message: Any, metadata: Any, token: Any) -> None:
    server, data = live
    # Bytes: a header is whatever bytes a client sends, not only what latin-1 can spell.
    authorization = f"Bearer {token}".encode("utf-8", "surrogatepass")
    headers = {"Authorization": authorization} if token is not None else {}
    body = {"sender": sender, "message": message, "metadata": metadata}
    response = requests.post(server.url("/webhooks/rest/webhook"), json=body, headers=headers)
    check("POST /webhooks/rest/webhook", response, data, [body, token])


@FUZZ
@given(body=raw_bodies)
def test_rest_webhook_raw(live: Any, body: bytes) -> None:
    server, data = live
    response = requests.post(
        server.url("/webhooks/rest/webhook"),
        data=body,
        headers={"Content-Type": "application/json"},
    )
    check("POST /webhooks/rest/webhook (raw)", response, data, body)


@FUZZ
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries({"customer_id": st.one_of(json_values, st.integers(-3, 30))}),
    )
)
def test_demo_token(live: Any, body: Any) -> None:
    server, data = live
    response = requests.post(server.url("/webhooks/chat/demo-token"), json=body)
    check("POST /webhooks/chat/demo-token", response, data, body)


@FUZZ
@given(body=st.one_of(raw_bodies, st.builds(
    lambda u, p: json.dumps({"username": u, "password": p}).encode(),
    st.one_of(json_values, st.text(max_size=140)), st.one_of(json_values, st.text(max_size=140)),
)))  # fmt: skip
def test_console_login(live: Any, body: bytes) -> None:
    server, data = live
    response = requests.post(server.url(CONSOLE + "login"), data=body)
    check("POST console login", response, data, body)


@FUZZ
@given(case_id=case_ids, action=st.sampled_from(["", "/claim", "/resolve", "/messages"]),
       body=raw_bodies)  # fmt: skip
def test_console_cases(live: Any, case_id: Any, action: str, body: bytes) -> None:
    server, data = live
    url = server.url(f"{CONSOLE}cases/{requests.utils.quote(str(case_id), safe='')}{action}")
    response = requests.request("GET" if not action else "POST", url, data=body)
    check("console cases/<id>", response, data, [str(case_id), body.decode("utf-8", "replace")])


def test_socketio_user_uttered(live: Any) -> None:
    """socket.io events of any shape; the connection and the server survive them all, and no
    reply carries a customer's data."""
    server, known = live
    client = socketio.Client(reconnection=False)
    replies: list[Any] = []
    client.on("bot_uttered", replies.append)
    client.connect(server.origin, transports=["polling"], socketio_path="socket.io")
    sent: list[Any] = []

    @FUZZ
    @given(event=st.sampled_from(["user_uttered", "session_request"]), data=json_values)
    def emit(event: str, data: Any) -> None:
        client.emit(event, data)
        sent.append(data)
        # A burst would be batched past engine.io's 16 packets per request (refused as a whole).
        client.sleep(0.01)

    try:
        emit()
        client.emit("session_request", {})
        assert client.connected
    finally:
        client.eio.disconnect(abort=True)
    summary["socket.io events"][200] += len(sent)
    leaked = known.leaked(as_text(replies), as_text(sent))
    leaks.update(leaked)
    assert not leaked, f"a socket.io reply carried another customer's {', '.join(leaked)}"
    health = requests.get(server.url("/webhooks/chat/health"))
    check("GET /webhooks/chat/health", health, known, "")
