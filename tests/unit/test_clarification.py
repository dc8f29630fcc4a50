"""Reading why FallbackClassifier fell back, and the buttons for the intents it was torn between."""

from __future__ import annotations

from typing import Any

from bot.nlu.clarification import clarification_choices, is_ambiguous


def _parse(ranking: list[tuple[str, float]], **extra: Any) -> dict[str, Any]:
    return {"intent_ranking": [{"name": n, "confidence": c} for n, c in ranking], **extra}


def test_best_intent_above_the_threshold_means_the_fallback_was_for_ambiguity() -> None:
    assert is_ambiguous(
        _parse([("nlu_fallback", 0.5), ("faq", 0.51), ("ask_product", 0.47)])["intent_ranking"]
    )
    assert not is_ambiguous(
        _parse([("nlu_fallback", 0.5), ("faq", 0.4), ("ask_product", 0.39)])["intent_ranking"]
    )
    assert not is_ambiguous(_parse([("faq", 0.9), ("ask_product", 0.05)])["intent_ranking"])


def test_a_policy_topic_is_offered_by_name_and_travels_as_an_entity() -> None:
    selector = {"faq": {"response": {"intent_response_key": "faq/promotion"}}}
    parse = _parse(
        [("nlu_fallback", 0.5), ("ask_product", 0.52), ("faq", 0.46)],
        response_selector=selector,
        entities=[{"entity": "product", "value": "耳机", "start": 2, "end": 4}],
    )
    choices = clarification_choices(parse)
    assert [(c.title, c.payload) for c in choices] == [
        ("咨询商品信息", '/ask_product{"product":"耳机"}'),
        ("优惠活动和会员折扣", '/faq{"faq_topic":"promotion"}'),
    ]


def test_small_talk_is_never_offered_as_a_choice() -> None:
    parse = _parse([("nlu_fallback", 0.5), ("thank", 0.5), ("goodbye", 0.48)])
    assert clarification_choices(parse) == []
