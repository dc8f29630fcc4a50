"""PNG pictures for docs/nlu_report.md: the coverage/accuracy curve and the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.retrain.calibration import OperatingPoint
from bot.retrain.evaluation import FALLBACK_INTENT, Example, Prediction


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    return plt


def coverage_plot(
    curves: dict[float, list[OperatingPoint]],
    chosen: OperatingPoint,
    configured: OperatingPoint | None,
    path: Path,
) -> None:
    """Accuracy of the answered messages against the share answered, one line per ambiguity
    margin, the threshold sweeping along each line; the cheapest pair and config.yml's marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for margin, points in sorted(curves.items()):
        ax.plot(
            [100 * p.coverage for p in points],
            [100 * p.accuracy for p in points],
            marker=".",
            label=f"ambiguity_threshold {margin:.2f}",
        )
    ax.scatter(
        [100 * chosen.coverage], [100 * chosen.accuracy], s=120, marker="*", color="black",
        zorder=5, label=f"cheapest: threshold {chosen.threshold:.2f}, "
        f"ambiguity {chosen.ambiguity_threshold:.2f}",
    )  # fmt: skip
    if configured is not None:
        ax.scatter(
            [100 * configured.coverage], [100 * configured.accuracy], s=80, marker="o",
            facecolors="none", edgecolors="red", zorder=6,
            label=f"config.yml: threshold {configured.threshold:.2f}, "
            f"ambiguity {configured.ambiguity_threshold:.2f}",
        )  # fmt: skip
    ax.set_xlabel("coverage: messages answered without asking (%)")
    ax.set_ylabel("accuracy of the answered messages (%)")
    ax.set_title("Held-out split: fallback threshold sweep")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def confusion_plot(
    examples: Sequence[Example], predictions: Sequence[Prediction], path: Path
) -> None:
    """Row-normalised confusion matrix of the contract intents (plus the fallback column)."""
    import numpy as np

    plt = _pyplot()
    truth = sorted({e.intent for e in examples})
    columns = truth + sorted({p.intent for p in predictions} - set(truth))
    counts = np.zeros((len(truth), len(columns)))
    for example, prediction in zip(examples, predictions, strict=True):
        counts[truth.index(example.intent), columns.index(prediction.intent)] += 1
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(truth)), truth, fontsize=8)
    for i in range(len(truth)):
        for j in range(len(columns)):
            if counts[i, j]:
                colour = "white" if shares[i, j] > 0.6 else "black"
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=7,
                        color=colour)  # fmt: skip
    if FALLBACK_INTENT in columns:
        ax.axvline(columns.index(FALLBACK_INTENT) - 0.5, color="grey", linewidth=0.8)
    ax.set_xlabel("predicted (as answered, nlu_fallback = the bot asked)")
    ax.set_ylabel("true intent")
    ax.set_title("Held-out split: confusion matrix (counts, colour = share of the row)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
