"""`bot retrain`: train a candidate, compare it with the live model, promote it if it passes.

1. train a candidate into ``<models>/candidates/`` (a ``rasa train`` subprocess, on everything
   under ``<data>`` except the held-out split);
2. evaluate candidate and live model on the frozen split (:mod:`bot.retrain.evaluation`; the
   live model's scores are cached in the registry while the split is unchanged);
3. write ``docs/retrain/<timestamp>.md`` and the candidate's confusion matrix;
4. apply the gate (:mod:`bot.retrain.gate`); a passing candidate moves to ``<models>/``,
   becomes live in the registry and is loaded into the running server (``PUT /model``).

Timestamps are the real Beijing clock, not the demo store's frozen "now": they name files and
record when a model was trained.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.retrain.comparison import Comparison, plot_confusion, render
from bot.retrain.evaluation import Example, Prediction, Report, load_examples
from bot.retrain.gate import DEFAULT_MARGIN, Decision, ModelScores, decide
from bot.retrain.registry import (
    ADOPT,
    ADOPTED,
    CANDIDATES_DIR,
    PROMOTE,
    PROMOTED,
    REJECTED,
    ModelEntry,
    Registry,
    RegistryError,
    exclusive,
)
from bot.retrain.scoring import CACHE_DIR, evaluate, fingerprint
from bot.retrain.server import LoadResult, load_model
from bot.retrain.trainingdata import (
    DEFAULT_CONFIG,
    DEFAULT_DATA,
    DEFAULT_DOMAIN,
    DEFAULT_TEST_DATA,
    training_paths,
)
from bot.settings import REPO_ROOT
from bot.timeutil import beijing_now

_FINISHED = re.compile(r"Finished training component '([^']+)'")


@dataclass
class RetrainOptions:
    config: Path = DEFAULT_CONFIG
    data: Path = DEFAULT_DATA
    test_data: Path = DEFAULT_TEST_DATA
    models: Path = REPO_ROOT / "models"
    domain: Path = DEFAULT_DOMAIN
    report_dir: Path = REPO_ROOT / "docs" / "retrain"
    margin: float = DEFAULT_MARGIN
    candidate: Path | None = None  # gate an already trained model instead of training one
    load: bool = True  # load a promoted model into the running server
    rasa_url: str | None = None
    token: str | None = None
    progress: bool = True


@dataclass
class RetrainOutcome:
    candidate: str
    live_before: str | None
    decision: Decision
    report: Path
    confusion_png: Path
    server: LoadResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def promoted(self) -> bool:
        return self.decision.passed


class RetrainError(RuntimeError):
    pass


def now_text() -> str:
    return beijing_now().isoformat(timespec="seconds")


# --- training ------------------------------------------------------------------------------


def _component_count(config: Path) -> int:
    loaded = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return len(loaded.get("pipeline") or []) + len(loaded.get("policies") or [])


def train_candidate(options: RetrainOptions, name: str) -> Path:
    """Trains into ``<models>/candidates/<name>.tar.gz``; Rasa's log goes next to it."""
    from tqdm import tqdm

    out_dir = options.models / CANDIDATES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(options.config.resolve()),
        "--domain", str(options.domain.resolve()),
        "--data", *[str(p.resolve()) for p in training_paths(options.data)],
        "--out", str(out_dir.resolve()),
        "--fixed-model-name", name,
    ]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    log_path = out_dir / f"{name}.log"
    bar = tqdm(
        total=_component_count(options.config),
        desc="train",
        unit="component",
        disable=not options.progress,
    )
    # cwd: config.yml refers to data/dictionaries relative to the repository root, and Rasa's
    # training cache (.rasa/cache) there makes unchanged components free to "retrain".
    with log_path.open("w", encoding="utf-8") as log, bar:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace",
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            finished = _FINISHED.search(line)
            if finished:
                bar.set_postfix_str(finished.group(1))
                bar.update(1 if bar.n < bar.total else 0)
        code = process.wait()
    model = out_dir / f"{name}.tar.gz"
    if code != 0 or not model.exists():
        tail = log_path.read_text(encoding="utf-8")[-2000:]
        raise RetrainError(f"rasa train failed (exit {code}); log {log_path}:\n{tail}")
    return model


# --- evaluation ----------------------------------------------------------------------------


