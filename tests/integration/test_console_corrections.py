"""Intent corrections from the agent console, against the live server of test_console_api.

The fixtures (a seeded SQLite store, Rasa's SQL tracker store, the console served from a
thread) are those of tests/integration/test_console_api.py, imported so both files build the app
the same way; every test opens its own handed-over conversation.
"""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

import tests.integration.test_console_api as console_api
from bot.db.models_retrain import IntentCorrection
from bot.db.session import session_scope
from bot.handoff.console.views import transcript
from tests.integration.test_console_api import API, StandInAgent, claimed, open_conversation
from tests.threaded_sanic import ThreadedSanicServer

# The fixtures of test_console_api, found by pytest under these names (module scope: this file
# gets its own store and server).
database = console_api.database
agent = console_api.agent
server = console_api.server
wang = console_api.wang
li = console_api.li
lead = console_api.lead

REFUND_TEXT = "这个退货怎么还没退款"


def message_at(http: requests.Session, origin: str, case_id: int, text: str) -> dict[str, Any]:
    card = http.get(f"{origin}{API}cases/{case_id}").json()
    return next(m for m in card["transcript"] if m["kind"] == "customer" and m["text"] == text)


def correct(
    http: requests.Session, origin: str, case_id: int, body: dict[str, Any]
) -> requests.Response:
    return http.post(f"{origin}{API}cases/{case_id}/corrections", json=body, timeout=10)


def rows_of(database: str, sender: str) -> list[tuple[float, str, str, str, int | None]]:
    with session_scope(database) as session:
        found = session.execute(
            select(IntentCorrection).where(IntentCorrection.sender_id == sender)
        ).scalars()
        return [
            (r.message_timestamp, r.text, r.predicted_intent, r.corrected_intent, r.agent_id)
            for r in found
        ]


