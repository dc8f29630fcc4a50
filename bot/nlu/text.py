"""Pure text normalisation for Chinese customer messages.

Customers write in simplified and traditional script, with full-width letters and digits from
Chinese input methods, and with stray whitespace. The model is trained and queried on one
canonical form so that "訂單ＳＦ１２３" and "订单SF123" look the same to it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

# Attention cost grows with the square of the length; a customer's request is in the first few
# sentences, so longer messages are cut before they reach the classifier.
MAX_CHARS = 400


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _t2s() -> _Converter:
    import opencc

    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalised:
    text: str
    # offsets[i] is the position in `text` of original character i (or of the next kept one),
    # so entity annotations made on the original text can be moved onto the normalised text.
    offsets: tuple[int, ...]

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Moves an entity span [start, end) of the original text onto the normalised text."""
        new_start = self.offsets[start] if start < len(self.offsets) else len(self.text)
        new_end = self.offsets[end - 1] + 1 if 0 < end <= len(self.offsets) else new_start
        return new_start, min(max(new_end, new_start), len(self.text))


def _to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # Phrase-level conversion changed the length, which would break the character mapping;
    # fall back to converting character by character, which keeps one character per character.
    return "".join(_t2s().convert(ch)[:1] or ch for ch in text)


def _fold_width(ch: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３) to half-width; Chinese punctuation is left alone."""
    code = ord(ch)
    if code == 0x3000:
        return " "
    if 0xFF01 <= code <= 0xFF5E and (ch.isalnum() or ch in "＠＃－＿．／"):
        return chr(code - 0xFEE0)
    return ch


def normalise(text: str, max_chars: int = MAX_CHARS) -> Normalised:
    """Canonical form: simplified script, half-width letters and digits, single spaces, trimmed.

    Emoji and Chinese punctuation are kept: they carry tone (😡, ！！！) that the classifier uses.
    """
    simplified = _to_simplified(text)
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for ch in simplified:
        folded = _fold_width(ch)
        if folded.isspace() or unicodedata.category(folded) == "Cc":
            pending_space = bool(out)
            offsets.append(len(out))
            continue
        if pending_space and len(out) < max_chars:
            out.append(" ")
            pending_space = False
        offsets.append(min(len(out), max_chars))
        if len(out) < max_chars:
            out.append(folded)
    normalised = "".join(out)
    return Normalised(normalised, tuple(min(o, len(normalised)) for o in offsets))
