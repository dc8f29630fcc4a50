"""Evaluates an NLU model on the frozen held-out split.

The split lives in data/test/nlu/, one file per slice (general, traditional, typos, emoji, long,
numbers, colloquial), and is never trained on. Scores are computed here rather than read from
`rasa test` output so that slices, retrieval sub-intents and baselines can be scored the same
way.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

RETRIEVAL_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str  # contract intent, e.g. "faq"
    full_intent: str  # with the retrieval sub-intent, e.g. "faq/invoice"
    slice: str


@dataclass(frozen=True)
class Prediction:
    intent: str  # as the server answers it: nlu_fallback when FallbackClassifier stepped in
    full_intent: str
    confidence: float
    # the classifier's own ranking before FallbackClassifier, best first (for calibration)
    ranking: tuple[tuple[str, float], ...] = ()


@dataclass
class Scores:
    accuracy: float
    macro_f1: float
    support: int


@dataclass
class Report:
    overall: Scores
    per_intent: dict[str, tuple[float, int]]  # intent -> (F1, support)
    per_slice: dict[str, Scores]
    faq_accuracy: float  # share of faq examples answered with the right faq/<topic>
    confusions: list[tuple[str, str, int]]  # (true, predicted, count), most frequent first
    errors: list[tuple[Example, Prediction]] = field(default_factory=list)


def examples_of(path: Path) -> list[Example]:
    """Every intent example of one NLU file, entity markup removed; the file's stem names the
    slice."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        full = message.get_full_intent()
        examples.append(Example(message.get("text"), full.split("/")[0], full, path.stem))
    return examples


def load_examples(directory: Path) -> list[Example]:
    """Every example of every slice file."""
    return [e for path in sorted(directory.glob("*.yml")) for e in examples_of(path)]


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    labels = sorted(set(truth))
    return Scores(
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        support=len(truth),
    )


def score(examples: Sequence[Example], predictions: Sequence[Prediction]) -> Report:
    truth = [e.intent for e in examples]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(truth))
    f1s = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    support = Counter(truth)
    per_slice: dict[str, Scores] = {}
    for name in sorted({e.slice for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.slice == name]
        per_slice[name] = _scores([truth[i] for i in idx], [predicted[i] for i in idx])
    faq = [
        (e, p) for e, p in zip(examples, predictions, strict=True) if e.intent == RETRIEVAL_INTENT
    ]
    faq_hits = sum(e.full_intent == p.full_intent for e, p in faq)
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return Report(
        overall=_scores(truth, predicted),
        per_intent={lbl: (float(f), support[lbl]) for lbl, f in zip(labels, f1s, strict=True)},
        per_slice=per_slice,
        faq_accuracy=faq_hits / len(faq) if faq else 0.0,
        confusions=[(t, p, n) for (t, p), n in confusions.most_common()],
        errors=[
            (e, p)
            for e, p in zip(examples, predictions, strict=True)
            if e.full_intent != p.full_intent
        ],
    )


def rasa_predictor(model_path: Path) -> Callable[[Sequence[str]], list[Prediction]]:
    """Predicts with a trained Rasa model, exactly as the server parses messages."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def parse_all(texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = parsed.get("intent") or {}
            name = intent.get("name") or "none"
            full = name
            selector = (parsed.get("response_selector") or {}).get(name)
            if selector:
                full = selector["response"].get("intent_response_key") or name
            ranking = tuple(
                (str(r["name"]), float(r.get("confidence") or 0.0))
                for r in parsed.get("intent_ranking") or []
                if r.get("name") != FALLBACK_INTENT
            )
            out.append(Prediction(name, full, float(intent.get("confidence") or 0.0), ranking))
        return out

    return lambda texts: asyncio.run(parse_all(texts))


def latest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError(f"no trained model in {models_dir}; run `make train`")
    return models[-1]
