"""Latency statistics of a load phase (pure)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TurnResult:
    kind: str  # which step of the conversation: greet, track, product, faq, thank
    sent_at: float  # seconds since the phase started
    latency: float  # seconds from sending to the complete reply
    ok: bool  # HTTP 200 with at least one bot message
    error: str = ""


@dataclass(frozen=True)
class PhaseResult:
    name: str  # "5/s", "20/s", "40/s", "saturated"
    offered_rate: float | None  # turns per second offered (open loop); None when closed loop
    concurrency: int | None  # customers chatting at once (closed loop)
    duration: float  # seconds during which turns were offered
    elapsed: float  # seconds from the first turn sent to the last reply received
    turns: tuple[TurnResult, ...]
    shed: int = 0  # scheduled turns not sent because too many were already waiting (open loop)
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)  # process -> CPU ms


@dataclass(frozen=True)
class PhaseSummary:
    name: str
    offered_rate: float | None
    concurrency: int | None
    ok: int
    failed: int  # errors, timeouts and shed turns
    achieved_rate: float  # successful turns per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_kind_ms: dict[str, tuple[float, float]]  # kind -> (p50, p95)
    cpu_ms_per_turn: dict[str, float]
    errors: dict[str, int] = field(default_factory=dict)  # "step: error" -> count


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between ranks like numpy's default."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(phase: PhaseResult) -> PhaseSummary:
    """Percentiles over the successful turns; failures are counted, not timed."""
    ok = [t for t in phase.turns if t.ok]
    errors = Counter(f"{t.kind}: {t.error}" for t in phase.turns if not t.ok)
    if phase.shed:
        errors["not sent: too many turns already waiting"] = phase.shed
    ms = [1000 * t.latency for t in ok]
    # Throughput over the offered window, or longer when replies kept coming after it ended.
    window = max(phase.duration, phase.elapsed, 1e-9)
    kinds = sorted({t.kind for t in ok})
    per_kind = {
        kind: (
            percentile([1000 * t.latency for t in ok if t.kind == kind], 50),
            percentile([1000 * t.latency for t in ok if t.kind == kind], 95),
        )
        for kind in kinds
    }
    return PhaseSummary(
        name=phase.name,
        offered_rate=phase.offered_rate,
        concurrency=phase.concurrency,
        ok=len(ok),
        failed=len(phase.turns) - len(ok) + phase.shed,
        achieved_rate=len(ok) / window,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        per_kind_ms=per_kind,
        cpu_ms_per_turn=dict(phase.cpu_ms_per_turn),
        errors=dict(errors.most_common()),
    )


def ratio(ours: float, reference: float) -> float:
    """ours / reference, NaN when the reference is zero or missing."""
    if reference == 0 or math.isnan(reference) or math.isnan(ours):
        return math.nan
    return ours / reference
