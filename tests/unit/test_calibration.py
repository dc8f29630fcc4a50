"""Fallback thresholds from the measured coverage/accuracy trade-off (pure: no model)."""

from __future__ import annotations

from pathlib import Path

from bot.retrain.calibration import best_point, curve, operating_point
from bot.retrain.evaluation import Example, Prediction, score
from bot.retrain.report import calibrate, configured_thresholds, render_markdown


def _case(truth: str, ranking: list[tuple[str, float]]) -> tuple[Example, Prediction]:
    name, confidence = ranking[0]
    return Example(f"text {truth}", truth, truth, "colloquial"), Prediction(
        name, name, confidence, tuple(ranking)
    )


CASES = [
    _case("track_order", [("track_order", 0.95), ("urge_shipment", 0.03)]),
    _case("urge_shipment", [("urge_shipment", 0.90), ("track_order", 0.05)]),
    # right but unsure: answered only at a low threshold
    _case("faq", [("faq", 0.40), ("ask_product", 0.30)]),
    # wrong and unsure: a question is better than this answer
    _case("ask_product", [("faq", 0.35), ("ask_product", 0.33)]),
    # wrong and sure: no threshold saves it
    _case("complaint", [("request_return", 0.97), ("complaint", 0.01)]),
]
EXAMPLES = [e for e, _ in CASES]
PREDICTIONS = [p for _, p in CASES]


def test_an_operating_point_applies_fallback_classifiers_rule() -> None:
    everything = operating_point(EXAMPLES, PREDICTIONS, 0.0, 0.0)
    assert (everything.coverage, everything.accuracy) == (1.0, 0.6)
    strict = operating_point(EXAMPLES, PREDICTIONS, 0.5, 0.0)
    assert strict.coverage == 0.6 and round(strict.accuracy, 3) == 0.667
    # a 0.05 margin also asks about the faq/ask_product tie (0.35 vs 0.33), not about 0.40/0.30
    assert operating_point(EXAMPLES, PREDICTIONS, 0.0, 0.05).coverage == 0.8


def test_raising_the_threshold_trades_coverage_for_accuracy() -> None:
    points = curve(EXAMPLES, PREDICTIONS, 0.0)
    coverages = [p.coverage for p in points]
    assert coverages == sorted(coverages, reverse=True)
    assert points[-1].coverage < points[0].coverage


def test_the_cheapest_pair_asks_about_the_tie_and_answers_the_rest() -> None:
    # twenty of each case, so that one question's worth of cost is small against the choices
    best = best_point(EXAMPLES * 20, PREDICTIONS * 20)
    assert 0.0 < best.ambiguity_threshold <= 0.1
    assert 0.0 < best.threshold <= 0.35  # the highest that still asks about the tie
    assert best.coverage == 0.8 and best.accuracy == 0.75


def test_the_report_shows_the_curve_the_matrix_and_the_colloquial_slice(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: FallbackClassifier\n"
        "    threshold: 0.3\n    ambiguity_threshold: 0.1\n",
        encoding="utf-8",
    )
    assert configured_thresholds(config) == (0.3, 0.1)
    calibration = calibrate(EXAMPLES, PREDICTIONS, (0.3, 0.1), tmp_path / "nlu")
    assert (tmp_path / "nlu" / "coverage.png").stat().st_size > 0
    assert (tmp_path / "nlu" / "confusion.png").stat().st_size > 0
    markdown = render_markdown(score(EXAMPLES, PREDICTIONS), "m", calibration)
    assert "![coverage and accuracy](nlu/coverage.png)" in markdown
    assert "![confusion matrix](nlu/confusion.png)" in markdown
    assert "## Colloquial slice" in markdown
    assert "| config.yml | 0.30 | 0.10 |" in markdown
