"""Everything one `make bench` run measured, and the targets judged from it (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from benchmarks.cost import TrainingCost
from benchmarks.nlu_bench import NluResult
from benchmarks.stats import PhaseSummary, ratio

OURS, BASELINE_RASA, BASELINE_TFIDF, STOCK = "ours", "baseline_rasa", "baseline_tfidf", "stock"
BASELINE_LINEAR = "baseline_linear"
# + N: `make prod`'s set-up with N Rasa instances behind nginx (benchmarks.scaling).
CLUSTER_PREFIX = "ours-x"
BASELINES = (BASELINE_RASA, BASELINE_TFIDF, BASELINE_LINEAR)
SYSTEM_TITLES = {
    OURS: "ours (config.yml)",
    BASELINE_RASA: "(a) Jieba+CountVectors+DIET",
    BASELINE_TFIDF: "(b) jieba+TF-IDF+LogReg",
    BASELINE_LINEAR: "(c) jieba+char 1-3+TF-IDF+LogReg",
    STOCK: "stock Rasa",
    **{f"{CLUSTER_PREFIX}{n}": f"ours ×{n} behind nginx (PostgreSQL, Redis)" for n in range(1, 5)},
}
TARGET_F1 = 0.95
TARGET_F1_MARGIN = 0.03
TARGET_P95_MS = 200.0
TARGET_P95_PHASE = "20/s"
TARGET_THROUGHPUT_RATIO = 0.8
TARGET_TRAINING_S = 300.0


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    memory_gib: float
    python: str
    rasa: str
    tensorflow: str
    kernel: str
    started_at: str  # wall-clock time of the run, for the reader
    load_average: tuple[float, float, float]  # at the start


@dataclass(frozen=True)
class ServerBench:
    label: str
    model: str
    phases: list[PhaseSummary]
    rss_mb: dict[str, float]  # "rasa warm", "rasa after load", "actions warm", ...
    samples: dict[str, list[str]]  # step -> [message, replies...]
    warmup_failures: int
    handoffs: dict[str, int] = field(default_factory=dict)  # message -> chats handed over

    def phase(self, name: str) -> PhaseSummary | None:
        return next((p for p in self.phases if p.name == name), None)


@dataclass
class BenchResults:
    machine: Machine
    command: str
    nlu: list[NluResult] = field(default_factory=list)
    load: dict[str, ServerBench] = field(default_factory=dict)
    training: list[TrainingCost] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # busy machine, skipped parts, ...
    # step -> cores other processes on the machine kept busy meanwhile (0 = quiet machine)
    foreign_cores: dict[str, float] = field(default_factory=dict)
    # step -> pids of other engineers' `rasa train` seen running during it
    other_trainings: dict[str, list[int]] = field(default_factory=dict)
    total_seconds: float = math.nan

    def nlu_of(self, system: str) -> NluResult | None:
        return next((r for r in self.nlu if r.system == system), None)

    def training_of(self, name: str) -> TrainingCost | None:
        return next((t for t in self.training if t.name == name), None)


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: could not be measured


def _f1_target(r: BenchResults) -> Target:
    name = (
        f"held-out macro-F1 >= {TARGET_F1:.2f} and >= {100 * TARGET_F1_MARGIN:.0f} points "
        "above the strongest baseline, overall and on every slice"
    )
    ours = r.nlu_of(OURS)
    baselines = [b for b in (r.nlu_of(name) for name in BASELINES) if b is not None]
    if ours is None or not baselines:
        return Target(name, "not measured", None)
    f1 = ours.report.overall.macro_f1
    best = max(b.report.overall.macro_f1 for b in baselines)
    # per slice: ours minus the best baseline on that slice; the worst slice decides
    margins = {
        s: scores.macro_f1 - max(b.report.per_slice[s].macro_f1 for b in baselines)
        for s, scores in ours.report.per_slice.items()
        if all(s in b.report.per_slice for b in baselines)
    }
    lowest = min(ours.report.per_slice.values(), key=lambda x: x.macro_f1, default=None)
    measured = f"{f1:.3f}; best baseline {best:.3f} ({100 * (f1 - best):+.1f} points)"
    worst = min(margins, key=lambda s: margins[s], default=None)
    if worst is not None:
        measured += f"; weakest slice margin {worst} {100 * margins[worst]:+.1f} points"
    slices_met = all(m >= TARGET_F1_MARGIN - 1e-9 for m in margins.values()) and (
        lowest is None or lowest.macro_f1 >= TARGET_F1
    )
    met = f1 >= TARGET_F1 and f1 - best >= TARGET_F1_MARGIN - 1e-9 and slices_met
    return Target(name, measured, met)


def _latency_target(r: BenchResults) -> Target:
    name = f"p95 <= {TARGET_P95_MS:.0f} ms at {TARGET_P95_PHASE.replace('/s', '')} turns/s"
    server = r.load.get(OURS)
    phase = server.phase(TARGET_P95_PHASE) if server else None
    if phase is None or math.isnan(phase.p95_ms):
        return Target(name, "not measured", None)
    return Target(
        name,
        f"{phase.p95_ms:.0f} ms (achieved {phase.achieved_rate:.1f} turns/s, "
        f"{phase.failed} failed)",
        phase.p95_ms <= TARGET_P95_MS and phase.failed == 0,
    )


def _throughput_target(r: BenchResults) -> Target:
    name = f"saturated throughput >= {TARGET_THROUGHPUT_RATIO}x stock Rasa"
    ours, stock = r.load.get(OURS), r.load.get(STOCK)
    a = ours.phase("saturated") if ours else None
    b = stock.phase("saturated") if stock else None
    if a is None or b is None:
        return Target(name, "not measured", None)
    x = ratio(a.achieved_rate, b.achieved_rate)
    return Target(
        name,
        f"{a.achieved_rate:.1f} vs {b.achieved_rate:.1f} turns/s = {x:.2f}x",
        not math.isnan(x) and x >= TARGET_THROUGHPUT_RATIO,
    )


def _training_target(r: BenchResults) -> Target:
    name = f"full training <= {TARGET_TRAINING_S / 60:.0f} min"
    t = r.training_of(OURS)
    if t is None or t.returncode != 0:
        return Target(name, "not measured", None)
    return Target(name, f"{t.wall_seconds / 60:.1f} min", t.wall_seconds <= TARGET_TRAINING_S)


def targets(r: BenchResults) -> list[Target]:
    return [_f1_target(r), _latency_target(r), _throughput_target(r), _training_target(r)]
