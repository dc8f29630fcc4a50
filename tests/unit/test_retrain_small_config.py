"""tests/data/config_small.yml is config.yml with fewer epochs, nothing else."""

from __future__ import annotations

from typing import Any

import yaml

from bot.settings import REPO_ROOT

EPOCH_KEYS = {"epochs"}


def _load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((REPO_ROOT / name).read_text(encoding="utf-8")))


def _without_epochs(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k not in EPOCH_KEYS} for c in components]


def test_small_config_mirrors_config_yml_except_for_epochs() -> None:
    full, small = _load("config.yml"), _load("tests/data/config_small.yml")
    assert {k: v for k, v in small.items() if k not in ("pipeline", "policies")} == {
        k: v for k, v in full.items() if k not in ("pipeline", "policies")
    }
    for part in ("pipeline", "policies"):
        assert _without_epochs(small[part]) == _without_epochs(full[part]), (
            f"tests/data/config_small.yml {part} differs from config.yml: copy the change over"
        )
        assert all(c.get("epochs", 0) <= 5 for c in small[part])
