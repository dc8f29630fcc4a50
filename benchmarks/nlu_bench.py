"""NLU on the frozen held-out split: our pipeline against two baselines, scored the same way.

Scoring, loading and Rasa prediction are bot.retrain.evaluation's; this module only adds the
jieba + TF-IDF + logistic-regression baseline and the timing of each system's predictions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.retrain.evaluation import Example, Prediction, Report, rasa_predictor, score

Predictor = Callable[[Sequence[str]], list[Prediction]]


@dataclass(frozen=True)
class NluResult:
    system: str
    report: Report
    mean_parse_ms: float  # in-process prediction time per message, model already loaded
    fit_seconds: float | None = None  # for systems trained in-process (TF-IDF)


def jieba_tokens(text: str) -> list[str]:
    import jieba

    return [token for token in jieba.lcut(text.lower()) if token.strip()]


def tfidf_predictor(training: Sequence[tuple[str, str]]) -> Predictor:
    """jieba words (unigrams and bigrams), TF-IDF, logistic regression: the usual quick model.

    Trained on (text, contract intent) pairs; faq is one intent, like in the Rasa baseline.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = [text for text, _ in training]
    labels = [intent for _, intent in training]
    model = make_pipeline(
        TfidfVectorizer(
            tokenizer=jieba_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2)
        ),
        # C=10: TF-IDF rows are unit-length and classes have a few dozen examples each, so
        # scikit-learn's default C=1 under-fits; the stronger setting is the fairer baseline.
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit(texts, labels)

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


def evaluate_tfidf(
    system: str, training: Sequence[Example], examples: Sequence[Example]
) -> NluResult:
    started = time.perf_counter()
    predictor = tfidf_predictor(training_pairs(training))
    fit = time.perf_counter() - started
    result = evaluate(system, predictor, examples)
    return NluResult(result.system, result.report, result.mean_parse_ms, fit)
