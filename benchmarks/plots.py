"""PNG charts for docs/benchmarks.md (matplotlib, no display needed)."""

from __future__ import annotations

import math
from pathlib import Path

from benchmarks.results import OURS, STOCK, SYSTEM_TITLES, BenchResults

COLOURS = {
    OURS: "#2a7ab9",
    "baseline_rasa": "#e08a2c",
    "baseline_tfidf": "#8c8c8c",
    STOCK: "#e08a2c",
}


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    return plt


def nlu_slices(r: BenchResults, path: Path) -> None:
    plt = _pyplot()
    slices = sorted(next(iter(r.nlu)).report.per_slice)
    groups = ["overall", *slices]
    width = 0.8 / len(r.nlu)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, result in enumerate(r.nlu):
        values = [result.report.overall.macro_f1] + [
            result.report.per_slice[s].macro_f1 for s in slices
        ]
        xs = [g + (i - (len(r.nlu) - 1) / 2) * width for g in range(len(groups))]
        ax.bar(xs, values, width, label=SYSTEM_TITLES.get(result.system, result.system),
               color=COLOURS.get(result.system))  # fmt: skip
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("intent macro-F1")
    ax.set_title("Held-out split: macro-F1 overall and per robustness slice", pad=26)
    ax.axhline(0.95, color="black", linewidth=0.8, linestyle="--")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(r.nlu), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def nlu_intents(r: BenchResults, path: Path) -> None:
    plt = _pyplot()
    intents = sorted(next(iter(r.nlu)).report.per_intent)
    height = 0.8 / len(r.nlu)
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(intents) + 1.5))
    for i, result in enumerate(r.nlu):
        values = [result.report.per_intent.get(t, (0.0, 0))[0] for t in intents]
        ys = [y + (i - (len(r.nlu) - 1) / 2) * height for y in range(len(intents))]
        ax.barh(ys, values, height, label=SYSTEM_TITLES.get(result.system, result.system),
                color=COLOURS.get(result.system))  # fmt: skip
    ax.set_yticks(range(len(intents)), intents)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("F1 on the held-out split")
    ax.set_title("F1 per intent", pad=26)
    # Above the bars: inside the axes the legend would hide the last intents.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(r.nlu), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency(r: BenchResults, path: Path) -> None:
    plt = _pyplot()
    servers = [s for s in (OURS, STOCK) if s in r.load]
    phases = [p.name for p in r.load[servers[0]].phases]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / (3 * len(servers))
    for i, server in enumerate(servers):
        summaries = r.load[server].phases
        for j, (label, attr) in enumerate(
            (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))
        ):
            k = i * 3 + j
            xs = [g + (k - (3 * len(servers) - 1) / 2) * width for g in range(len(phases))]
            values = [getattr(p, attr) for p in summaries]
            values = [v if not math.isnan(v) else 0.0 for v in values]
            left.bar(xs, values, width, color=COLOURS[server], alpha=0.45 + 0.25 * j,
                     label=f"{SYSTEM_TITLES[server]} {label}")  # fmt: skip
        right.plot(range(len(phases)), [p.achieved_rate for p in summaries], marker="o",
                   color=COLOURS[server], label=SYSTEM_TITLES[server])  # fmt: skip
    left.set_yscale("log")
    left.set_xticks(range(len(phases)), phases)
    left.set_ylabel("latency per turn (ms, log scale)")
    left.set_title("Latency by offered load", pad=44)
    left.axhline(200, color="black", linewidth=0.8, linestyle="--")
    left.legend(fontsize=7, ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    offered = [p.offered_rate for p in r.load[servers[0]].phases]
    right.plot([i for i, o in enumerate(offered) if o], [o for o in offered if o], "k--",
               linewidth=0.8, label="offered")  # fmt: skip
    right.set_xticks(range(len(phases)), phases)
    right.set_ylabel("successful turns per second")
    right.set_title("Achieved throughput", pad=44)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(r: BenchResults, directory: Path) -> dict[str, Path]:
    """Draws what was measured; returns chart name -> file."""
    directory.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, Path] = {}
    if r.nlu:
        for name, draw in (("nlu_slices", nlu_slices), ("nlu_intents", nlu_intents)):
            draw(r, directory / f"{name}.png")
            drawn[name] = directory / f"{name}.png"
    # The chart compares ours with stock Rasa; a run that loaded only clusters has a table.
    if OURS in r.load or STOCK in r.load:
        latency(r, directory / "latency.png")
        drawn["latency"] = directory / "latency.png"
    return drawn