def test_holder_corrects_a_message_with_text_and_prediction_from_the_tracker(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    message = message_at(wang, server.origin, case_id, REFUND_TEXT)
    assert message["intent"] == "refund_status" and message["intent_label"] == "退款进度"
    assert "correction" not in message

    response = correct(
        wang,
        server.origin,
        case_id,
        # Text and prediction sent by a client are ignored: the tracker is the record.
        {
            "message_timestamp": message["at"],
            "corrected_intent": "request_refund",
            "text": "forged",
            "predicted_intent": "greet",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["corrected_intent"] == "request_refund" and isinstance(body["id"], int)
    me = wang.get(server.origin + API + "me").json()["agent"]["id"]
    assert rows_of(database, sender) == [
        (message["at"], REFUND_TEXT, "refund_status", "request_refund", me)
    ]
    # The case card shows the verdict from then on.
    again = message_at(wang, server.origin, case_id, REFUND_TEXT)
    assert again["correction"] == {"intent": "request_refund", "label": "退款"}


def test_correcting_twice_keeps_one_row_with_the_latest_intent(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    at = message_at(wang, server.origin, case_id, REFUND_TEXT)["at"]
    for intent in ("request_refund", "faq/return_policy"):
        body = {"message_timestamp": at, "corrected_intent": intent}
        assert correct(wang, server.origin, case_id, body).status_code == 200
    rows = rows_of(database, sender)
    assert len(rows) == 1 and rows[0][3] == "faq/return_policy"
    label = message_at(wang, server.origin, case_id, REFUND_TEXT)["correction"]["label"]
    assert label == "常见问题·退货政策"


def test_only_the_holder_or_a_supervisor_may_correct(
    server: ThreadedSanicServer,
    agent: StandInAgent,
    database: str,
    wang: requests.Session,
    li: requests.Session,
    lead: requests.Session,
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    at = message_at(wang, server.origin, case_id, REFUND_TEXT)["at"]
    body = {"message_timestamp": at, "corrected_intent": "complaint"}
    response = correct(li, server.origin, case_id, body)
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert rows_of(database, sender) == []
    assert correct(lead, server.origin, case_id, body).status_code == 200
    assert [r[3] for r in rows_of(database, sender)] == ["complaint"]

    # A waiting case is nobody's yet: no agent may label it.
    waiting_id, _ = open_conversation(server, agent, database)
    assert correct(wang, server.origin, waiting_id, body).status_code == 403


def test_unknown_messages_and_cases_are_404(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    at = message_at(wang, server.origin, case_id, REFUND_TEXT)["at"]
    bot_at = next(
        m["at"]
        for m in wang.get(f"{server.origin}{API}cases/{case_id}").json()["transcript"]
        if m["kind"] == "bot"
    )
    for stamp in (at + 0.5, 1.0, bot_at):
        body = {"message_timestamp": stamp, "corrected_intent": "complaint"}
        response = correct(wang, server.origin, case_id, body)
        assert response.status_code == 404, stamp
        assert response.json()["error"] == "message_not_found"
    body = {"message_timestamp": at, "corrected_intent": "complaint"}
    assert correct(wang, server.origin, 999_999, body).status_code == 404
    assert rows_of(database, sender) == []


def test_bad_bodies_and_unknown_intents_are_400(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    at = message_at(wang, server.origin, case_id, REFUND_TEXT)["at"]
    bodies: list[Any] = [
        {"message_timestamp": at, "corrected_intent": "fly_to_the_moon"},
        {"message_timestamp": at, "corrected_intent": "faq/no_such_topic"},
        {"message_timestamp": at, "corrected_intent": "session_start"},
        {"message_timestamp": at, "corrected_intent": "nlu_fallback"},
        {"message_timestamp": at, "corrected_intent": 3},
        {"message_timestamp": at},
        {"message_timestamp": str(at), "corrected_intent": "complaint"},
        {"message_timestamp": True, "corrected_intent": "complaint"},
        {"corrected_intent": "complaint"},
        ["not", "an", "object"],
    ]
    for body in bodies:
        assert correct(wang, server.origin, case_id, body).status_code == 400, body
    url = f"{server.origin}{API}cases/{case_id}/corrections"
    assert wang.post(url, data=b"{not json", timeout=10).status_code == 400
    assert rows_of(database, sender) == []


def test_corrections_and_the_intent_list_need_a_session(
    server: ThreadedSanicServer, agent: StandInAgent, database: str, wang: requests.Session
) -> None:
    case_id, sender = claimed(server, agent, database, wang)
    at = message_at(wang, server.origin, case_id, REFUND_TEXT)["at"]
    body = {"message_timestamp": at, "corrected_intent": "complaint"}
    assert correct(requests.Session(), server.origin, case_id, body).status_code == 401
    assert requests.get(server.origin + API + "intents", timeout=10).status_code == 401
    assert rows_of(database, sender) == []


def test_intent_list_is_the_domain_with_faq_topics_and_chinese_labels(
    server: ThreadedSanicServer, wang: requests.Session
) -> None:
    response = wang.get(server.origin + API + "intents")
    assert response.status_code == 200
    intents = {i["name"]: i["label"] for i in response.json()["intents"]}
    assert intents["track_order"] == "查物流" and intents["request_refund"] == "退款"
    assert intents["faq/invoice"] == "常见问题·发票"
    assert not {"session_start", "restart", "back", "nlu_fallback"} & set(intents)
    # Every intent reads as the desk calls it, never as its code name.
    assert intents["suggestion"] == "建议"
    assert all(label != name for name, label in intents.items()), intents


def test_transcript_carries_prediction_and_correction_of_typed_messages_only() -> None:
    events = [
        {"event": "user", "text": "/greet", "timestamp": 1.0, "parse_data": {}},
        {
            "event": "user",
            "text": "开发票吗",
            "timestamp": 2.5,
            "parse_data": {
                "intent": {"name": "faq"},
                "response_selector": {"faq": {"response": {"intent_response_key": "faq/invoice"}}},
            },
        },
        {"event": "user", "text": "嗯", "timestamp": 3.0, "parse_data": {}},
    ]
    assert transcript(events, {2.5: "faq/payment"}) == [
        {
            "kind": "customer",
            "text": "开发票吗",
            "at": 2.5,
            "intent": "faq/invoice",
            "intent_label": "常见问题·发票",
            "correction": {"intent": "faq/payment", "label": "常见问题·支付方式"},
        },
        {"kind": "customer", "text": "嗯", "at": 3.0, "intent": None},
    ]
