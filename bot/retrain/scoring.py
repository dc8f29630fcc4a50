"""Scoring models on the frozen split, with the predictions cached per model and split.

Loading a Rasa model takes most of an evaluation (tens of seconds on two cores; predicting the
split takes a few). A trained model never changes, so its predictions on an unchanged split are
kept in ``<models>/.evaluations/`` and re-gating or re-reporting a model costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from bot.retrain.evaluation import Example, Prediction, Report, score

EVALUATION_CHUNK = 25
CACHE_DIR = ".evaluations"


def fingerprint(test_data: Path) -> str:
    """Identity of the held-out split's content (file names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(test_data.glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def predict(model: Path, texts: Sequence[str], progress: bool = True) -> list[Prediction]:
    """bot.retrain.evaluation's Rasa predictor, fed in chunks behind a progress bar."""
    from rasa.utils.log_utils import configure_structlog
    from tqdm import tqdm

    from bot.retrain.evaluation import rasa_predictor

    # Rasa logs every parsed message at debug level unless structlog is configured.
    configure_structlog(logging.WARNING)
    desc = f"evaluate {model.name[:28]}"
    with tqdm(total=len(texts), desc=desc, unit="msg", disable=not progress) as bar:
        bar.set_postfix_str("loading model")
        predictor = rasa_predictor(model)
        bar.set_postfix_str("")
        predictions: list[Prediction] = []
        for start in range(0, len(texts), EVALUATION_CHUNK):
            chunk = texts[start : start + EVALUATION_CHUNK]
            predictions += predictor(chunk)
            bar.update(len(chunk))
    return predictions


def evaluate(
    model: Path,
    examples: Sequence[Example],
    cache_dir: Path | None = None,
    test_fp: str | None = None,
    progress: bool = True,
) -> tuple[Report, list[Prediction]]:
    """The model's report on ``examples``; cached under ``cache_dir`` when given."""
    cache = None
    if cache_dir is not None and test_fp is not None:
        cache = cache_dir / f"{model.name}.{test_fp}.json"
    predictions: list[Prediction] | None = None
    if cache is not None and cache.exists():
        try:
            rows = json.loads(cache.read_text(encoding="utf-8"))
            predictions = [Prediction(str(i), str(f), float(c)) for i, f, c in rows]
        except (ValueError, TypeError):
            predictions = None  # a damaged cache is recomputed, never trusted
        if predictions is not None and len(predictions) != len(examples):
            predictions = None
    if predictions is None:
        predictions = predict(model, [e.text for e in examples], progress)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            rows = [[p.intent, p.full_intent, p.confidence] for p in predictions]
            cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return score(examples, predictions), predictions
