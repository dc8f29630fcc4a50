"""The model registry, `bot model list|live|rollback`, and loading a model into the server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from bot.cli import main
from bot.retrain.gate import ModelScores
from bot.retrain.registry import (
    ADOPT,
    PROMOTE,
    PROMOTED,
    ROLLBACK,
    ModelEntry,
    Registry,
    RegistryError,
    exclusive,
)
from bot.retrain.server import load_model
from tests.live_assistant import free_port


def _model(models: Path, name: str) -> Path:
    path = models / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really a model")
    return path


def _registry_with(models: Path, *names: str) -> Registry:
    registry = Registry(models)
    for number, name in enumerate(names):
        _model(models, name)
        scores = ModelScores(0.5 + number / 10, 0.6, 0.7, {"greet": 0.5}, 10)
        registry.record(ModelEntry(name, f"2026-11-2{number}T10:00:00", PROMOTED, scores))
    return registry


class _FakeRasa(BaseHTTPRequestHandler):
    """Answers PUT /model like Rasa's HTTP API does, and remembers what it was asked."""

    calls: ClassVar[list[tuple[str, dict, dict]]] = []

    def do_PUT(self) -> None:  # http.server's naming
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        url = urlparse(self.path)
        type(self).calls.append((url.path, parse_qs(url.query), body))
        ok = parse_qs(url.query).get("token") == ["secret"]
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_rasa() -> Iterator[str]:
    _FakeRasa.calls = []
    server = HTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_registry_round_trips_and_records_the_live_model(tmp_path: Path) -> None:
    registry = _registry_with(tmp_path, "a.tar.gz", "candidates/b.tar.gz")
    registry.set_live("a.tar.gz", ADOPT, "2026-11-22T10:00:00")
    registry.save()
    loaded = Registry.load(tmp_path)
    assert loaded.live == "a.tar.gz"
    assert loaded.live_path() == tmp_path / "a.tar.gz"
    assert (
        loaded.entries["candidates/b.tar.gz"].scores
        == registry.entries["candidates/b.tar.gz"].scores
    )
    raw = json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    assert raw["version"] == 1 and raw["live"] == "a.tar.gz"
    assert raw["history"] == [
        {"at": "2026-11-22T10:00:00", "action": "adopt", "model": "a.tar.gz", "previous": None}
    ]


def test_names_resolve_by_file_name_and_prefix(tmp_path: Path) -> None:
    registry = _registry_with(tmp_path, "a-one.tar.gz", "candidates/cand-2.tar.gz")
    assert registry.resolve("cand-2.tar.gz") == "candidates/cand-2.tar.gz"
    assert registry.resolve("cand") == "candidates/cand-2.tar.gz"
    with pytest.raises(RegistryError):
        registry.resolve("zzz")


def test_only_existing_registered_models_can_go_live(tmp_path: Path) -> None:
    registry = _registry_with(tmp_path, "a.tar.gz")
    with pytest.raises(RegistryError):
        registry.set_live("unknown.tar.gz", PROMOTE, "t")
    (tmp_path / "a.tar.gz").unlink()
    with pytest.raises(RegistryError):
        registry.set_live("a.tar.gz", PROMOTE, "t")
    assert registry.live is None


def test_rolling_back_twice_goes_two_promotions_back(tmp_path: Path) -> None:
    registry = _registry_with(tmp_path, "a.tar.gz", "b.tar.gz", "c.tar.gz")
    registry.set_live("a.tar.gz", ADOPT, "t1")
    registry.set_live("b.tar.gz", PROMOTE, "t2")
    registry.set_live("c.tar.gz", PROMOTE, "t3")
    assert registry.previous_live() == "b.tar.gz"
    registry.set_live("b.tar.gz", ROLLBACK, "t4")
    assert registry.previous_live() == "a.tar.gz"
    registry.set_live("a.tar.gz", ROLLBACK, "t5")
    assert registry.previous_live() is None


def test_one_retraining_at_a_time(tmp_path: Path) -> None:
    with exclusive(tmp_path), pytest.raises(RegistryError), exclusive(tmp_path):
        pass
    with exclusive(tmp_path):  # the lock is released afterwards
        pass


def test_model_live_prints_the_path_for_run_sh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "live", "--models", str(tmp_path)]) == 1
    assert "no live model" in capsys.readouterr().err
    registry = _registry_with(tmp_path, "a.tar.gz")
    registry.set_live("a.tar.gz", ADOPT, "t")
    registry.save()
    assert main(["model", "live", "--models", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str((tmp_path / "a.tar.gz").resolve())


def test_model_list_shows_scores_the_live_marker_and_unregistered_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry_with(tmp_path, "a.tar.gz", "b.tar.gz")
    registry.set_live("b.tar.gz", PROMOTE, "t")
    registry.save()
    _model(tmp_path, "from-make-train.tar.gz")
    assert main(["model", "list", "--models", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    live_line = next(line for line in out.splitlines() if "b.tar.gz" in line)
    assert live_line.startswith("*") and "0.600" in live_line
    assert "from-make-train.tar.gz" in out and "unregistered" in out


def test_rollback_updates_the_registry_and_loads_the_model_into_the_server(
    tmp_path: Path, fake_rasa: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_TOKEN", "secret")
    registry = _registry_with(tmp_path, "a.tar.gz", "b.tar.gz")
    registry.set_live("a.tar.gz", ADOPT, "t1")
    registry.set_live("b.tar.gz", PROMOTE, "t2")
    registry.save()
    args = ["model", "rollback", "--models", str(tmp_path), "--rasa-url", fake_rasa]
    assert main(args) == 0
    assert Registry.load(tmp_path).live == "a.tar.gz"
    path, query, body = _FakeRasa.calls[-1]
    assert path == "/model" and query["token"] == ["secret"]
    assert body == {"model_file": str((tmp_path / "a.tar.gz").resolve())}
    # the rolled-back model is the newest file again, for `rasa run --model models`
    newest = max(tmp_path.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime_ns)
    assert newest.name == "a.tar.gz"
    assert main(args) == 1  # nothing earlier than a.tar.gz
    assert main([*args, "b"]) == 0  # by name (prefix)
    assert Registry.load(tmp_path).live == "b.tar.gz"


def test_without_a_server_the_registry_still_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry_with(tmp_path, "a.tar.gz", "b.tar.gz")
    registry.set_live("b.tar.gz", ADOPT, "t1")
    registry.save()
    nobody = f"http://127.0.0.1:{free_port()}"
    assert main(["model", "rollback", "a", "--models", str(tmp_path), "--rasa-url", nobody]) == 0
    assert "no Rasa server" in capsys.readouterr().out
    assert Registry.load(tmp_path).live == "a.tar.gz"


def test_a_wrong_token_is_reported(tmp_path: Path, fake_rasa: str) -> None:
    result = load_model(_model(tmp_path, "a.tar.gz"), fake_rasa, "wrong")
    assert not result.loaded and result.running
    assert "token" in result.message


def test_a_corrupt_registry_is_an_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "registry.json").write_text("{not json", encoding="utf-8")
    assert main(["model", "list", "--models", str(tmp_path)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
