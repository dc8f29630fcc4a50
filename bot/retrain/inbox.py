"""`bot inbox`: the queue of customer messages most worth labelling, as a YAML file.

A turn is a candidate when the model doubted it (confidence below 0.6), gave up on it
(fallback), a person had to take over (handoff), an agent corrected its intent, or it uses words
the training data has never seen. Identical messages (same normalised text, so placeholders make
"订单【订单号】到哪了" one message however many customers asked it) are merged and counted, and
the queue is ranked by how much a label is likely to teach the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.text import normalise
from bot.retrain.export import FALLBACK, FALLBACK_INTENT, HANDOFF, Turn
from bot.retrain.masking import PLACEHOLDERS
from bot.retrain.trainingdata import text_key

LOW_CONFIDENCE = 0.6
CORRECTION, HANDOFF_REASON, FALLBACK_REASON = "correction", "handoff", "fallback"
LOW_CONFIDENCE_REASON, UNSEEN_REASON = "low_confidence", "unseen_words"
# An agent's verdict is a label already (cheap to confirm, so first); a handoff or a fallback
# means a customer was failed; doubt and new words come after.
WEIGHTS = {
    CORRECTION: 10.0,
    HANDOFF_REASON: 3.0,
    FALLBACK_REASON: 3.0,
    LOW_CONFIDENCE_REASON: 2.0,
    UNSEEN_REASON: 0.5,  # per unseen word, up to MAX_UNSEEN_COUNTED
}
MAX_UNSEEN_COUNTED = 3
SKIP = "skip"
REQUEST_HUMAN = "request_human"
# Entities that are identifiers: masked as placeholders, annotated by `inbox apply` instead.
_IDENTIFIER_ENTITIES = {"order_id", "tracking_number", "phone", "phone_tail"}
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass
class Item:
    key: str
    text: str
    example: str  # proposed training example, with [value](entity) markup
    predicted: str | None
    confidence: float
    reasons: set[str] = field(default_factory=set)
    unseen: list[str] = field(default_factory=list)
    suggestion: str | None = None
    count: int = 1
    note: str | None = None

    @property
    def score(self) -> float:
        total = sum(WEIGHTS[r] for r in self.reasons if r != UNSEEN_REASON)
        if LOW_CONFIDENCE_REASON in self.reasons:
            # the less sure the model was, the more a label teaches it
            total += max(0.0, LOW_CONFIDENCE - self.confidence) / LOW_CONFIDENCE
        total += WEIGHTS[UNSEEN_REASON] * min(len(self.unseen), MAX_UNSEEN_COUNTED)
        return round(total + math.log2(self.count), 3)


# --- tokens and vocabulary -----------------------------------------------------------------


@lru_cache(maxsize=4)
def _jieba(dictionary_dir: Path | None) -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if dictionary_dir is not None and dictionary_dir.is_dir():
        for path in sorted(dictionary_dir.iterdir()):
            tokenizer.load_userdict(str(path))
    return tokenizer


def tokens(text: str, dictionary_dir: Path | None = None) -> list[str]:
    """jieba words of the normalised text, without placeholders, punctuation, emoji or digits."""
    plain = normalise(text).text.lower()
    for placeholder in PLACEHOLDERS:
        plain = plain.replace(placeholder, " ")
    words = _jieba(dictionary_dir).lcut(plain)
    return [w for w in words if _WORD.search(w) and not w.strip().isdigit() and w.strip()]


def vocabulary(texts: Iterable[str], dictionary_dir: Path | None = None) -> set[str]:
    return {w for t in texts for w in tokens(t, dictionary_dir)}


# --- building the queue ----------------------------------------------------------------------


def propose_example(turn: Turn) -> str:
    """The turn's text with the entities the model found marked up, where they are literal."""
    example = turn.text
    for entity in turn.entities:
        value, kind = entity.get("value") or "", entity.get("entity") or ""
        if kind in _IDENTIFIER_ENTITIES or not value or value in PLACEHOLDERS:
            continue
        position = example.find(value)
        # skip values inside markup placed already (a product name inside a longer one)
        if position < 0 or "[" in example[:position].rsplit("]", 1)[-1]:
            continue
        end = position + len(value)
        example = f"{example[:position]}[{value}]({kind}){example[end:]}"
    return example


def reasons_of(turn: Turn, unseen: list[str]) -> set[str]:
    reasons: set[str] = set()
    # A customer who asked for a person and got one was understood; other handoffs were not.
    if turn.outcome == HANDOFF and turn.intent != REQUEST_HUMAN:
        reasons.add(HANDOFF_REASON)
    if turn.outcome == FALLBACK or turn.intent == FALLBACK_INTENT:
        reasons.add(FALLBACK_REASON)
    if turn.confidence < LOW_CONFIDENCE:
        reasons.add(LOW_CONFIDENCE_REASON)
    if unseen:
        reasons.add(UNSEEN_REASON)
    return reasons


