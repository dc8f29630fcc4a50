"""The promotion gate (pure)."""

from __future__ import annotations

import pytest

from bot.retrain.evaluation import Example, Prediction, score
from bot.retrain.gate import ModelScores, decide


def _scores(macro: float, faq: float = 0.0, **per_intent: float) -> ModelScores:
    return ModelScores(macro, macro, faq, dict(per_intent), 100)


def test_first_model_passes_when_nothing_is_live() -> None:
    decision = decide(_scores(0.5, greet=0.5), None)
    assert decision.passed
    assert "no live model" in decision.reasons[0]


def test_better_everywhere_passes() -> None:
    decision = decide(_scores(0.9, greet=0.9, track_order=0.9), _scores(0.8, greet=0.8))
    assert decision.passed
    assert decision.macro_delta == pytest.approx(0.1)


def test_equal_scores_pass() -> None:
    same = _scores(0.8, greet=0.8, track_order=0.8)
    assert decide(same, same).passed


def test_any_macro_f1_drop_fails() -> None:
    decision = decide(_scores(0.799, greet=0.8), _scores(0.8, greet=0.8))
    assert not decision.passed
    assert "macro-F1 drops" in decision.reasons[0]


def test_one_intent_dropping_more_than_the_margin_fails_despite_a_better_average() -> None:
    live = _scores(0.80, cancel_order=0.90, greet=0.70)
    candidate = _scores(0.85, cancel_order=0.80, greet=0.90)
    decision = decide(candidate, live)
    assert not decision.passed
    assert decision.drops == {"cancel_order": pytest.approx(0.10)}
    assert any("cancel_order" in r for r in decision.reasons)


def test_drops_within_the_margin_pass_and_the_margin_is_configurable() -> None:
    live = _scores(0.80, cancel_order=0.90, greet=0.70)
    candidate = _scores(0.82, cancel_order=0.86, greet=0.78)
    assert decide(candidate, live).passed  # 0.04 <= 0.05
    assert not decide(candidate, live, margin=0.02).passed
    assert decide(_scores(0.85, cancel_order=0.80, greet=0.9), live, margin=0.2).passed


def test_an_intent_the_candidate_lost_counts_as_zero() -> None:
    decision = decide(_scores(0.9, greet=0.9), _scores(0.8, greet=0.8, stop=0.8))
    assert not decision.passed
    assert "stop" in decision.drops


def test_worse_faq_topics_fail_even_when_every_intent_holds() -> None:
    live = _scores(0.8, faq=0.9, greet=0.8)
    assert decide(_scores(0.8, faq=0.86, greet=0.8), live).passed
    decision = decide(_scores(0.8, faq=0.8, greet=0.8), live)
    assert not decision.passed and "faq topics" in decision.drops


def test_negative_margin_is_refused() -> None:
    with pytest.raises(ValueError):
        decide(_scores(0.5), _scores(0.5), margin=-0.1)


def test_scores_round_trip_and_come_from_an_evaluation_report() -> None:
    examples = [Example("a", "greet", "greet", "general"), Example("b", "stop", "stop", "typos")]
    predictions = [Prediction("greet", "greet", 0.9), Prediction("greet", "greet", 0.4)]
    scores = ModelScores.of(score(examples, predictions))
    assert scores.per_intent == {"greet": pytest.approx(0.6667, abs=1e-4), "stop": 0.0}
    assert scores.accuracy == 0.5 and scores.support == 2
    assert ModelScores.from_dict(scores.to_dict()) == scores
