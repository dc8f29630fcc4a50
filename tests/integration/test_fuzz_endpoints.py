"""Property-based fuzzing of every customer channel and console endpoint on a live server.

Hypothesis generates request bodies, headers and ids (JSON of any shape and depth, forged
tokens, huge numbers, odd text); every answer must be a deliberate one (< 500), no answer may
carry a customer's full phone number, and the server must still be up afterwards. The run is
derandomised (a fixed seed): `make test` tries FUZZ_EXAMPLES (default 350) inputs per endpoint,
`make fuzz` many more, and prints the summary (inputs per endpoint, status codes).
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.models import Customer
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


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ThreadedSanicServer, list[str]]]:
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz_db') / 'kefu.db'}"
    seed(url)
    with session_scope(url) as session:
        phones = [c.phone for c in session.query(Customer).all()]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_MODE", "true")
        patch.setenv("CUSTOMER_JWT_SECRET", SECRET)
        patch.setenv("DATABASE_URL", url)
        server = start_server(RecordingAgent())
        yield server, phones
        server.stop()
    print_summary()


@pytest.fixture(autouse=True)
def fuzz_settings(monkeypatch: pytest.MonkeyPatch, live: Any) -> None:
    monkeypatch.setenv("CUSTOMER_JWT_SECRET", SECRET)


def print_summary() -> None:
    lines = ["", "fuzz summary (inputs per endpoint, status codes):"]
    for endpoint, codes in sorted(summary.items()):
        lines.append(f"  {endpoint}: {sum(codes.values())} inputs, {dict(sorted(codes.items()))}")
    total = sum(sum(c.values()) for c in summary.values())
    errors = sum(n for c in summary.values() for code, n in c.items() if code >= 500)
    lines.append(f"  total: {total} inputs, {errors} HTTP 5xx")
    print("\n".join(lines))


def check(endpoint: str, response: requests.Response, phones: list[str]) -> None:
    summary[endpoint][response.status_code] += 1
    assert response.status_code < 500, response.text[:300]
    leaked = [p for p in phones if p in response.text]
    assert not leaked, f"{endpoint} answered with a customer's phone number"


@FUZZ
@given(sender=senders, message=messages, metadata=json_values, token=tokens)
def test_rest_webhook(live: Any, sender: Any, message: Any, metadata: Any, token: Any) -> None:
    server, phones = live
    # Bytes: a header is whatever bytes a client sends, not only what latin-1 can spell.
    authorization = f"Bearer {token}".encode("utf-8", "surrogatepass")
    headers = {"Authorization": authorization} if token is not None else {}
    body = {"sender": sender, "message": message, "metadata": metadata}
    response = requests.post(server.url("/webhooks/rest/webhook"), json=body, headers=headers)
    check("POST /webhooks/rest/webhook", response, phones)


@FUZZ
@given(body=raw_bodies)
def test_rest_webhook_raw(live: Any, body: bytes) -> None:
    server, phones = live
    response = requests.post(
        server.url("/webhooks/rest/webhook"),
        data=body,
        headers={"Content-Type": "application/json"},
    )
    check("POST /webhooks/rest/webhook (raw)", response, phones)


@FUZZ
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries({"customer_id": st.one_of(json_values, st.integers(-3, 30))}),
    )
)
def test_demo_token(live: Any, body: Any) -> None:
    server, phones = live
    response = requests.post(server.url("/webhooks/chat/demo-token"), json=body)
    check("POST /webhooks/chat/demo-token", response, phones)


@FUZZ
@given(body=st.one_of(raw_bodies, st.builds(
    lambda u, p: json.dumps({"username": u, "password": p}).encode(),
    st.one_of(json_values, st.text(max_size=140)), st.one_of(json_values, st.text(max_size=140)),
)))  # fmt: skip
def test_console_login(live: Any, body: bytes) -> None:
    server, phones = live
    response = requests.post(server.url(CONSOLE + "login"), data=body)
    check("POST console login", response, phones)


@FUZZ
@given(case_id=case_ids, action=st.sampled_from(["", "/claim", "/resolve", "/messages"]),
       body=raw_bodies)  # fmt: skip
def test_console_cases(live: Any, case_id: Any, action: str, body: bytes) -> None:
    server, phones = live
    url = server.url(f"{CONSOLE}cases/{requests.utils.quote(str(case_id), safe='')}{action}")
    response = requests.request("GET" if not action else "POST", url, data=body)
    check("console cases/<id>", response, phones)


def test_socketio_user_uttered(live: Any) -> None:
    """socket.io events of any shape; the connection and the server survive them all."""
    server, phones = live
    client = socketio.Client(reconnection=False)
    client.connect(server.origin, transports=["polling"], socketio_path="socket.io")
    sent = []

    @FUZZ
    @given(event=st.sampled_from(["user_uttered", "session_request"]), data=json_values)
    def emit(event: str, data: Any) -> None:
        client.emit(event, data)
        sent.append(event)
        # A burst would be batched past engine.io's 16 packets per request (refused as a whole).
        client.sleep(0.01)

    try:
        emit()
        client.emit("session_request", {})
        assert client.connected
    finally:
        client.eio.disconnect(abort=True)
    summary["socket.io events"][200] += len(sent)
    check("GET /webhooks/chat/health", requests.get(server.url("/webhooks/chat/health")), phones)
