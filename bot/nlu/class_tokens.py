"""Rasa component: identifiers and numbers reach the featurizers as their class token.

Placed right after JiebaTokenizer. Each span found by bot.nlu.identifier_classes becomes exactly
one token: tokens straddling a span's edge are cut there, the tokens inside are merged, and the
merged token keeps the customer's characters as ``text`` but gets the class token
(``__order_id__``, ``__body__`` …) as ``lemma``. Rasa's CountVectorsFeaturizer counts lemmas
(``use_lemma`` defaults to true), for word counts and for the char n-gram sentence features
alike (it joins the lemmas), so DIET (entities) and the ResponseSelector (faq topics) see
``__order_id__到哪了`` whichever order was meant. RegexFeaturizer matches the message text and
marks tokens by offsets, which this component keeps exact. Entities keep their offsets in the
original text, and an identifier that is one token is also exactly one entity for DIET. The
intent classifier (bot.nlu.linear_intent) goes one step further and leaves the spans out.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.identifier_classes import ClassSpan, find_class_spans


def retokenise(tokens: Sequence[Token], text: str, spans: Sequence[ClassSpan]) -> list[Token]:
    """The tokens with each span as one token whose lemma is the span's class token."""
    out: list[Token] = []
    emitted: set[int] = set()
    for token in tokens:
        cuts = sorted(
            {token.start, token.end}
            | {p for s in spans for p in (s.start, s.end) if token.start < p < token.end}
        )
        for start, end in pairwise(cuts):
            span = next((s for s in spans if s.start <= start and end <= s.end), None)
            if span is None:
                whole = (start, end) == (token.start, token.end)
                out.append(token if whole else Token(text[start:end], start, end, dict(token.data)))
            elif span.start not in emitted:
                emitted.add(span.start)
                out.append(
                    Token(text[span.start : span.end], span.start, span.end, lemma=span.token)
                )
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class IdentifierClassTokens(GraphComponent):
    """Rewrites the text tokens of every message (training data too); adds no features itself,
    but is registered as a featurizer, the graph slot that runs in pipeline order on both."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IdentifierClassTokens:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text, tokens = message.get(TEXT), message.get(TEXT_TOKENS)
            if not isinstance(text, str) or not tokens:
                continue
            spans = find_class_spans(text)
            if spans:
                message.set(TEXT_TOKENS, retokenise(tokens, text, spans))
        return messages
