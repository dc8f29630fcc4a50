"""Choosing FallbackClassifier's thresholds from a measured coverage/accuracy curve (pure).

Every held-out message has the classifier's own ranking (before FallbackClassifier). For a pair
(threshold, ambiguity_threshold) a message is *answered* when its best intent reaches the
threshold and leads the second by at least the ambiguity margin, exactly FallbackClassifier's
rule; otherwise the bot asks (rephrase, or which of two). Coverage is the share answered,
accuracy the share of answered messages whose best intent is right.

The chosen pair minimises the expected cost per message: a wrong answer costs
``WRONG_ANSWER_COST`` (the customer is taken down the wrong path and has to get out of it), a
request to rephrase ``QUESTION_COST`` (one more turn, typed), and a "which one?" question whose
two buttons hold the right intent ``BUTTON_COST`` (one click). Answering wrongly is taken to be
about three times as bad as asking to rephrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.retrain.evaluation import Example, Prediction

WRONG_ANSWER_COST = 1.0
QUESTION_COST = 0.3
BUTTON_COST = 0.1
THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(46))  # 0.00 … 0.90
AMBIGUITY_MARGINS = tuple(round(0.01 * i, 2) for i in range(21))  # 0.00 … 0.20


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float
    ambiguity_threshold: float
    coverage: float  # share of messages answered
    accuracy: float  # share of answered messages with the right intent
    cost: float  # expected cost per message

    @property
    def asked(self) -> float:
        return 1.0 - self.coverage


def _top_two(prediction: Prediction) -> tuple[str, float, str, float]:
    ranking = prediction.ranking or ((prediction.intent, prediction.confidence),)
    name, first = ranking[0]
    second_name, second = ranking[1] if len(ranking) > 1 else ("", 0.0)
    return name, first, second_name, second


def operating_point(
    examples: Sequence[Example],
    predictions: Sequence[Prediction],
    threshold: float,
    ambiguity_threshold: float,
) -> OperatingPoint:
    answered = right = 0
    cost = 0.0
    for example, prediction in zip(examples, predictions, strict=True):
        name, first, second_name, second = _top_two(prediction)
        if first < threshold:
            cost += QUESTION_COST
        elif first - second < ambiguity_threshold:
            buttons_hold_it = example.intent in (name, second_name)
            cost += BUTTON_COST if buttons_hold_it else QUESTION_COST
        else:
            answered += 1
            right += name == example.intent
            cost += WRONG_ANSWER_COST * (name != example.intent)
    total = max(len(examples), 1)
    return OperatingPoint(
        threshold,
        ambiguity_threshold,
        coverage=answered / total,
        accuracy=right / answered if answered else 1.0,
        cost=cost / total,
    )


def curve(
    examples: Sequence[Example],
    predictions: Sequence[Prediction],
    ambiguity_threshold: float,
    thresholds: Sequence[float] = THRESHOLDS,
) -> list[OperatingPoint]:
    """Coverage and accuracy for each threshold, at one ambiguity margin."""
    return [operating_point(examples, predictions, t, ambiguity_threshold) for t in thresholds]


def best_point(examples: Sequence[Example], predictions: Sequence[Prediction]) -> OperatingPoint:
    """The cheapest pair. Cost differences below one question on the whole split are noise;
    among the pairs that close to the cheapest, the highest threshold wins (a message without a
    good guess is better asked about than answered), then the smallest ambiguity margin."""
    points = [
        operating_point(examples, predictions, t, a) for t in THRESHOLDS for a in AMBIGUITY_MARGINS
    ]
    cheapest = min(p.cost for p in points)
    noise = QUESTION_COST / max(len(examples), 1)
    close = [p for p in points if p.cost <= cheapest + noise + 1e-12]
    return max(close, key=lambda p: (p.threshold, -p.ambiguity_threshold))
