"""Rasa intent classifier: TF-IDF logistic regression over words, characters and pinyin.

Placed after DIETClassifier, before FallbackClassifier. On the held-out split it beats DIET
alone and DIET averaged with it (docs/nlu_experiments.md), so config.yml lets DIET extract
entities only and this component decide the intent.

Identifiers and numbers (bot.nlu.identifier_classes) are left out of what the model reads: which
order or size a customer mentions, or whether they mention one at all, cannot move the intent.
A message that is nothing but identifiers (an order number pasted on its own) carries no words
to classify; it is the customer giving us the identifier, ``identifier_only_intent``.

``diet_weight`` > 0 averages the ranking with the one a previous classifier (DIET) left on the
message: ``diet_weight`` × DIET + (1 − ``diet_weight``) × this model. Kept for the experiments.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.identifier_classes import IDENTIFIERS, find_class_spans, without_spans
from bot.nlu.linear_model import LinearInput, LinearIntentModel

logger = logging.getLogger(__name__)


def linear_input(message: Message) -> LinearInput | None:
    """The model's view of a parsed message, identifiers and numbers left out; None for a
    message without text.

    The words are jieba's (with the catalogue dictionary JiebaTokenizer loaded) on the text
    without the spans, not the pipeline's tokens: jieba cuts the words next to a number
    differently from the same words alone (单号 + ZT… but 单 + 号 at the end of a message), and
    only the same text guarantees the same features with or without the number.
    """
    import jieba

    text = message.get(TEXT)
    if not isinstance(text, str) or not text.strip():
        return None
    rest = without_spans(text)
    if not any(ch.isalnum() for ch in rest):
        rest = text  # nothing but numbers: they are the message (a rating, a phone's last digits)
    return LinearInput([w for w in jieba.lcut(rest.lower()) if w.strip()], rest)


def only_identifiers(text: str) -> bool:
    """An order, phone or tracking number (or several) and nothing but punctuation around it."""
    spans = find_class_spans(text)
    rest = without_spans(text, spans)
    return any(s.kind in IDENTIFIERS for s in spans) and not any(ch.isalnum() for ch in rest)


def combine(
    linear: dict[str, float], previous: list[dict[str, Any]], previous_weight: float
) -> list[tuple[str, float]]:
    """Weighted average of two rankings (an intent missing from one counts 0 there), best first."""
    earlier = {str(r["name"]): float(r.get("confidence") or 0.0) for r in previous}
    if not earlier:
        previous_weight = 0.0
    names = set(linear) | set(earlier)
    scores = {
        n: previous_weight * earlier.get(n, 0.0) + (1 - previous_weight) * linear.get(n, 0.0)
        for n in names
    }
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    """Sets ``intent`` and ``intent_ranking`` from the linear model and DIET's ranking."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,
            "diet_weight": 0.0,
            "identifier_only_intent": "inform",
            "ranking_length": 10,
            "random_seed": 42,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "jieba", "pypinyin"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa reuses a cached component while its config and inputs are unchanged; what the
        model reads is this code, so a change to it retrains the model too."""
        from bot.nlu import identifier_classes, linear_model

        digest = hashlib.sha256()
        for module in (sys.modules[__name__], identifier_classes, linear_model):
            digest.update(Path(str(module.__file__)).read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearIntentModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # identifier-only examples have nothing left to learn from; the rule answers them
        pairs = [
            (i, str(m.get(INTENT)))
            for m in training_data.intent_examples
            if (i := linear_input(m)) is not None and not only_identifiers(m.get(TEXT))
        ]
        if len({label for _, label in pairs}) < 2:
            logger.warning("LinearIntentClassifier needs two intents or more; not trained")
            return self._resource
        self._model = LinearIntentModel.fit(
            [i for i, _ in pairs],
            [label for _, label in pairs],
            c=float(self._config["C"]),
            seed=int(self._config["random_seed"]),
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(Path(directory))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearIntentModel.load(Path(directory))
        except (ValueError, OSError):
            logger.warning("LinearIntentClassifier has no trained model; DIET's intents stand")
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            if not message.get(INTENT):
                # an empty message says nothing: no guess, so FallbackClassifier asks
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        inputs = [(m, i) for m in messages if (i := linear_input(m)) is not None]
        probabilities = self._model.predict_proba([i for _, i in inputs])
        weight = float(self._config["diet_weight"])
        for (message, _), row in zip(inputs, probabilities, strict=True):
            linear = dict(zip(self._model.labels, map(float, row), strict=True))
            if only_identifiers(message.get(TEXT)):
                linear = {str(self._config["identifier_only_intent"]): 1.0}
            ranking = combine(linear, message.get(INTENT_RANKING_KEY) or [], weight)
            length = int(self._config["ranking_length"]) or len(ranking)
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": n, "confidence": c} for n, c in ranking[:length]],
                add_to_output=True,
            )
        return messages
