"""The scikit-learn baselines (words; words + character n-grams), on a toy set."""

from __future__ import annotations

from benchmarks.nlu_bench import (
    evaluate_linear,
    evaluate_tfidf,
    jieba_tokens,
    linear_predictor,
    tfidf_predictor,
)
from bot.retrain.evaluation import Example

TOY = {
    "track_order": [
        "我的快递到哪了",
        "帮我查一下物流",
        "包裹到哪里了",
        "查下快递进度",
        "物流到哪了",
    ],
    "faq": ["怎么开发票", "满多少包邮", "运费怎么算", "可以开发票吗", "包邮吗"],
    "greet": ["你好", "在吗", "您好客服", "哈喽", "有人吗"],
}


def _examples(slice_: str = "train") -> list[Example]:
    return [Example(t, intent, intent, slice_) for intent, texts in TOY.items() for t in texts]


def test_jieba_tokens_are_words_without_blanks() -> None:
    tokens = jieba_tokens("我的快递 到哪了 OK")
    assert "快递" in tokens
    assert "ok" in tokens
    assert all(t.strip() for t in tokens)


def test_tfidf_baseline_learns_the_toy_intents() -> None:
    predict = tfidf_predictor([(e.text, e.intent) for e in _examples()])
    predictions = predict(["我的包裹到哪了", "发票怎么开", "你好呀"])
    assert [p.intent for p in predictions] == ["track_order", "faq", "greet"]
    assert all(0 < p.confidence <= 1 and p.full_intent == p.intent for p in predictions)
    assert predict([]) == []


def test_tfidf_baseline_is_scored_like_the_rasa_systems() -> None:
    held_out = [
        Example("快递到哪了", "track_order", "track_order", "general"),
        Example("開發票", "faq", "faq/invoice", "traditional"),
        Example("在吗亲", "greet", "greet", "general"),
    ]
    result = evaluate_tfidf("baseline_tfidf", _examples(), held_out)
    assert result.system == "baseline_tfidf"
    assert set(result.report.per_slice) == {"general", "traditional"}
    assert result.report.overall.support == 3
    assert result.report.per_slice["general"].accuracy == 1.0
    assert result.fit_seconds is not None and result.mean_parse_ms >= 0


def test_word_and_char_baseline_survives_a_typo_the_word_baseline_cannot_see() -> None:
    pairs = [(e.text, e.intent) for e in _examples()]
    # 物留 (typo of 物流) is no jieba word of the training data; its characters still are
    assert linear_predictor(pairs)(["查下物留"])[0].intent == "track_order"
    result = evaluate_linear("baseline_linear", _examples(), _examples("general"))
    assert result.report.overall.accuracy == 1.0 and result.fit_seconds is not None
