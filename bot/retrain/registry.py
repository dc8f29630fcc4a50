"""The model registry: which trained models exist, how they scored, and which one is live.

A small JSON file, ``<models>/registry.json``, next to the models themselves. Model files are
never deleted by the retraining loop, so any earlier model can be rolled back to; the registry
only moves the ``live`` pointer and keeps a history of who was live when.

Model names are paths relative to the models directory: ``20261122-191120-aquamarine-bin.tar.gz``
for a model in ``models/``, ``candidates/cand-20261123-101500.tar.gz`` for a candidate.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.retrain.gate import ModelScores

REGISTRY_FILE = "registry.json"
LOCK_FILE = ".retrain.lock"
CANDIDATES_DIR = "candidates"
FORMAT_VERSION = 1

CANDIDATE, PROMOTED, REJECTED, ADOPTED = "candidate", "promoted", "rejected", "adopted"
# history actions
PROMOTE, ADOPT, ROLLBACK = "promote", "adopt", "rollback"


class RegistryError(RuntimeError):
    pass


@dataclass
class ModelEntry:
    name: str
    created: str
    status: str
    scores: ModelScores | None = None
    test_fingerprint: str | None = None  # of the held-out split the scores were computed on
    config: str | None = None
    report: str | None = None
    decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "name"}
        data["scores"] = self.scores.to_dict() if self.scores else None
        return data

    @classmethod
    def from_dict(cls, name: str, raw: dict[str, Any]) -> ModelEntry:
        scores = raw.get("scores")
        return cls(
            name=name,
            created=str(raw.get("created", "")),
            status=str(raw.get("status", CANDIDATE)),
            scores=ModelScores.from_dict(scores) if scores else None,
            test_fingerprint=raw.get("test_fingerprint"),
            config=raw.get("config"),
            report=raw.get("report"),
            decision=raw.get("decision"),
        )


@dataclass
class Registry:
    models_dir: Path
    live: str | None = None
    entries: dict[str, ModelEntry] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.models_dir / REGISTRY_FILE

    @classmethod
    def load(cls, models_dir: Path) -> Registry:
        path = models_dir / REGISTRY_FILE
        if not path.exists():
            return cls(models_dir)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise RegistryError(f"{path} is not valid JSON: {error}") from error
        entries = {n: ModelEntry.from_dict(n, e) for n, e in (raw.get("models") or {}).items()}
        return cls(models_dir, raw.get("live"), entries, list(raw.get("history") or []))

    def save(self) -> None:
        body = {
            "version": FORMAT_VERSION,
            "live": self.live,
            "models": {name: entry.to_dict() for name, entry in sorted(self.entries.items())},
            "history": self.history,
        }
        self.models_dir.mkdir(parents=True, exist_ok=True)
        # write-then-rename: a crash never leaves a half-written registry behind
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    # --- names and paths ---------------------------------------------------------------------

    def name_of(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.models_dir.resolve()).as_posix()
        except ValueError:
            raise RegistryError(f"{path} is not inside {self.models_dir}") from None

    def path_of(self, name: str) -> Path:
        return self.models_dir / name

    def live_path(self) -> Path | None:
        return self.path_of(self.live) if self.live else None

    def resolve(self, name: str) -> str:
        """A registered model by its name, its file name, or an unambiguous prefix of either."""
        if name in self.entries:
            return name
        matches = [n for n in self.entries if Path(n).name == name or Path(n).name.startswith(name)]
        if len(matches) != 1:
            known = ", ".join(sorted(self.entries)) or "none"
            raise RegistryError(f"no single model matches {name!r} (registered: {known})")
        return matches[0]

    def model_files(self) -> list[Path]:
        """Every model file in the models directory and its candidates, oldest first."""
        files = [*self.models_dir.glob("*.tar.gz"), *self.models_dir.glob("candidates/*.tar.gz")]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))

    def newest_unregistered(self) -> Path | None:
        """What `rasa run --model models` serves when no registry says otherwise."""
        served = sorted(self.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        return served[-1] if served else None

    # --- changes -----------------------------------------------------------------------------

    def record(self, entry: ModelEntry) -> None:
        self.entries[entry.name] = entry

    def set_live(self, name: str, action: str, at: str, note: str | None = None) -> None:
        if name not in self.entries:
            raise RegistryError(f"{name} is not registered")
        if not self.path_of(name).exists():
            raise RegistryError(f"model file {self.path_of(name)} is missing")
        event: dict[str, Any] = {"at": at, "action": action, "model": name, "previous": self.live}
        if note:
            event["note"] = note
        self.history.append(event)
        self.live = name

    def previous_live(self) -> str | None:
        """The model that was live before the current one (the default rollback target).

        Promotions stack up and a rollback unwinds the stack down to its target, so rolling
        back twice goes two promotions back rather than undoing the first rollback.
        """
        stack: list[str] = []
        for event in self.history:
            model = str(event.get("model"))
            if event.get("action") == ROLLBACK and model in stack:
                while stack[-1] != model:
                    stack.pop()
            elif not stack or stack[-1] != model:
                stack.append(model)
        return stack[-2] if len(stack) >= 2 and stack[-1] == self.live else None


@contextmanager
def exclusive(models_dir: Path) -> Iterator[None]:
    """One retraining or promotion at a time per models directory (two trainings at once would
    starve each other of CPU, and two promotions could race on the live pointer)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    lock = models_dir / LOCK_FILE
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise RegistryError(
            f"{lock} exists: another retraining is running (delete the file if it is not)"
        ) from None
    try:
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)
