"""Size advice from a product's size chart (seed 000: know sizes; seed 002: speak plainly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SizeRow:
    size: str
    height: tuple[int, int] | None = None  # cm, inclusive
    weight: tuple[int, int] | None = None  # kg, inclusive
    foot_length: tuple[int, int] | None = None  # mm, inclusive


def _fits(value: int | None, bounds: tuple[int, int] | None) -> bool:
    return value is not None and bounds is not None and bounds[0] <= value <= bounds[1]


def recommend_size(
    chart: Sequence[SizeRow],
    *,
    height_cm: int | None = None,
    weight_kg: int | None = None,
    foot_length_mm: int | None = None,
) -> str | None:
    """The size to suggest, or None when the measurements fall outside the chart.

    The chart is ordered small to large. When height and weight point at different sizes the
    larger one is suggested: a slightly loose garment can be worn, a tight one cannot.
    """
    if foot_length_mm is not None:
        return next((r.size for r in chart if _fits(foot_length_mm, r.foot_length)), None)
    by_height = [i for i, r in enumerate(chart) if _fits(height_cm, r.height)]
    by_weight = [i for i, r in enumerate(chart) if _fits(weight_kg, r.weight)]
    candidates = [idx[0] for idx in (by_height, by_weight) if idx]
    if not candidates:
        return None
    return chart[max(candidates)].size
