"""Attacks on the agent console, against the real console channel on a live server.

Uses the console test module's server, stand-in agent and helpers (same app, same demo agents).
Its fixtures are imported and then requested by name as parameters, which ruff reads as
redefinitions, hence the file-wide F811 exemption.
"""
# ruff: noqa: F811

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests
from rasa.shared.core.events import ConversationPaused

from bot.db.models_handoff import HandoffCase
from bot.db.session import session_scope
from bot.handoff import cases
from bot.handoff.escalation import Decision, Reason
from bot.timeutil import beijing_now
from tests.integration.test_console_api import (  # noqa: F401 - fixtures are requested by name
    API,
    StandInAgent,
    agent,
    build_app,
    claimed,
    database,
    events_of,
    li,
    server,
    wang,
)
from tests.threaded_sanic import ThreadedSanicServer


def reopen(server: ThreadedSanicServer, agent: StandInAgent, database: str, sender: str) -> int:
    """The same customer is handed over again: a new case for the same conversation."""
    tracker = server.run(agent.tracker_store.retrieve(sender))
    tracker.update(ConversationPaused())
    server.run(agent.tracker_store.save(tracker))
    decision = Decision(True, 1.0, 1, [Reason("requested_human", "again", 1.0)])
    with session_scope(database) as session:
        case = cases.open_case(
            session, sender_id=sender, customer_id=None, decision=decision, summary={},
            now=beijing_now(),
        )  # fmt: skip
        return int(case.id)


def test_re_resolving_an_old_case_leaves_the_new_one_alone(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
) -> None:
    old, sender = claimed(server, agent, database, wang)
    assert wang.post(f"{server.origin}{API}cases/{old}/resolve", json={}).ok
    new = reopen(server, agent, database, sender)
    assert li.post(f"{server.origin}{API}cases/{new}/claim").ok
    replay = wang.post(f"{server.origin}{API}cases/{old}/resolve", json={})
    assert replay.status_code == 409
    # The customer stays with li: the conversation is still paused and the case still active.
    assert events_of(server, agent, sender)[-1]["event"] == "pause"
    with session_scope(database) as session:
        assert session.get(HandoffCase, new).status == "active"


def test_oversized_and_nested_input_gets_4xx(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    nested = "[" * 8000 + "]" * 8000
    response = requests.post(
        server.origin + API + "login", data=nested, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    deep_object = json.dumps({"username": "a", "password": "b"})[:-1] + ', "x": ' + nested + "}"
    assert requests.post(server.origin + API + "login", data=deep_object).status_code == 400
    for case_id in (2**63, 10**40):
        assert wang.get(f"{server.origin}{API}cases/{case_id}").status_code == 404
        assert wang.post(f"{server.origin}{API}cases/{case_id}/claim").status_code == 404


def test_parallel_wrong_logins_are_counted_before_they_are_checked(
    server: ThreadedSanicServer,
) -> None:
    url = server.origin + API + "login"

    def attempt(_: int) -> int:
        body = {"username": "agent02", "password": "wrong"}
        return requests.post(url, json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(8)))
    assert statuses.count(401) == 5  # the per-username limit, not 8
    assert statuses.count(429) == 3


def test_forwarded_headers_count_only_from_a_configured_proxy(
    server: ThreadedSanicServer, agent: StandInAgent, database: str
) -> None:
    body = {"username": "agent01", "password": "kefu-demo-1"}
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    # No proxy configured: the headers are anyone's, so they change nothing.
    direct = requests.post(server.origin + API + "login", json=body, headers=spoofed)
    assert direct.ok and "secure" not in direct.headers["set-cookie"].lower()
    forged_origin = {**spoofed, "Origin": "http://evil.example"}
    assert (
        requests.post(
            server.origin + API + "logout", headers=forged_origin, cookies=direct.cookies
        ).status_code
        == 403
    )
    # Behind one trusted proxy (SANIC_PROXIES_COUNT=1) the request was HTTPS: a Secure cookie.
    app = build_app(agent)
    app.config.PROXIES_COUNT = 1
    proxied = ThreadedSanicServer(app, name="console-behind-proxy")
    proxied.start()
    try:
        via_proxy = requests.post(
            proxied.origin + API + "login",
            json=body,
            headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
        )
        assert via_proxy.ok and "secure" in via_proxy.headers["set-cookie"].lower()
    finally:
        proxied.stop()
