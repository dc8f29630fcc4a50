"""`make nlu-quick`: the in-process intent model reads messages the way the Rasa component does."""

from __future__ import annotations

from benchmarks.nlu_quick import compare, ours_predictor, render
from bot.retrain.evaluation import Example

TOY = {
    "track_order": ["我的快递到哪了", "帮我查一下物流", "包裹到哪里了", "查下快递", "物流不动了"],
    "faq": ["怎么开发票", "满多少包邮", "运费怎么算", "可以开发票吗", "能用花呗吗"],
    "greet": ["你好", "在吗", "您好客服", "哈喽", "亲在不在"],
}
PAIRS = [(text, intent) for intent, texts in TOY.items() for text in texts]


def test_identifiers_never_move_the_intent_and_alone_are_inform() -> None:
    predict = ours_predictor(PAIRS, c=30.0)
    with_number, without, alone, empty = predict(
        ["926111453460400021到哪了", "到哪了", "926111453460400021", "   "]
    )
    assert with_number.intent == without.intent == "track_order"
    assert with_number.confidence == without.confidence
    assert alone.intent == "inform"
    assert empty.intent == "nlu_fallback"


def test_compares_both_models_on_the_same_messages_per_slice() -> None:
    training = [Example(t, i, i, "train") for t, i in PAIRS]
    test = [
        Example("快递到哪了呀", "track_order", "track_order", "general"),
        Example("開發票怎麼弄", "faq", "faq", "traditional"),
    ]
    reports = compare(training, test, c=30.0)
    assert set(reports) == {"ours", "baseline (c)"}
    assert reports["ours"].overall.accuracy == 1.0  # traditional script is normalised first
    table = render(reports)
    assert "| ours |" in table and "traditional" in table
