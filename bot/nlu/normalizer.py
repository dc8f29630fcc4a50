"""Rasa component that puts every message into canonical form before tokenisation."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.text import MAX_CHARS, normalise

# The customer's own words, kept on the message so logs and the console can show them verbatim.
ORIGINAL_TEXT = "original_text"


# Registered as a featurizer because that is the graph slot that runs on training data and on
# every message, in pipeline order, before the tokenizer; it adds no features itself.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Traditional to simplified, full-width to half-width, whitespace, length cap."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": MAX_CHARS}

    def __init__(self, config: dict[str, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise_message(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise_message(message)
        return messages

    def _normalise_message(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return  # story turns given as intents only have no text
        result = normalise(text, self._max_chars)
        if result.text == text:
            return
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, result.text)
        for entity in message.get(ENTITIES) or []:
            start, end = result.map_span(
                entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
            )
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
