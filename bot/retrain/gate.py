"""The promotion gate: a candidate replaces the live model only if it is not worse.

Both models are scored on the same frozen held-out split. The candidate must not lose overall
(macro-F1 at least the live model's) and must not buy that with one intent: no intent's F1 may
drop by more than ``margin``, nor may the accuracy of the FAQ topic chosen (faq/<topic>). A
customer whose "cancel my order" stops being understood is not consoled by better small talk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # evaluation imports scikit-learn; `bot --help` must not
    from bot.retrain.evaluation import Report

DEFAULT_MARGIN = 0.05
FAQ_TOPICS = "faq topics"
# Scores are averages of counts; anything below this is float noise, not a drop.
EPSILON = 1e-9


@dataclass(frozen=True)
class ModelScores:
    """What the gate and the registry keep of an evaluation."""

    macro_f1: float
    accuracy: float
    faq_accuracy: float
    per_intent: dict[str, float]
    support: int

    @classmethod
    def of(cls, report: Report) -> ModelScores:
        return cls(
            macro_f1=round(report.overall.macro_f1, 4),
            accuracy=round(report.overall.accuracy, 4),
            faq_accuracy=round(report.faq_accuracy, 4),
            per_intent={k: round(f1, 4) for k, (f1, _n) in report.per_intent.items()},
            support=report.overall.support,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ModelScores:
        return cls(
            macro_f1=float(raw["macro_f1"]),
            accuracy=float(raw["accuracy"]),
            faq_accuracy=float(raw.get("faq_accuracy", 0.0)),
            per_intent={str(k): float(v) for k, v in raw["per_intent"].items()},
            support=int(raw.get("support", 0)),
        )


@dataclass(frozen=True)
class Decision:
    passed: bool
    reasons: list[str] = field(default_factory=list)  # why it failed, or why it passed
    macro_delta: float = 0.0
    drops: dict[str, float] = field(default_factory=dict)  # intent -> F1 drop beyond margin

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(
    candidate: ModelScores, live: ModelScores | None, margin: float = DEFAULT_MARGIN
) -> Decision:
    """Whether ``candidate`` may replace ``live`` (None: nothing is live yet)."""
    if margin < 0:
        raise ValueError("margin must be >= 0")
    if live is None:
        return Decision(True, ["no live model to compare with"])
    delta = candidate.macro_f1 - live.macro_f1
    reasons = []
    if delta < -EPSILON:
        reasons.append(f"macro-F1 drops from {live.macro_f1:.3f} to {candidate.macro_f1:.3f}")
    drops = {}
    for intent, live_f1 in sorted(live.per_intent.items()):
        # an intent the candidate was not scored on counts as F1 0
        drop = live_f1 - candidate.per_intent.get(intent, 0.0)
        if drop > margin + EPSILON:
            drops[intent] = round(drop, 4)
            reasons.append(
                f"{intent}: F1 drops by {drop:.3f} (from {live_f1:.3f}), more than {margin:.2f}"
            )
    # FAQ answers are chosen among sub-intents (faq/<topic>) that intent F1 does not see.
    faq_drop = live.faq_accuracy - candidate.faq_accuracy
    if faq_drop > margin + EPSILON:
        drops[FAQ_TOPICS] = round(faq_drop, 4)
        reasons.append(
            f"{FAQ_TOPICS}: accuracy drops by {faq_drop:.3f} (from {live.faq_accuracy:.3f}), "
            f"more than {margin:.2f}"
        )
    if reasons:
        return Decision(False, reasons, round(delta, 4), drops)
    return Decision(
        True,
        [f"macro-F1 {live.macro_f1:.3f} -> {candidate.macro_f1:.3f}, no intent drops > {margin}"],
        round(delta, 4),
    )
