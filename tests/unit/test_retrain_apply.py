"""`bot inbox apply`: labelled items become training examples, on a copy of data/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.cli import main
from bot.retrain.apply import ApplyResult, apply_labels, fill_placeholders, find_blocks
from bot.retrain.masking import ADDRESS, NAME, ORDER, PHONE
from bot.settings import REPO_ROOT


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", copy)
    return copy


def _labels(tmp_path: Path, *items: tuple[str, str] | tuple[str, str, str]) -> Path:
    entries = []
    for number, item in enumerate(items, start=1):
        text, label = item[0], item[1]
        example = item[2] if len(item) == 3 else text
        entries.append({"id": number, "text": text, "label": label, "example": example})
    path = tmp_path / "inbox.yml"
    path.write_text(yaml.safe_dump({"items": entries}, allow_unicode=True), encoding="utf-8")
    return path


def _apply(labels: Path, data: Path) -> ApplyResult:
    return apply_labels(labels, data, data / "test" / "nlu")


def _examples(data: Path) -> dict[str, str]:
    return {
        m.get("text"): m.get_full_intent() for m in load_data(str(data / "nlu")).intent_examples
    }


def _digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_examples_are_appended_to_the_block_of_their_intent_and_nothing_else_changes(
    data: Path, tmp_path: Path
) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in (data / "nlu").glob("*.yml")}
    test_split = _digest(data / "test")
    labels = _labels(
        tmp_path,
        ("我的包裹飞哪去了", "track_order"),
        ("能开专票吗老板", "faq/invoice"),
        ("不整了不整了", "stop"),
        ("啥玩意儿", "skip"),
    )
    result = _apply(labels, data)
    assert result.ok and result.skipped == 1
    assert [(i, e, p.name) for i, e, p in result.added] == [
        ("track_order", "我的包裹飞哪去了", "orders.yml"),
        ("faq/invoice", "能开专票吗老板", "faq.yml"),
        ("stop", "不整了不整了", "stop.yml"),
    ]
    examples = _examples(data)
    assert examples["我的包裹飞哪去了"] == "track_order"
    assert examples["能开专票吗老板"] == "faq/invoice"
    assert examples["不整了不整了"] == "stop"
    for path, original in before.items():
        now = path.read_text(encoding="utf-8").splitlines()
        added = [line for line in now if line not in original.splitlines()]
        assert [line for line in now if line not in added] == original.splitlines()
        assert len(added) == (path.name in {"orders.yml", "faq.yml", "stop.yml"})
    # each file keeps its own indentation (stop.yml indents its list, the others do not)
    assert "      - 不整了不整了" in (data / "nlu" / "stop.yml").read_text(encoding="utf-8")
    assert "    - 我的包裹飞哪去了" in (data / "nlu" / "orders.yml").read_text(encoding="utf-8")
    # ... in the right block: right after the last track_order example
    lines = (data / "nlu" / "orders.yml").read_text(encoding="utf-8").splitlines()
    position = lines.index("    - 我的包裹飞哪去了")
    following = next(line for line in lines[position + 1 :] if line.strip())
    assert following.startswith("- intent:") and "track_order" not in following
    assert _digest(data / "test") == test_split


def test_nothing_is_added_twice_and_conflicts_are_reported(data: Path, tmp_path: Path) -> None:
    existing = "我的快递到哪了"  # a track_order example
    labels = _labels(
        tmp_path,
        (existing, "track_order"),
        ("我的快遞到哪了！", "track_order"),  # same text, traditional script and a "!"
        (existing, "urge_shipment"),
        ("东西还在路上吗亲", "track_order"),
        ("东西还在路上吗亲", "urge_shipment"),  # same batch, other label
    )
    result = _apply(labels, data)
    assert [i.id for i in result.already_present] == [1, 2]
    assert [(i.id, known) for i, known in result.conflicts] == [
        (3, "track_order"),
        (5, "track_order"),
    ]
    assert [e for _, e, _ in result.added] == ["东西还在路上吗亲"]
    again = _apply(labels, data)
    assert not again.added and len(again.already_present) == 3


def test_held_out_texts_are_never_added(data: Path, tmp_path: Path) -> None:
    held_out = load_data(str(data / "test" / "nlu" / "general.yml")).intent_examples[0]
    labels = _labels(tmp_path, (held_out.get("text"), held_out.get_full_intent()))
    result = _apply(labels, data)
    assert not result.added and len(result.held_out) == 1
    assert held_out.get("text") not in _examples(data)


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("track_ordr", "unknown intent"),
        ("faq", "needs a topic"),
        ("faq/gift_wrapping", "no training file holds"),
        ("nlu_fallback", "unknown intent"),
    ],
)
def test_unknown_intents_refuse_the_whole_file(
    data: Path, tmp_path: Path, label: str, why: str
) -> None:
    before = _digest(data)
    labels = _labels(tmp_path, ("我的包裹飞哪去了", "track_order"), ("随便说点啥", label))
    result = _apply(labels, data)
    assert not result.ok and not result.added
    assert why in result.refused[0][1]
    assert _digest(data) == before


def test_placeholders_become_annotated_made_up_values(data: Path, tmp_path: Path) -> None:
    text = f"订单{ORDER}还没到，收件人{NAME}，电话{PHONE}，地址{ADDRESS}"
    labels = _labels(tmp_path, (text, "track_order"))
    (_, example, _), *_ = _apply(labels, data).added
    assert fill_placeholders(text) == example  # deterministic
    assert "【" not in example
    message = next(
        m for m in load_data(str(data / "nlu")).intent_examples if "还没到，收件人" in m.get("text")
    )
    entities = {e["entity"]: e["value"] for e in message.get("entities")}
    assert len(entities["order_id"]) == 18 and entities["order_id"][0] == "2"
    assert len(entities["phone"]) == 11 and entities["phone"].startswith("1")


def test_the_maintainer_can_mark_entities_in_the_example(data: Path, tmp_path: Path) -> None:
    labels = _labels(
        tmp_path, ("我买的羽绒服漏绒了", "request_return", "我买的[羽绒服](product)漏绒了")
    )
    assert _apply(labels, data).ok
    message = next(
        m
        for m in load_data(str(data / "nlu")).intent_examples
        if m.get("text") == "我买的羽绒服漏绒了"
    )
    assert message.get("entities")[0]["entity"] == "product"


def test_broken_markup_fails_validation_and_the_files_are_restored(
    data: Path, tmp_path: Path
) -> None:
    before = _digest(data)
    labels = _labels(tmp_path, ("我的羽绒服坏了", "request_return", '我的[羽绒服]{"entity": }坏了'))
    result = _apply(labels, data)
    assert result.validation_errors and "no longer loads" in result.validation_errors[0]
    assert _digest(data) == before


def test_dry_run_changes_nothing_and_the_cli_reports(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(data)
    labels = _labels(
        tmp_path, ("我的包裹飞哪去了", "track_order"), ("我的快递到哪了", "urge_shipment")
    )
    args = ["inbox", "apply", str(labels), "--data", str(data),
            "--test-data", str(data / "test" / "nlu")]  # fmt: skip
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add" in out and "conflict #2" in out
    assert _digest(data) == before
    assert main(args) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["inbox", "apply", str(_labels(tmp_path, ("嗯", "typo_intent"))),
                 "--data", str(data)]) == 1  # fmt: skip
    assert "unknown intent" in capsys.readouterr().err


def test_intents_are_found_in_the_file_that_holds_most_of_them(data: Path) -> None:
    blocks = find_blocks(data / "nlu")
    assert blocks["track_order"].path.name == "orders.yml"
    assert blocks["faq/invoice"].path.name == "faq.yml"
    assert blocks["stop"].indent == "      - "
