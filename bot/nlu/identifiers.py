"""Order numbers, phone numbers and tracking numbers, found by their exact shape.

These identifiers are defined by format, not by context, so a regular expression is both more
reliable and cheaper than a learned extractor. The component runs after DIET and replaces any
guess DIET made for these entity types with the exact matches.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.identifier_classes import IDENTIFIER_PATTERNS as PATTERNS


def find_identifiers(text: str) -> list[dict[str, Any]]:
    """All identifiers in the text as Rasa entity dicts, in order of appearance."""
    found = [
        {"entity": name, "value": m.group(0).upper(), "start": m.start(), "end": m.end()}
        for name, pattern in PATTERNS.items()
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda e: e["start"])


def merge_entities(
    predicted: list[dict[str, Any]], identifiers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Drops predicted identifier entities and anything overlapping an exact match."""

    def overlaps(entity: dict[str, Any]) -> bool:
        return any(entity["start"] < i["end"] and i["start"] < entity["end"] for i in identifiers)

    kept = [e for e in predicted if e.get("entity") not in PATTERNS and not overlaps(e)]
    return sorted(kept + identifiers, key=lambda e: e["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class IdentifierExtractor(GraphComponent):
    """Exact extraction of order, phone and tracking numbers."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IdentifierExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            identifiers = [
                {**e, "extractor": type(self).__name__, "confidence_entity": 1.0}
                for e in find_identifiers(text)
            ]
            merged = merge_entities(message.get(ENTITIES) or [], identifiers)
            message.set(ENTITIES, merged, add_to_output=True)
        return messages
