"""`bot inbox`: which turns are worth labelling, merged and ranked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.db.migrate import upgrade
from bot.db.session import session_scope
from bot.retrain.corrections import record_correction
from bot.retrain.export import ANSWERED, FALLBACK, HANDOFF, Turn
from bot.retrain.inbox import (
    CORRECTION,
    FALLBACK_REASON,
    HANDOFF_REASON,
    LOW_CONFIDENCE_REASON,
    UNSEEN_REASON,
    Item,
    build_queue,
    propose_example,
    read_labels,
    render,
    tokens,
    vocabulary,
)
from bot.retrain.masking import ORDER
from bot.retrain.trainingdata import text_key

VOCAB = vocabulary(["我的快递到哪了", "帮我取消订单", "运费怎么算", "你好"])


def turn(text: str, intent: str = "track_order", confidence: float = 0.9, **kw: object) -> Turn:
    return Turn("c-1", 0.0, text, intent, confidence, **kw)  # type: ignore[arg-type]


def queue(
    turns: list[Turn],
    corrections: list[tuple[Turn, str]] | None = None,
    labelled: dict[str, str] | None = None,
    held_out: set[str] | None = None,
    limit: int | None = None,
) -> list[Item]:
    return build_queue(
        turns, corrections or [], VOCAB, labelled or {}, held_out or set(), limit=limit
    )


def test_confident_answered_turns_in_known_words_are_not_queued() -> None:
    assert queue([turn("我的快递到哪了？", confidence=0.95, outcome=ANSWERED)]) == []


def test_each_reason_queues_a_turn() -> None:
    items = queue(
        [
            turn("帮我取消订单", confidence=0.4),
            turn("你好", intent="greet", confidence=0.9, outcome=HANDOFF),
            turn("转人工", intent="request_human", confidence=0.99, outcome=HANDOFF),
            turn("运费怎么算", intent="nlu_fallback", confidence=0.3, outcome=FALLBACK),
            turn("我的快递咋整", confidence=0.95),
        ]
    )
    reasons = {i.text: i.reasons for i in items}
    assert reasons["帮我取消订单"] == {LOW_CONFIDENCE_REASON}
    assert reasons["你好"] == {HANDOFF_REASON}
    assert reasons["运费怎么算"] == {FALLBACK_REASON, LOW_CONFIDENCE_REASON}
    assert reasons["我的快递咋整"] == {UNSEEN_REASON}
    # asked for a person and got one: understood, not a failure
    assert HANDOFF_REASON not in reasons.get("转人工", set())
    unseen = next(i for i in items if i.text == "我的快递咋整").unseen
    assert unseen and all(w not in VOCAB for w in unseen)


def test_duplicates_are_merged_on_normalised_text_and_counted() -> None:
    items = queue(
        [
            turn("幫我取消訂單", confidence=0.5),  # traditional script
            turn("帮我取消订单！", confidence=0.3),
            turn("帮我取消订单", confidence=0.55, outcome=HANDOFF),
        ]
    )
    (item,) = items
    assert item.count == 3
    assert item.reasons == {LOW_CONFIDENCE_REASON, HANDOFF_REASON}
    assert item.confidence == 0.3


def test_ranking_puts_corrections_then_failed_customers_then_doubt_first() -> None:
    doubt = turn("帮我取消订单", confidence=0.59)
    unsure = turn("你好", intent="greet", confidence=0.1)
    handed = turn("运费怎么算", intent="faq", confidence=0.9, outcome=HANDOFF)
    corrected = turn("我的快递到哪了", intent="urge_shipment", confidence=0.95)
    items = queue([doubt, unsure, handed], [(corrected, "track_order")])
    assert [i.text for i in items] == ["我的快递到哪了", "运费怎么算", "你好", "帮我取消订单"]
    assert items[0].reasons == {CORRECTION} and items[0].suggestion == "track_order"
    # frequency counts too: the same doubtful message from many customers comes first
    many = queue([turn("帮我取消订单", confidence=0.59)] * 8 + [unsure])
    assert many[0].text == "帮我取消订单"


def test_a_correction_keeps_its_suggestion_when_merged_with_the_turn_itself() -> None:
    message = turn("东西咋还没到", intent="urge_shipment", confidence=0.3, outcome=FALLBACK)
    (item,) = queue([message], [(message, "track_order")])
    assert item.suggestion == "track_order" and item.count == 1
    assert CORRECTION in item.reasons and FALLBACK_REASON in item.reasons


def test_known_held_out_empty_and_button_texts_are_not_queued() -> None:
    turns = [
        turn("帮我取消订单", confidence=0.1),  # in the training data
        turn("我想退货", confidence=0.1),  # in the held-out split: must never be trained on
        turn("   ", confidence=0.0),
        turn('/inform{"order_id": "1"}', confidence=1.0, outcome=FALLBACK),
    ]
    items = queue(
        turns,
        labelled={text_key("帮我取消订单"): "cancel_order"},
        held_out={text_key("我想退货")},
    )
    assert items == []


def test_a_correction_that_contradicts_the_training_data_is_queued_with_a_note() -> None:
    corrected = turn("帮我取消订单", intent="cancel_order")
    labelled = {text_key("帮我取消订单"): "cancel_order", text_key("你好"): "greet"}
    items = queue([], [(corrected, "stop"), (turn("你好", "greet"), "greet")], labelled=labelled)
    (item,) = items
    assert item.suggestion == "stop" and item.note == "already in the training data as cancel_order"


def test_the_proposed_example_marks_literal_entities_but_not_identifiers() -> None:
    t = turn(
        f"订单{ORDER}的空气炸锅坏了",
        entities=[
            {"entity": "order_id", "value": ORDER},
            {"entity": "product", "value": "空气炸锅"},
        ],
    )
    assert propose_example(t) == f"订单{ORDER}的[空气炸锅](product)坏了"
    missing = turn("坏了", entities=[{"entity": "product_attribute", "value": "material"}])
    assert propose_example(missing) == "坏了"


def test_tokens_skip_placeholders_punctuation_and_numbers() -> None:
    assert tokens(f"订单{ORDER}到哪了？？😡 123") == ["订单", "到", "哪", "了"]


def test_the_labelling_file_round_trips(tmp_path: Path) -> None:
    items = queue([turn("帮我取消订单", confidence=0.4), turn("你好", "greet", 0.2)])
    path = tmp_path / "inbox.yml"
    path.write_text(render(items, datetime(2026, 11, 22, 10), "test"), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# Labelling inbox")
    assert read_labels(path) == []  # nothing labelled yet
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded["items"][0]["label"] = "cancel_order"
    loaded["items"][1]["label"] = "skip"
    path.write_text(yaml.safe_dump(loaded, allow_unicode=True), encoding="utf-8")
    labels = read_labels(path)
    assert [(x.id, x.label) for x in labels] == [(1, "cancel_order"), (2, "skip")]
    assert labels[0].example == labels[0].text == loaded["items"][0]["text"]


@pytest.mark.parametrize("limit", [1, 2])
def test_the_queue_is_cut_at_the_limit(limit: int) -> None:
    turns = [turn(t, confidence=0.1) for t in ("帮我取消订单", "你好", "运费怎么算")]
    assert len(queue(turns, limit=limit)) == limit


def test_bot_inbox_reads_exports_and_agent_corrections(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(db_url)
    with session_scope(db_url) as session:
        record_correction(
            session, sender_id="web-9", message_timestamp=1.0, text="我的包裹飞哪去了",
            predicted_intent="urge_shipment", corrected_intent="track_order", agent_id=None,
            now=datetime(2026, 11, 20, 10),
        )  # fmt: skip
    turns = tmp_path / "turns.jsonl"
    turns.write_text(
        turn("你们支持花呗分期吗", "faq", 0.35, outcome=FALLBACK).to_json() + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "inbox.yml"
    args = ["inbox", "--database-url", db_url, "--turns", str(turns), "--out", str(out)]
    assert main(args) == 0
    assert "wrote 2 items" in capsys.readouterr().out
    items = yaml.safe_load(out.read_text(encoding="utf-8"))["items"]
    assert items[0]["text"] == "我的包裹飞哪去了" and items[0]["suggestion"] == "track_order"
    assert items[0]["reasons"][0] == "correction"
    assert items[1]["text"] == "你们支持花呗分期吗" and items[1]["label"] == ""


def test_a_database_that_is_down_is_reported_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    down = "postgresql://nobody@127.0.0.1:1/x"
    out = tmp_path / "inbox.yml"
    assert main(["inbox", "--database-url", down, "--out", str(out)]) == 1
    assert "cannot read the tracker store" in capsys.readouterr().err
    # with exported turns the queue is still built, only the agents' corrections are missing
    turns = tmp_path / "turns.jsonl"
    turns.write_text(
        turn("那个单子帮我撤了吧，不想要了", confidence=0.2).to_json() + "\n", encoding="utf-8"
    )
    assert main(["inbox", "--database-url", down, "--turns", str(turns), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "wrote 1 items" in printed and "corrections not read" in printed
