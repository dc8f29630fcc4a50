"""The whole maintenance loop against the real assistant, with small trainings.

Conversations are held over REST with a running assistant; then exported (masked), queued,
labelled, applied to a copy of data/, and a candidate is trained with tests/data/config_small.yml
into a temporary models directory. The live model at the start is a deliberately corrupted one
(intent labels rotated), so the honest candidate must beat it and go live in the running server;
the corrupted one, gated again against it, must be rejected; and rolling back must put it back.

Own assistant (not the session fixture): the test swaps its model, which must not change what
other end-to-end tests talk to. About 6-8 minutes on two cores, mostly model loading.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import select

from bot.cli import main
from bot.db.models import Customer
from bot.db.session import dispose_engines, session_scope
from bot.demo.seed import seed
from bot.retrain.corrections import record_correction
from bot.retrain.registry import Registry
from bot.retrain.trainingdata import domain_intents
from bot.settings import REPO_ROOT
from tests.live_assistant import Assistant, running_assistant

pytestmark = pytest.mark.model

SMALL_CONFIG = REPO_ROOT / "tests" / "data" / "config_small.yml"
TEST_SPLIT = REPO_ROOT / "data" / "test" / "nlu"
PHONE, ORDER_NO = "13812345678", "260415738821096453"
ADDRESS = "上海市浦东新区张江路88号翠湖苑3栋2单元501室"
# What the maintainer answers for the messages of this test (matched on the masked text).
LABELS = {
    "快递到哪": "track_order",
    "还没发货": "urge_shipment",
    "地址改成": "modify_address",
    "花呗": "faq/payment",
    "咋还不到": "track_order",
    "给我找个人": "request_human",
}


@dataclass(frozen=True)
class Workspace:
    root: Path
    models: Path
    reports: Path
    data: Path  # a copy of data/ the labels are applied to
    corrupted: Path  # the model trained on rotated labels, live at the start


def _rotate_intents(data: Path) -> None:
    """Every plain intent's examples relabelled as the next intent: a model that is wrong
    about nearly everything, yet trains on a valid domain."""
    intents = sorted(domain_intents(REPO_ROOT / "domain.yml") - {"faq"})
    following = dict(zip(intents, intents[1:] + intents[:1], strict=True))
    pattern = re.compile(r"^(\s*-\s+intent:\s*)(\S+)\s*$", re.M)
    for path in (data / "nlu").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        rotated = pattern.sub(lambda m: m.group(1) + following.get(m.group(2), m.group(2)), text)
        path.write_text(rotated, encoding="utf-8")


def _bot(*args: str | Path) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("retrain")
    models, reports = root / "models", root / "reports"
    data, bad_data = root / "data", root / "rotated-data"
    shutil.copytree(REPO_ROOT / "data", data)
    shutil.copytree(REPO_ROOT / "data", bad_data)
    _rotate_intents(bad_data)
    # Nothing is live yet, so the first model is promoted without a comparison; --no-load: no
    # server is running yet.
    code = _bot("retrain", "--config", SMALL_CONFIG, "--data", bad_data, "--test-data",
                TEST_SPLIT, "--models", models, "--report-dir", reports, "--no-load")  # fmt: skip
    assert code == 0
    registry = Registry.load(models)
    assert registry.live is not None
    return Workspace(root, models, reports, data, registry.path_of(registry.live))


@pytest.fixture(scope="module")
def live(workspace: Workspace) -> Iterator[Assistant]:
    url = f"sqlite:///{workspace.root / 'kefu-e2e.db'}"
    seed(url)
    with running_assistant(workspace.corrupted, url, workspace.root / "logs") as assistant:
        yield assistant
    dispose_engines()


def _hold_conversations(assistant: Assistant, customer_name: str) -> list[str]:
    senders = ["e2e-retrain-1", "e2e-retrain-2"]
    script = {
        senders[0]: [
            "你好",
            f"我叫{customer_name}，手机{PHONE}，我的快递到哪了",
            f"订单{ORDER_NO}怎么还没发货",
            f"地址改成{ADDRESS}",
        ],
        senders[1]: ["你们支持花呗分期吗", "东西咋还不到啊急死了", "给我找个人"],
    }
    # The corrupted model may well stay silent; only the turns matter here.
    for sender, messages in script.items():
        for text in messages:
            assistant.say(sender, text)
    return senders


def _added_lines(data: Path) -> list[str]:
    added = []
    for path in (data / "nlu").glob("*.yml"):
        original = set(
            (REPO_ROOT / "data" / "nlu" / path.name).read_text(encoding="utf-8").splitlines()
        )
        added += [
            line for line in path.read_text(encoding="utf-8").splitlines() if line not in original
        ]
    return added


def _status_model(assistant: Assistant) -> str:
    params = {"token": assistant.token}
    response = requests.get(f"{assistant.url}/status", params=params, timeout=30)
    response.raise_for_status()
    return str(response.json()["model_file"])


def test_the_maintenance_loop_end_to_end(
    workspace: Workspace, live: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_TOKEN", live.token)
    with session_scope(live.database_url) as session:
        name = session.execute(select(Customer.name).order_by(Customer.id)).scalars().first()
    assert name
    senders = _hold_conversations(live, name)

    # An agent corrects two of the bot's readings in the console.
    events = [e for e in live.tracker(senders[1])["events"] if e["event"] == "user"]
    with session_scope(live.database_url) as session:
        for event, intent in zip(events[:2], ["faq/payment", "track_order"], strict=True):
            record_correction(
                session, sender_id=senders[1], message_timestamp=event["timestamp"],
                text=event["text"], predicted_intent=event["parse_data"]["intent"]["name"],
                corrected_intent=intent, agent_id=None, now=datetime(2026, 11, 20, 10),
            )  # fmt: skip

    # 1. export, masked
    turns = workspace.root / "turns.jsonl"
    assert _bot("logs", "export", "--database-url", live.database_url, "--out", turns) == 0
    exported = turns.read_text(encoding="utf-8")
    for secret in (name, PHONE, ORDER_NO, "张江路", *senders):
        assert secret not in exported
    rows = [json.loads(line) for line in exported.splitlines()]
    assert len(rows) == 7 and {r["outcome"] for r in rows} <= {"answered", "fallback", "handoff"}
    assert all(r["intent"] for r in rows)

    # 2. the labelling queue; 3. the maintainer labels it
    inbox = workspace.root / "inbox.yml"
    code = _bot("inbox", "--database-url", live.database_url, "--turns", turns, "--out", inbox,
                "--data", workspace.data, "--test-data", TEST_SPLIT)  # fmt: skip
    assert code == 0
    queue = yaml.safe_load(inbox.read_text(encoding="utf-8"))
    items = queue["items"]
    assert items[0]["reasons"][0] == "correction" and items[1]["reasons"][0] == "correction"
    for item in items:
        item["label"] = next((v for k, v in LABELS.items() if k in item["text"]), "skip")
    inbox.write_text(yaml.safe_dump(queue, allow_unicode=True), encoding="utf-8")

    # 4. applied to the copy of data/
    code = _bot("inbox", "apply", inbox, "--data", workspace.data, "--test-data", TEST_SPLIT)
    assert code == 0
    added = _added_lines(workspace.data)
    assert any("你们支持花呗分期吗" in line for line in added)
    assert any("东西咋还不到啊急死了" in line for line in added)
    assert not [line for line in added if PHONE in line or name in line or ORDER_NO in line]

    # 5. the honest candidate beats the corrupted live model and goes live in the server
    common: list[str | Path] = [
        "--config", SMALL_CONFIG, "--test-data", TEST_SPLIT, "--models", workspace.models,
        "--report-dir", workspace.reports, "--rasa-url", live.url,
    ]  # fmt: skip
    assert _bot("retrain", "--data", workspace.data, *common) == 0
    registry = Registry.load(workspace.models)
    good = registry.live_path()
    assert good is not None and good != workspace.corrupted and good.parent == workspace.models
    assert registry.entries[registry.live].status == "promoted"  # type: ignore[index]
    assert _status_model(live).endswith(good.name)
    assert live.say("e2e-retrain-after", "你好")
    reports = sorted(workspace.reports.glob("*.md"))
    assert "candidate PROMOTED" in reports[-1].read_text(encoding="utf-8")
    assert reports[-1].with_name(reports[-1].stem + "-confusion.png").stat().st_size > 1000

    # 6. the corrupted model, gated against the live one, is rejected: nothing changes
    assert _bot("retrain", "--candidate", workspace.corrupted, "--data", workspace.data,
                *common) == 2  # fmt: skip
    assert Registry.load(workspace.models).live_path() == good
    assert _status_model(live).endswith(good.name)
    report = sorted(workspace.reports.glob("*.md"))[-1].read_text(encoding="utf-8")
    assert "candidate REJECTED" in report and "macro-F1 drops" in report

    # 7. rollback puts the previous model back, in the registry and in the server
    assert _bot("model", "rollback", "--models", workspace.models, "--rasa-url", live.url) == 0
    assert Registry.load(workspace.models).live_path() == workspace.corrupted
    assert _status_model(live).endswith(workspace.corrupted.name)
    assert live.say("e2e-retrain-rollback", "你好")
    assert _bot("model", "list", "--models", workspace.models) == 0