def _best_guess(turn: Turn) -> str | None:
    if turn.intent and turn.intent != FALLBACK_INTENT:
        return turn.full_intent or turn.intent
    return turn.ranking[0][0] if turn.ranking else None


def build_queue(
    turns: Iterable[Turn],
    corrections: Iterable[tuple[Turn, str]],
    vocab: set[str],
    labelled: Mapping[str, str],
    held_out: set[str],
    tokenize: Callable[[str], list[str]] = tokens,
    limit: int | None = None,
) -> list[Item]:
    """The ranked, de-duplicated queue.

    ``corrections`` are (turn, corrected intent) pairs; ``labelled`` maps text keys of the
    training data to their intent and ``held_out`` holds the keys of the frozen test split:
    neither is asked about again (a held-out text must never be trained on), except an agent
    correction that contradicts the training data, which is queued with a note.
    """
    items: dict[str, Item] = {}

    def add(turn: Turn, reasons: set[str], unseen: list[str], guess: str | None) -> None:
        corrected = guess if CORRECTION in reasons else None
        key = text_key(turn.text)
        candidate = Item(
            key=key,
            text=turn.text,
            example=propose_example(turn),
            predicted=turn.full_intent or turn.intent,
            confidence=turn.confidence,
            reasons=reasons,
            unseen=unseen,
            suggestion=guess,
        )
        current = items.get(key)
        if current is None:
            items[key] = candidate
            return
        # The correction of a message is the same message, not one more occurrence of it.
        occurrences = current.count + (0 if corrected else 1)
        merged_reasons = current.reasons | reasons
        if candidate.score > current.score:
            candidate.suggestion = current.suggestion if CORRECTION in current.reasons else guess
            candidate.confidence = min(current.confidence, candidate.confidence)
            current = items[key] = candidate
        current.count = occurrences
        current.reasons = merged_reasons
        if corrected:
            current.suggestion = corrected
        current.confidence = min(current.confidence, candidate.confidence)

    def queueable(turn: Turn) -> bool:
        text = turn.text.strip()
        # "/inform{...}" is a button payload, not something a customer wrote
        return bool(text) and not text.startswith("/") and text_key(text) not in held_out

    for turn in turns:
        if not queueable(turn) or text_key(turn.text) in labelled:
            continue
        unseen = sorted({w for w in tokenize(turn.text) if w not in vocab})
        reasons = reasons_of(turn, unseen)
        if reasons:
            add(turn, reasons, unseen, _best_guess(turn))
    for turn, corrected in corrections:
        if not queueable(turn):
            continue
        known = labelled.get(text_key(turn.text))
        if known == corrected:
            continue
        unseen = sorted({w for w in tokenize(turn.text) if w not in vocab})
        add(turn, {CORRECTION, *reasons_of(turn, unseen)}, unseen, corrected)
        if known is not None:
            items[text_key(turn.text)].note = f"already in the training data as {known}"
    ranked = sorted(items.values(), key=lambda i: (-i.score, -i.count, i.key))
    return ranked[:limit] if limit is not None else ranked


# --- the labelling file ----------------------------------------------------------------------

HEADER = """\
# Labelling inbox: customer messages most worth teaching the assistant, best first.
# For each item fill `label` with
#   - an intent of domain.yml (track_order, request_return, ...),
#   - faq/<topic> for a store-policy question (faq/shipping_fee, faq/invoice, ...),
#   - skip when the message teaches nothing (gibberish, several requests at once).
# Leave `label` empty to decide later. `example` is what is added to data/nlu/: fix it only to
# mark entities, e.g. 我的[羽绒服](product)坏了; placeholders such as 【订单号】 are replaced
# by made-up values of the right shape (annotated as entities) when applied.
# Then run: bot inbox apply <this file>
"""


def render(items: list[Item], created: datetime, source: str) -> str:
    entries = []
    for number, item in enumerate(items, start=1):
        entry: dict[str, Any] = {
            "id": number,
            "text": item.text,
            "label": "",
            "example": item.example,
            "predicted": item.predicted,
            "confidence": round(item.confidence, 3),
            "suggestion": item.suggestion,
            "reasons": sorted(item.reasons, key=lambda r: -WEIGHTS[r]),
            "count": item.count,
            "score": item.score,
        }
        if item.unseen:
            entry["unseen"] = item.unseen
        if item.note:
            entry["note"] = item.note
        entries.append(entry)
    body = {"created": created.isoformat(timespec="seconds"), "source": source, "items": entries}
    return HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)


@dataclass(frozen=True)
class Labelled:
    id: int
    text: str
    example: str
    label: str


def read_labels(path: Path) -> list[Labelled]:
    """The items of a labelling file that carry a label (including ``skip``)."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for raw in loaded.get("items") or []:
        label = str(raw.get("label") or "").strip()
        if not label:
            continue
        text = str(raw.get("text") or "")
        example = str(raw.get("example") or text).strip()
        out.append(Labelled(int(raw.get("id") or 0), text, example, label))
    return out