def _evaluate(
    model: Path, examples: Sequence[Example], test_fp: str, options: RetrainOptions
) -> tuple[Report, list[Prediction]]:
    return evaluate(model, examples, options.models / CACHE_DIR, test_fp, options.progress)


def _live_scores(
    registry: Registry, examples: Sequence[Example], test_fp: str, options: RetrainOptions
) -> ModelScores | None:
    if registry.live is None:
        return None
    entry = registry.entries[registry.live]
    if entry.scores is None or entry.test_fingerprint != test_fp:
        report, _ = _evaluate(registry.path_of(registry.live), examples, test_fp, options)
        entry.scores, entry.test_fingerprint = ModelScores.of(report), test_fp
    return entry.scores


def adopt_served_model(registry: Registry) -> str | None:
    """With no live model recorded, the newest model in <models>/ is what `rasa run --model
    models` serves today: record it as live so the first candidate is compared with it."""
    if registry.live is not None:
        return registry.live
    served = registry.newest_unregistered()
    if served is None:
        return None
    name = registry.name_of(served)
    if name not in registry.entries:
        registry.record(ModelEntry(name=name, created=now_text(), status=ADOPTED))
    registry.set_live(name, ADOPT, now_text(), note="was being served")
    return name


def _candidate_file(options: RetrainOptions, registry: Registry, stamp: str) -> Path:
    if options.candidate is None:
        return train_candidate(options, f"cand-{stamp}")
    source = options.candidate
    if not source.exists():
        raise RetrainError(f"no model file {source}")
    try:
        registry.name_of(source)
        return source
    except RegistryError:  # outside the models directory: keep a copy with the others
        target = options.models / CANDIDATES_DIR / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return target


def activate(
    registry: Registry, name: str, action: str, options: RetrainOptions, note: str | None = None
) -> LoadResult | None:
    """Makes ``name`` live: registry first (what the next start serves), then the server."""
    registry.set_live(name, action, now_text(), note)
    path = registry.path_of(name)
    # Newest file too, so `rasa run --model models` agrees with the registry.
    os.utime(path)
    registry.save()
    if not options.load:
        return None
    return load_model(path, options.rasa_url, options.token)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def retrain(options: RetrainOptions) -> RetrainOutcome:
    stamp = beijing_now().strftime("%Y%m%d-%H%M%S")
    with exclusive(options.models):
        registry = Registry.load(options.models)
        live_before = adopt_served_model(registry)
        examples = load_examples(options.test_data)
        if not examples:
            raise RetrainError(f"no held-out examples in {options.test_data}")
        test_fp = fingerprint(options.test_data)
        candidate_path = _candidate_file(options, registry, stamp)
        name = registry.name_of(candidate_path)
        report, predictions = _evaluate(candidate_path, examples, test_fp, options)
        scores = ModelScores.of(report)
        live_scores = _live_scores(registry, examples, test_fp, options)
        decision = decide(scores, live_scores, options.margin)
        # promoted models live in <models>/ itself; candidates/ keeps the rejected ones
        promote_to = None
        if decision.passed and name != registry.live and Path(name).parent.name == CANDIDATES_DIR:
            promote_to = options.models / candidate_path.name
        final_name = registry.name_of(promote_to) if promote_to else name
        config = None if options.candidate else _display(options.config)

        md = options.report_dir / f"{stamp}.md"
        png = options.report_dir / f"{stamp}-confusion.png"
        plot_confusion(examples, predictions, png, f"candidate {candidate_path.name}")
        comparison = Comparison(
            stamp, final_name, live_before, config or "—", len(examples), options.margin,
            decision, scores, live_scores, report,
        )  # fmt: skip
        md.write_text(render(comparison, png.name), encoding="utf-8")

        previous = registry.entries.pop(name, None)
        entry = ModelEntry(
            name=final_name,
            created=previous.created if previous else now_text(),
            status=PROMOTED if decision.passed else REJECTED,
            scores=scores,
            test_fingerprint=test_fp,
            config=config or (previous.config if previous else None),
            report=_display(md),
            decision=decision.to_dict(),
        )
        registry.record(entry)
        outcome = RetrainOutcome(final_name, live_before, decision, md, png)
        if not decision.passed or final_name == registry.live:
            registry.save()
            return outcome
        if promote_to is not None:
            candidate_path.replace(promote_to)
        outcome.server = activate(registry, final_name, PROMOTE, options)
        return outcome
