"""Product mentions found by the catalogue's own words (spaCy EntityRuler over jieba tokens).

DIET learns "product" from a few hundred examples and misses or clips names it has not seen
("5L大容量空气炸锅", a brand it never met). The catalogue knows every name, brand and type word,
so this component, run after DIET, replaces DIET's product guesses where the catalogue has an
exact match, and adds the catalogue's key (``catalogue_id``: the SKU for a full name, or the
word itself for a generic one) so the actions need no second lookup.

spaCy entities must start and end on token boundaries, and jieba may cut a shop word in a
sentence differently from the word alone ("买空/气炸锅"). The segmenter therefore cuts every
catalogue term out first and only segments the text between terms with jieba, so a term is
always exactly one token, in a pattern and in a sentence alike.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.catalogue.index import TYPE_ALIASES
from bot.catalogue.types import ProductSpec

if TYPE_CHECKING:
    from spacy.language import Language

PRODUCT = "product"
LABEL = "PRODUCT"
CATALOGUE_ID = "catalogue_id"


def catalogue_patterns(specs: Iterable[ProductSpec]) -> list[dict[str, str]]:
    """EntityRuler phrase patterns: full names and brand + name → SKU; brand + type → SKU when
    only one product fits, else the phrase itself; type words and brands → themselves."""
    specs = list(specs)
    by_brand_type: dict[str, list[str]] = {}
    for spec in specs:
        by_brand_type.setdefault(f"{spec.brand}{spec.product_type}", []).append(spec.sku)
    ids: dict[str, str] = {}
    for phrase, skus in by_brand_type.items():
        ids[phrase] = skus[0] if len(skus) == 1 else phrase
    for spec in specs:
        ids.setdefault(spec.product_type, spec.product_type)
        ids.setdefault(spec.brand, spec.brand)
    types = {spec.product_type for spec in specs}
    for alias, product_type in TYPE_ALIASES.items():
        # The colloquial word stands for its type word, so the action looks up the same key.
        if product_type in types:
            ids.setdefault(alias, product_type)
    for spec in specs:
        # Names win over generic words that happen to be spelt the same.
        ids[spec.name] = spec.sku
        ids[f"{spec.brand}{spec.name}"] = spec.sku
    return [{"label": LABEL, "pattern": phrase, "id": key} for phrase, key in ids.items()]


class CatalogueSegmenter:
    """jieba, except that catalogue terms are always kept whole (see the module docstring).

    Stands in for the ``jieba`` module inside spaCy's ChineseTokenizer, which only calls
    ``cut(text, cut_all=False)``. The global jieba dictionary is left untouched, so Rasa's
    JiebaTokenizer segments exactly as it was trained.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        ordered = sorted({t for t in terms if t}, key=len, reverse=True)
        # Longest first: at one position "篮球鞋" wins over "篮球".
        self._terms = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)

    def cut(self, text: str, cut_all: bool = False) -> list[str]:
        import jieba

        pieces: list[str] = []
        position = 0
        for match in self._terms.finditer(text):
            pieces.extend(jieba.lcut(text[position : match.start()], cut_all=cut_all))
            pieces.append(match.group(0))
            position = match.end()
        pieces.extend(jieba.lcut(text[position:], cut_all=cut_all))
        return [p for p in pieces if p]


def build_catalogue_nlp(specs: Sequence[ProductSpec]) -> Language:
    """A blank Chinese spaCy pipeline whose EntityRuler knows the catalogue (no Rasa needed)."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    patterns = catalogue_patterns(specs)
    tokenizer: Any = nlp.tokenizer  # spaCy's ChineseTokenizer; its jieba is swapped below
    tokenizer.jieba_seg = CatalogueSegmenter(p["pattern"] for p in patterns)
    # LOWER: customers type "t恤" for "T恤"; the segmenter's match is case-insensitive too.
    ruler: Any = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)
    return nlp


def find_catalogue_entities(nlp: Language, text: str) -> list[dict[str, Any]]:
    """Catalogue product mentions in the text as Rasa entity dicts."""
    if not text:
        return []
    return [
        {
            "entity": PRODUCT,
            "value": ent.text,
            "start": ent.start_char,
            "end": ent.end_char,
            CATALOGUE_ID: ent.ent_id_ or ent.text,
        }
        for ent in nlp(text).ents
        if ent.label_ == LABEL
    ]


def merge_catalogue_entities(
    predicted: list[dict[str, Any]], catalogue: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Drops predicted product entities overlapping a catalogue match; keeps everything else."""

    def overlaps(entity: dict[str, Any]) -> bool:
        return any(entity["start"] < c["end"] and c["start"] < entity["end"] for c in catalogue)

    kept = [e for e in predicted if not (e.get("entity") == PRODUCT and overlaps(e))]
    return sorted(kept + catalogue, key=lambda e: e["start"])


_lock = threading.Lock()
_nlp: Language | None = None


def catalogue_nlp() -> Language:
    """The pipeline over the packaged catalogue, built on first use and then shared."""
    global _nlp
    with _lock:
        if _nlp is None:
            from bot.catalogue.index import products

            _nlp = build_catalogue_nlp(products())
        return _nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CatalogueEntityExtractor(GraphComponent):
    """Exact catalogue product mentions, replacing DIET's overlapping product guesses."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogueEntityExtractor:
        # Built when the model is loaded, so the first customer does not wait for spaCy.
        catalogue_nlp()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        nlp = catalogue_nlp()
        for message in messages:
            found = [
                {**e, "extractor": type(self).__name__, "confidence_entity": 1.0}
                for e in find_catalogue_entities(nlp, message.get(TEXT) or "")
            ]
            merged = merge_catalogue_entities(message.get(ENTITIES) or [], found)
            message.set(ENTITIES, merged, add_to_output=True)
        return messages
