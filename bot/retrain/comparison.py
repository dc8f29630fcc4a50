"""The retraining report: candidate and live model side by side, and the gate's verdict.

Written to ``docs/retrain/<timestamp>.md`` with the candidate's confusion matrix next to it as
``<timestamp>-confusion.png``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.retrain.evaluation import Example, Prediction, Report
from bot.retrain.gate import FAQ_TOPICS, Decision, ModelScores

MAX_CONFUSIONS = 15


@dataclass(frozen=True)
class Comparison:
    timestamp: str
    candidate: str
    live: str | None
    config: str
    test_support: int
    margin: float
    decision: Decision
    candidate_scores: ModelScores
    live_scores: ModelScores | None
    candidate_report: Report


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _delta(new: float, old: float | None) -> str:
    return "—" if old is None else f"{new - old:+.3f}"


def render(c: Comparison, confusion_png: str | None) -> str:
    live, cand = c.live_scores, c.candidate_scores
    verdict = "PROMOTED" if c.decision.passed else "REJECTED"
    lines = [
        f"# Retraining {c.timestamp}: candidate {verdict}",
        "",
        f"- candidate: `{c.candidate}` (config `{c.config}`)",
        f"- live model: `{c.live}`" if c.live else "- live model: none",
        f"- held-out split: {c.test_support} messages; gate: no macro-F1 drop, no intent F1 "
        f"and no faq topic accuracy drop above {c.margin:.2f}",
        "",
        "Gate:",
        "",
        *[f"- {reason}" for reason in c.decision.reasons],
        "",
        "## Overall",
        "",
        "| metric | live | candidate | change |",
        "|---|---|---|---|",
    ]
    for label, attr in (
        ("intent macro-F1", "macro_f1"),
        ("intent accuracy", "accuracy"),
        ("faq sub-intent accuracy", "faq_accuracy"),
    ):
        new, old = getattr(cand, attr), getattr(live, attr) if live else None
        flag = " ⚠" if attr == "faq_accuracy" and FAQ_TOPICS in c.decision.drops else ""
        lines.append(f"| {label}{flag} | {_f(old)} | {_f(new)} | {_delta(new, old)} |")
    lines += ["", "## F1 per intent", "", "| intent | support | live | candidate | change |"]
    lines.append("|---|---|---|---|---|")
    intents = sorted(set(cand.per_intent) | set(live.per_intent if live else {}))
    for intent in intents:
        new = cand.per_intent.get(intent, 0.0)
        old = live.per_intent.get(intent) if live else None
        support = c.candidate_report.per_intent.get(intent, (0.0, 0))[1]
        flag = " ⚠" if intent in c.decision.drops else ""
        lines.append(f"| {intent}{flag} | {support} | {_f(old)} | {_f(new)} | {_delta(new, old)} |")
    lines += ["", "## Candidate confusions (true → predicted)", ""]
    if c.candidate_report.confusions:
        lines += ["| true | predicted | count |", "|---|---|---|"]
        shown = c.candidate_report.confusions[:MAX_CONFUSIONS]
        lines += [f"| {t} | {p} | {n} |" for t, p, n in shown]
    else:
        lines.append("None.")
    if confusion_png:
        lines += ["", f"![confusion matrix of the candidate]({confusion_png})"]
    return "\n".join(lines) + "\n"


def plot_confusion(
    examples: Sequence[Example], predictions: Sequence[Prediction], out: Path, title: str
) -> None:
    """Row-normalised confusion matrix (true intent per row), counts written in the cells."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in tests
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    truth = [e.intent for e in examples]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(truth) | set(predicted))
    counts = confusion_matrix(truth, predicted, labels=labels)
    totals = counts.sum(axis=1, keepdims=True)
    share = counts / totals.clip(min=1)
    size = max(6.0, 0.45 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    try:
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(labels)))
        ax.set_yticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=90, fontsize=8)
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(title, fontsize=9)
        for i in range(len(labels)):
            for j in range(len(labels)):
                if counts[i, j]:
                    color = "white" if share[i, j] > 0.5 else "black"
                    ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=6,
                            color=color)  # fmt: skip
        fig.tight_layout()
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=110)
    finally:
        plt.close(fig)
