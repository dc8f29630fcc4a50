"""Scoring of held-out predictions (pure: no model involved)."""

from bot.retrain.evaluation import Example, Prediction, score
from bot.retrain.report import render_markdown


def _ex(intent: str, slice_: str = "general", full: str | None = None) -> Example:
    return Example(f"text for {intent}", intent, full or intent, slice_)


def _pred(intent: str, full: str | None = None) -> Prediction:
    return Prediction(intent, full or intent, 0.9)


def test_perfect_predictions_score_one() -> None:
    examples = [_ex("greet"), _ex("track_order", "typos")]
    report = score(examples, [_pred("greet"), _pred("track_order")])
    assert report.overall.accuracy == 1.0
    assert report.overall.macro_f1 == 1.0
    assert report.confusions == []


def test_confusions_slices_and_faq_topics_are_reported() -> None:
    examples = [
        _ex("track_order"),
        _ex("urge_shipment", "typos"),
        _ex("faq", full="faq/invoice"),
        _ex("faq", full="faq/payment"),
    ]
    predictions = [
        _pred("track_order"),
        _pred("track_order"),
        _pred("faq", "faq/invoice"),
        _pred("faq", "faq/invoice"),
    ]
    report = score(examples, predictions)
    assert report.overall.accuracy == 0.75
    assert report.confusions == [("urge_shipment", "track_order", 1)]
    assert report.per_slice["typos"].accuracy == 0.0
    assert report.faq_accuracy == 0.5
    assert report.per_intent["urge_shipment"] == (0.0, 1)
    markdown = render_markdown(report, "test-model")
    assert "| urge_shipment | track_order | 1 |" in markdown
    assert "faq/payment" in markdown  # the wrong faq answer is listed among the errors
