"""Identifier spans reach Rasa's featurizers as one class-token lemma each."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.class_tokens import IdentifierClassTokens, retokenise
from bot.nlu.identifier_classes import find_class_spans


def _tokens(text: str, cuts: list[int]) -> list[Token]:
    return [Token(text[a:b], a, b) for a, b in pairwise(cuts)]


def test_a_token_straddling_a_span_is_cut_and_the_span_is_one_token() -> None:
    text = "单号926111453460400021怎么还没到"
    # a segmenter that glued the digits to the words around them
    tokens = _tokens(text, [0, 4, 20, 22, len(text)])
    out = retokenise(tokens, text, find_class_spans(text))
    assert [(t.text, t.lemma) for t in out] == [
        ("单号", "单号"),
        ("926111453460400021", "__order_id__"),
        ("怎么", "怎么"),
        ("还没到", "还没到"),
    ]
    assert [(t.start, t.end) for t in out] == [(0, 2), (2, 20), (20, 22), (22, 25)]


def test_tokens_without_spans_are_left_alone() -> None:
    text = "我的快递到哪了"
    tokens = _tokens(text, [0, 2, 4, 5, 6, 7])
    assert retokenise(tokens, text, []) == tokens


@pytest.fixture
def pipeline(tmp_path: Path) -> tuple[JiebaTokenizer, IdentifierClassTokens, list]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = JiebaTokenizer.create(
        JiebaTokenizer.get_default_config(), storage, Resource("jieba"), context
    )
    classes = IdentifierClassTokens.create({}, storage, Resource("classes"), context)
    featurizers = [
        CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), **config},
            storage,
            Resource(f"cv{i}"),
            context,
        )
        for i, config in enumerate([{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}])
    ]
    return tokenizer, classes, featurizers


def test_two_order_numbers_give_the_featurizers_the_same_input(pipeline: tuple) -> None:
    tokenizer, classes, featurizers = pipeline
    texts = ["926111453460400021到哪了", "526111389088761117到哪了", "我的快递到哪了"]
    training = TrainingData([Message(data={TEXT: t, "intent": "track_order"}) for t in texts])
    tokenizer.process_training_data(training)
    classes.process_training_data(training)
    for featurizer in featurizers:
        featurizer.train(training)
        featurizer.process_training_data(training)
    first, second, _ = training.training_examples
    assert first.get(TEXT_TOKENS)[0].lemma == "__order_id__"
    for a, b in zip(first.get_sparse_features(TEXT), second.get_sparse_features(TEXT), strict=True):
        assert a is not None and b is not None
        assert np.array_equal(a.features.toarray(), b.features.toarray())
