"""`bot logs export`: turns from Rasa's SQL tracker store, with what followed, masked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import Customer
from bot.db.session import dispose_engines, session_scope
from bot.demo.seed import seed
from bot.retrain.export import (
    ANSWERED,
    FALLBACK,
    HANDOFF,
    Turn,
    export_turns,
    load_turns,
    sender_alias,
    turns_of_conversation,
)
from bot.retrain.masking import NAME, ORDER, PHONE, TRACKING, mask_text
from bot.settings import get_settings

T0 = 1795000000.0


def user(text: str, intent: str, confidence: float, **parse: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": T0,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": parse.pop("entities", []),
            "text": text,
            **parse,
        },
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def test_each_turn_carries_its_prediction_and_what_followed() -> None:
    events = [
        action("action_session_start"),
        action("action_listen"),
        user(
            "运费怎么算",
            "faq",
            0.93,
            intent_ranking=[{"name": "faq", "confidence": 0.93}],
            response_selector={"faq": {"response": {"intent_response_key": "faq/shipping_fee"}}},
            emotion={"name": "neutral", "confidence": 0.8, "ranking": []},
        ),
        action("utter_faq"),
        action("action_listen"),
        user(
            "asdkjh",
            "nlu_fallback",
            0.45,
            intent_ranking=[
                {"name": "nlu_fallback", "confidence": 0.45},
                {"name": "out_of_scope", "confidence": 0.3},
            ],
        ),
        action("action_rephrase_or_offer_human"),
        action("action_listen"),
        user("转人工", "request_human", 0.99, emotion={"name": "angry", "confidence": 0.7}),
        action("action_handoff"),
        user("那我等着", "affirm", 0.55),
        action("action_default_fallback"),
    ]
    turns = turns_of_conversation("web-1", events)
    assert [t.text for t in turns] == ["运费怎么算", "asdkjh", "转人工", "那我等着"]
    assert [t.outcome for t in turns] == [ANSWERED, FALLBACK, HANDOFF, FALLBACK]
    faq, fallback, handoff, _ = turns
    assert faq.full_intent == "faq/shipping_fee" and faq.confidence == 0.93
    assert faq.emotion == {"name": "neutral", "confidence": 0.8}
    assert faq.actions == ["utter_faq"]
    assert fallback.ranking == [("out_of_scope", 0.3)]  # the best real guess, for the labeller
    assert handoff.emotion == {"name": "angry", "confidence": 0.7}
    assert turns[0].sender == "web-1" and not turns[0].masked


def test_masked_turns_hide_the_sender_text_and_identifier_entities() -> None:
    entities = [
        {"entity": "order_id", "value": "260415738821096453", "start": 2, "end": 20},
        {"entity": "product", "value": "空气炸锅"},
    ]
    events = [user("订单260415738821096453的空气炸锅到哪了，电话13812345678", "track_order", 0.9,
                   entities=entities)]  # fmt: skip
    (turn,) = turns_of_conversation("customer-42", events, mask_text)
    assert turn.sender == sender_alias("customer-42") != "customer-42"
    assert turn.text == f"订单{ORDER}的空气炸锅到哪了，电话{PHONE}"
    assert turn.entities == [
        {"entity": "order_id", "value": ORDER},
        {"entity": "product", "value": "空气炸锅"},
    ]
    assert turn.masked


def test_turns_round_trip_through_jsonl(tmp_path: Path) -> None:
    turn = Turn("c-1", T0, "我的快递", "track_order", 0.5, ranking=[("track_order", 0.5)])
    path = tmp_path / "t.jsonl"
    path.write_text(turn.to_json() + "\n", encoding="utf-8")
    assert load_turns(path) == [turn]
    assert "我的快递" in path.read_text(encoding="utf-8")  # readable Chinese, not \u escapes


# --- against a real tracker store ----------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(URL, a real customer's name): a seeded shop whose conversations Rasa itself stored."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    path = tmp_path_factory.mktemp("tracker") / "kefu.db"
    url = f"sqlite:///{path}"
    seed(url)
    with session_scope(url) as session:
        name = session.execute(select(Customer.name).order_by(Customer.id)).scalars().first()
    assert name
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    angry = {"emotion": {"name": "angry", "confidence": 0.9}}
    conversations = {
        "alice": [
            UserUttered(
                f"我叫{name}，我的快递SF304918275561到哪了",
                {"name": "track_order", "confidence": 0.42},
                timestamp=T0,
            ),
            ActionExecuted("action_track_order", timestamp=T0 + 1),
            ActionExecuted("action_listen", timestamp=T0 + 2),
        ],
        "bob": [
            UserUttered(
                "你们这什么破店",
                {"name": "nlu_fallback", "confidence": 0.3},
                parse_data=angry,
                timestamp=T0 + 10,
            ),
            ActionExecuted("action_rephrase_or_offer_human", timestamp=T0 + 11),
            UserUttered("转人工", {"name": "request_human", "confidence": 0.97}, timestamp=T0 + 20),
            ActionExecuted("action_handoff", timestamp=T0 + 21),
        ],
    }
    for sender, events in conversations.items():
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events)))
    tracker_store.engine.dispose()
    yield url, name
    dispose_engines()


def test_export_reads_rasa_events_and_masks_by_default(
    store: tuple[str, str], tmp_path: Path
) -> None:
    url, name = store
    out = tmp_path / "turns.jsonl"
    assert export_turns(url, out, progress=False) == 3
    turns = load_turns(out)
    texts = [t.text for t in turns]
    assert all(name not in t and "SF304918275561" not in t for t in texts)
    assert f"我的快递{TRACKING}到哪了" in texts[0]
    assert {t.sender for t in turns} == {sender_alias("alice"), sender_alias("bob")}
    by_text = {t.text: t for t in turns}
    assert by_text["你们这什么破店"].outcome == FALLBACK
    assert by_text["你们这什么破店"].emotion == {"name": "angry", "confidence": 0.9}
    assert by_text["转人工"].outcome == HANDOFF
    assert turns[0].confidence == 0.42 and turns[0].outcome == ANSWERED


def test_no_mask_keeps_the_text_and_the_cli_writes_the_file(
    store: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, name = store
    out = tmp_path / "raw.jsonl"
    assert main(["logs", "export", "--database-url", url, "--out", str(out), "--no-mask"]) == 0
    assert "NOT masked" in capsys.readouterr().out
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert name in first["text"] and first["sender"] == "alice" and first["masked"] is False


def test_since_filters_by_date_and_a_shop_without_conversations_exports_nothing(
    store: tuple[str, str], db_url: str, tmp_path: Path
) -> None:
    from datetime import datetime, timezone

    url, _ = store
    later = datetime.fromtimestamp(T0 + 5, tz=timezone.utc)
    assert export_turns(url, tmp_path / "late.jsonl", since=later, progress=False) == 2
    assert export_turns(db_url, tmp_path / "empty.jsonl", progress=False) == 0
    assert (tmp_path / "empty.jsonl").read_text(encoding="utf-8") == ""


def test_an_unreachable_database_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://nobody@127.0.0.1:1/x"
    assert main(["logs", "export", "--database-url", url, "--out", str(tmp_path / "x")]) == 1
    assert "cannot read the tracker store" in capsys.readouterr().err


def test_bot_inbox_reads_the_tracker_store_itself(
    store: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    url, name = store
    out = tmp_path / "inbox.yml"
    assert main(["inbox", "--database-url", url, "--out", str(out)]) == 0
    assert "from 3 turns" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert name not in text and "SF304918275561" not in text
    items = {i["text"]: i for i in yaml.safe_load(text)["items"]}
    assert set(items["你们这什么破店"]["reasons"]) >= {"fallback", "low_confidence"}
    assert f"我叫{NAME}，我的快递{TRACKING}到哪了" in items
    assert "转人工" not in items or "handoff" not in items["转人工"]["reasons"]


def test_conversation_ids_are_replaced_by_a_keyed_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setenv("EXPORT_HMAC_KEY", "first-key-0123456789abcdef")
    first = sender_alias("alice~c1")
    assert first == sender_alias("alice~c1")  # stable: one conversation's turns group together
    # Not a plain hash: who knows the id but not the key cannot confirm it in an export.
    assert hashlib.sha256(b"alice~c1").hexdigest()[:16] not in first
    monkeypatch.setenv("EXPORT_HMAC_KEY", "second-key-0123456789abcdef")
    get_settings.cache_clear()
    assert sender_alias("alice~c1") != first
