"""The TF-IDF logistic-regression intent model: learns, stores as arrays, predicts the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.nlu.linear_intent import combine, linear_input, only_identifiers
from bot.nlu.linear_model import LinearInput, LinearIntentModel, pinyin_syllables

TOY = {
    "track_order": ["我的 快递 到 哪 了", "帮 我 查 一下 物流", "包裹 到 哪里 了", "查 下 快递"],
    "faq": ["怎么 开 发票", "满 __number__ 包邮 吗", "运费 怎么 算", "可以 开 发票 吗"],
    "greet": ["你好", "在 吗", "您好 客服", "哈喽"],
}


def _input(spaced: str) -> LinearInput:
    return LinearInput(spaced.split(), spaced.replace(" ", ""))


@pytest.fixture(scope="module")
def model() -> LinearIntentModel:
    pairs = [(_input(t), intent) for intent, texts in TOY.items() for t in texts]
    return LinearIntentModel.fit([i for i, _ in pairs], [y for _, y in pairs], c=30.0, seed=42)


def test_learns_the_toy_intents(model: LinearIntentModel) -> None:
    probabilities = model.predict_proba(
        [_input("快递 到 哪 了 呢"), _input("发票 怎么 开"), _input("你好 呀")]
    )
    assert [model.labels[i] for i in probabilities.argmax(axis=1)] == [
        "track_order",
        "faq",
        "greet",
    ]
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.predict_proba([]).shape == (0, 3)


def test_a_stored_model_predicts_exactly_what_the_trained_one_did(
    model: LinearIntentModel, tmp_path: Path
) -> None:
    model.save(tmp_path)
    loaded = LinearIntentModel.load(tmp_path)
    inputs = [_input("物流 到 哪 了"), _input("没 见过 的 话")]
    assert loaded.labels == model.labels
    assert np.array_equal(loaded.predict_proba(inputs), model.predict_proba(inputs))


def test_probabilities_are_scikit_learns(model: LinearIntentModel) -> None:
    """The stored arrays reproduce scikit-learn's own TF-IDF + LogisticRegression pipeline."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [t for texts in TOY.values() for t in texts]
    labels = [intent for intent, texts in TOY.items() for _ in texts]
    vectorizers = [
        TfidfVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, ngram_range=(1, 2)
        ),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)),
        TfidfVectorizer(
            tokenizer=pinyin_syllables, token_pattern=None, lowercase=False, ngram_range=(1, 2)
        ),
    ]
    views = [lambda t: t, lambda t: t.replace(" ", ""), lambda t: t.replace(" ", "")]

    def features(batch: list[str], fit: bool = False) -> Any:
        blocks = [
            (v.fit_transform if fit else v.transform)([view(t) for t in batch])
            for v, view in zip(vectorizers, views, strict=True)
        ]
        return hstack(blocks).tocsr()

    reference = LogisticRegression(C=30.0, solver="newton-cg", max_iter=1000)
    reference.fit(features(texts, fit=True), labels)
    query = ["快递 到 哪 了 呢", "泻泻 你"]
    expected = reference.predict_proba(features(query))
    assert np.allclose(model.predict_proba([_input(q) for q in query]), expected, atol=1e-6)


def test_homophone_typos_share_pinyin_features() -> None:
    assert pinyin_syllables("泻泻你") == pinyin_syllables("谢谢你") == ["xie", "xie", "ni"]
    assert pinyin_syllables("__order_id__ 到哪了 ok😊") == [
        "__order_id__",
        "dao",
        "na",
        "le",
        "ok😊",
    ]


def test_rankings_are_averaged_with_the_given_weight() -> None:
    diet = [{"name": "faq", "confidence": 0.6}, {"name": "ask_product", "confidence": 0.4}]
    linear = {"faq": 0.2, "ask_product": 0.7, "greet": 0.1}
    ranking = combine(linear, diet, 0.5)
    assert [name for name, _ in ranking] == ["ask_product", "faq", "greet"]
    assert ranking[0][1] == pytest.approx(0.55)
    assert combine(linear, [], 0.5)[0] == ("ask_product", 0.7)  # no DIET ranking: linear alone


def test_identifiers_and_numbers_are_left_out_of_what_the_model_reads() -> None:
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    def seen(text: str) -> LinearInput | None:
        return linear_input(Message(data={TEXT: text}))

    with_number = seen("快递员不送上门 单号ZT614027395581")
    assert with_number == seen("快递员不送上门 单号") == seen("快递员不送上门 单号SF123456789012")
    assert with_number is not None and with_number.chars == "快递员不送上门 单号"
    assert seen("  ") is None
    # a message of nothing but numbers keeps them: they are all it says (a rating, a phone tail)
    assert seen("5") == LinearInput(["5"], "5")


def test_only_a_pasted_identifier_is_answered_by_the_rule() -> None:
    assert only_identifiers("926111453460400021")
    assert only_identifiers("👉 SF820364719925。")
    assert not only_identifiers("订单926111453460400021")
    assert not only_identifiers("37")  # a bare number is no identifier
