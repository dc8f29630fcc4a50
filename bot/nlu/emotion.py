"""Rasa NLU component: the customer's emotion (angry, anxious, neutral, satisfied) per message.

A small spaCy pipeline (blank ``zh`` with the jieba segmenter and a bag-of-words ``textcat``)
trained on our own labelled examples in ``data/emotion/emotion.yml``. Bag-of-words rather than
spaCy's CNN ensemble: with a few hundred examples it is better calibrated (the ensemble is
confidently wrong on unseen wording) and trains in seconds. The result goes into ``parse_data``
as ``emotion: {name, confidence, ranking}``, which the escalation policy reads.

Training is deterministic (fixed seed, seeded shuffling) and reads the YAML file itself, so
``fingerprint_addon`` hashes that file: editing the examples makes ``rasa train`` retrain.
"""

from __future__ import annotations

import hashlib
import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.emotion_words import (
    DISSATISFIED_CONFIDENCE,
    FURY_CONFIDENCE,
    fury_in,
    negated_praise_in,
)
from bot.nlu.text import normalise
from bot.settings import REPO_ROOT

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

EMOTION = "emotion"
ANGRY = "angry"
LABELS = ("angry", "anxious", "neutral", "satisfied")
DEFAULT_DATA_PATH = "data/emotion/emotion.yml"
PIPELINE_DIR = "emotion_textcat"


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(normalised text, label) pairs from the label -> examples YAML file."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(loaded) - set(LABELS)
    if unknown:
        raise ValueError(f"{path}: unknown emotion labels {sorted(unknown)}; use {LABELS}")
    return [
        (normalise(str(text)).text, label)
        for label in LABELS
        for text in loaded.get(label) or []
        if str(text).strip()
    ]


def resolve_data_path(configured: str) -> Path:
    """A relative path is looked up from the working directory (``rasa train`` runs in the
    project), then from the repository root (tests and tools started elsewhere)."""
    path = Path(configured)
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


def blank_pipeline() -> Language:
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    model = {
        "@architectures": "spacy.TextCatBOW.v2",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
    }
    textcat = nlp.add_pipe("textcat", config={"model": model})
    for label in LABELS:
        textcat.add_label(label)  # type: ignore[attr-defined]
    return nlp


def train_pipeline(
    examples: list[tuple[str, str]], *, epochs: int, seed: int, dropout: float, batch_size: int
) -> Language:
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = blank_pipeline()
    gold = [
        Example.from_dict(nlp.make_doc(text), {"cats": {k: float(k == label) for k in LABELS}})
        for text, label in examples
    ]
    optimizer = nlp.initialize(lambda: gold)
    shuffler = random.Random(seed)
    for _ in range(epochs):
        shuffler.shuffle(gold)
        for batch in minibatch(gold, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=dropout)
    return nlp


def _at_least_angry(ranking: dict[str, float], level: float) -> dict[str, float]:
    """The ranking with anger raised to ``level`` and the other labels scaled into the rest."""
    if ranking[ANGRY] >= level:
        return ranking
    rest = sum(v for k, v in ranking.items() if k != ANGRY) or 1.0
    scale = (1.0 - level) / rest
    return {k: (level if k == ANGRY else v * scale) for k, v in ranking.items()}


def emotion_of(text: str, cats: dict[str, float]) -> dict[str, Any]:
    """The message's emotion from the classifier's scores, with the lexical overrides: fury is
    strong anger, negated praise ("不太满意") dissatisfaction (see bot.nlu.emotion_words)."""
    ranking = {label: float(cats.get(label, 0.0)) for label in LABELS}
    if fury_in(text):
        ranking = _at_least_angry(ranking, FURY_CONFIDENCE)
    elif negated_praise_in(text):
        ranking = _at_least_angry(ranking, DISSATISFIED_CONFIDENCE)
    name = max(ranking, key=lambda k: ranking[k])
    return {
        "name": name,
        "confidence": round(ranking[name], 4),
        "ranking": {k: round(v, 4) for k, v in ranking.items()},
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmotionClassifier(GraphComponent):
    """Adds ``emotion`` to every parsed message; leaves intents and entities alone."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "data_path": DEFAULT_DATA_PATH,
            "epochs": 25,
            "random_seed": 42,
            "dropout": 0.2,
            "batch_size": 16,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "jieba"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        path = resolve_data_path(str(config.get("data_path") or DEFAULT_DATA_PATH))
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        nlp: Language | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmotionClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # Rasa's NLU data carries no emotion labels; the component learns from its own file.
        path = resolve_data_path(str(self._config["data_path"]))
        examples = read_examples(path)
        if not examples:
            raise ValueError(f"no emotion examples in {path}")
        self._nlp = train_pipeline(
            examples,
            epochs=int(self._config["epochs"]),
            seed=int(self._config["random_seed"]),
            dropout=float(self._config["dropout"]),
            batch_size=int(self._config["batch_size"]),
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._nlp.to_disk(Path(directory) / PIPELINE_DIR)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmotionClassifier:
        import spacy

        nlp = None
        try:
            with model_storage.read_from(resource) as directory:
                nlp = spacy.load(Path(directory) / PIPELINE_DIR)
        except (ValueError, OSError):
            # An untrained component (e.g. `rasa train core` only): parse without emotions.
            logger.warning("EmotionClassifier has no trained pipeline; emotions are not set")
        return cls(config, model_storage, resource, nlp)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._nlp is None:
            return messages
        texted = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT).strip()]
        texts = [normalise(m.get(TEXT)).text for m in texted]
        for message, text, doc in zip(texted, texts, self._nlp.pipe(texts), strict=True):
            message.set(EMOTION, emotion_of(text, dict(doc.cats)), add_to_output=True)
        return messages
