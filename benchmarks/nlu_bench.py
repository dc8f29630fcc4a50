"""NLU on the frozen held-out split: our pipeline against three baselines, scored the same way.

Scoring, loading and Rasa prediction are bot.retrain.evaluation's; this module only adds the two
scikit-learn baselines (jieba words + TF-IDF + logistic regression, and the same with character
1-3-grams beside the words) and the timing of each system's predictions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.retrain.evaluation import Example, Prediction, Report, rasa_predictor, score

Predictor = Callable[[Sequence[str]], list[Prediction]]


@dataclass(frozen=True)
class NluResult:
    system: str
    report: Report
    mean_parse_ms: float  # in-process prediction time per message, model already loaded
    fit_seconds: float | None = None  # for systems trained in-process (scikit-learn)


def jieba_tokens(text: str) -> list[str]:
    import jieba

    return [token for token in jieba.lcut(text.lower()) if token.strip()]


def _fitted(model: Any, training: Sequence[tuple[str, str]]) -> Predictor:
    """A scikit-learn text classifier fitted on (text, contract intent) pairs, as a predictor;
    faq is one intent, like in the Rasa baseline."""
    model.fit([text for text, _ in training], [intent for _, intent in training])

    def predict(batch: Sequence[str]) -> list[Prediction]:
        if not batch:
            return []
        probabilities = model.predict_proba(list(batch))
        classes = model.classes_
        out = []
        for row in probabilities:
            best = int(row.argmax())
            intent = str(classes[best])
            out.append(Prediction(intent, intent, float(row[best])))
        return out

    return predict


def _words() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=jieba_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2)
    )


def tfidf_predictor(training: Sequence[tuple[str, str]]) -> Predictor:
    """Baseline (b): jieba words (unigrams and bigrams), TF-IDF, logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    # C=10: TF-IDF rows are unit-length and classes have a few dozen examples each, so
    # scikit-learn's default C=1 under-fits; the stronger setting is the fairer baseline.
    return _fitted(make_pipeline(_words(), LogisticRegression(C=10.0, max_iter=2000)), training)


def linear_predictor(training: Sequence[tuple[str, str]]) -> Predictor:
    """Baseline (c), the strongest quick model: jieba words (unigrams and bigrams) and character
    1-3-grams of the raw message, each TF-IDF, side by side (FeatureUnion), logistic regression.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3))
    features = make_union(_words(), chars)
    return _fitted(make_pipeline(features, LogisticRegression(C=10.0, max_iter=2000)), training)


def training_pairs(examples: Sequence[Example]) -> list[tuple[str, str]]:
    return [(e.text, e.intent) for e in examples]


def evaluate(system: str, predictor: Predictor, examples: Sequence[Example]) -> NluResult:
    started = time.perf_counter()
    predictions = predictor([e.text for e in examples])
    per_message = (time.perf_counter() - started) / max(len(examples), 1)
    return NluResult(system, score(examples, predictions), 1000 * per_message)


def evaluate_rasa(system: str, model: Path, examples: Sequence[Example]) -> NluResult:
    """A trained Rasa model (full or NLU-only), parsing each message as the server does."""
    predictor = rasa_predictor(model)
    predictor(["你好"])  # the first parse builds TensorFlow's graphs; keep it out of the timing
    return evaluate(system, predictor, examples)


def evaluate_fitted(
    system: str,
    fit: Callable[[Sequence[tuple[str, str]]], Predictor],
    training: Sequence[Example],
    examples: Sequence[Example],
) -> NluResult:
    """A scikit-learn baseline, fitted here (timed) and scored like the Rasa systems."""
    started = time.perf_counter()
    predictor = fit(training_pairs(training))
    fitted = time.perf_counter() - started
    result = evaluate(system, predictor, examples)
    return NluResult(result.system, result.report, result.mean_parse_ms, fitted)


def evaluate_tfidf(
    system: str, training: Sequence[Example], examples: Sequence[Example]
) -> NluResult:
    return evaluate_fitted(system, tfidf_predictor, training, examples)


def evaluate_linear(
    system: str, training: Sequence[Example], examples: Sequence[Example]
) -> NluResult:
    return evaluate_fitted(system, linear_predictor, training, examples)
