"""Reading the size or colour a customer wants in exchange (换 L 码 / 换黑色 M / 大一码).

Pure functions over the product's variants, so every answer can be tested without a database:
the customer hears which specs exist and which are in stock, and an unknown or sold-out wish is
answered with the alternatives instead of a silent re-ask (seed 000: know the goods).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Colour words a customer may use that a product might not have; with the catalogue's own
# colours they let the bot say "这款没有紫色" instead of ignoring the word.
GENERIC_COLOURS = (
    "红色",
    "橙色",
    "黄色",
    "绿色",
    "青色",
    "蓝色",
    "紫色",
    "黑色",
    "白色",
    "灰色",
    "粉色",
    "棕色",
    "咖啡色",
    "卡其色",
    "米白色",
    "米色",
    "藏青色",
    "军绿色",
    "酒红色",
    "银色",
    "金色",
    "深蓝色",
    "浅蓝色",
    "天蓝色",
    "深灰色",
    "浅灰色",
    "杏色",
    "驼色",
    "玫红色",
    "墨绿色",
    "红",
    "橙",
    "黄",
    "绿",
    "蓝",
    "紫",
    "黑",
    "白",
    "灰",
    "粉",
    "棕",
)
SAME_WORDS = re.compile(r"同款|一样|原来的|相同|同样|不变|原样|原规格")
BIGGER = re.compile(r"大一[码号点个]|大点|大号|加大|大些")
SMALLER = re.compile(r"小一[码号点个]|小点|小号|小些")
# Something that looks like a size or a specification, to catch sizes the product lacks.
SIZE_LIKE = re.compile(
    r"(?<![A-Z0-9.])(\d+(?:\.\d+)?(?:ML|MAH|KG|MM|L|G|M|号|码)|\d{2}|X{1,3}L|[SML])(?![A-Z0-9])"
)


class SpecOutcome(str, enum.Enum):
    OK = "ok"
    OUT_OF_STOCK = "out_of_stock"
    UNKNOWN = "unknown"
    UNCLEAR = "unclear"
    SAME_AS_NOW = "same_as_now"


@dataclass(frozen=True)
class VariantOption:
    colour: str
    size: str | None
    stock: int

    @property
    def spec(self) -> str:
        return f"{self.colour} {self.size}" if self.size else self.colour


@dataclass(frozen=True)
class SpecChoice:
    outcome: SpecOutcome
    wanted: VariantOption | None = None
    # In-stock alternatives, closest first (same colour, then same size, then the rest).
    alternatives: tuple[VariantOption, ...] = ()
    # What the customer asked for that this product does not have.
    unknown: str | None = None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper().replace(" ", "")


def _canon_colour(word: str) -> str:
    return word[:-1] if len(word) > 1 and word.endswith("色") else word


def _find_words(text: str, vocabulary: Iterable[str]) -> list[str]:
    """Vocabulary words in the text, longest first and without overlaps (米白 beats 白)."""
    found: list[str] = []
    taken = [False] * len(text)
    for word in sorted(set(vocabulary), key=len, reverse=True):
        start = text.find(word)
        while start >= 0:
            span = range(start, start + len(word))
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append(word)
            start = text.find(word, start + 1)
    return found


def _colour_in(text: str, colours: Sequence[str]) -> tuple[str | None, str | None]:
    """(the product colour named, a colour word the product does not have)."""
    vocabulary = [*GENERIC_COLOURS, *colours, *(_canon_colour(c) for c in colours)]
    chosen: str | None = None
    for word in _find_words(text, vocabulary):
        canon = _canon_colour(word)
        exact = [c for c in colours if _canon_colour(c) == canon]
        # "黑色" for a product whose only black is 星空黑 means that one.
        partial = [c for c in colours if canon in _canon_colour(c)]
        match = exact or (partial if len(partial) == 1 else [])
        if not match:
            return None, word
        chosen = match[0]
    return chosen, None


def _size_in(text: str, sizes: Sequence[str], current: str | None) -> tuple[str | None, str | None]:
    """(the product size named or implied by 大一码/小一码, a size the product does not have)."""
    by_fold = {_fold(s): s for s in sizes}
    for word in _find_words(text, by_fold):
        pattern = rf"(?<![A-Z0-9.]){re.escape(word)}(?![A-Z0-9])"
        if re.search(pattern, text):
            return by_fold[word], None
    for token in SIZE_LIKE.findall(text):
        bare = re.sub(r"[码号]$", "", token)
        if bare in by_fold:
            return by_fold[bare], None
        return None, token
    if current is not None and current in sizes:
        index = list(sizes).index(current)
        step = 1 if BIGGER.search(text) else -1 if SMALLER.search(text) else 0
        if step and 0 <= index + step < len(sizes):
            return sizes[index + step], None
        if step:
            return None, "更大的尺码" if step > 0 else "更小的尺码"
    return None, None


def _alternatives(
    options: Sequence[VariantOption], near: VariantOption
) -> tuple[VariantOption, ...]:
    in_stock = [o for o in options if o.stock > 0 and o != near]

    def closeness(o: VariantOption) -> int:
        return 0 if o.colour == near.colour else 1 if o.size == near.size else 2

    return tuple(sorted(in_stock, key=closeness)[:6])


def choose_exchange_spec(
    text: str, options: Sequence[VariantOption], current: VariantOption, *, allow_same: bool
) -> SpecChoice:
    """What the customer wants instead of ``current``, checked against the product's variants.

    ``allow_same``: a faulty or wrong item is replaced by the same spec; an exchange for size or
    taste must change something.
    """
    folded = _fold(text)
    colours = list(dict.fromkeys(o.colour for o in options))
    sizes = list(dict.fromkeys(o.size for o in options if o.size))
    # Sizes out first: a keyboard's 红轴 is a specification, not the colour red.
    colour_text = folded
    for size_word in sorted((_fold(s) for s in sizes), key=len, reverse=True):
        colour_text = colour_text.replace(size_word, " ")
    colour, bad_colour = _colour_in(colour_text, colours)
    size, bad_size = _size_in(folded, sizes, current.size)
    if bad_colour or bad_size:
        return SpecChoice(
            SpecOutcome.UNKNOWN,
            alternatives=_alternatives(options, current),
            unknown=bad_colour or bad_size,
        )
    if colour is None and size is None and not SAME_WORDS.search(folded):
        return SpecChoice(SpecOutcome.UNCLEAR, alternatives=_alternatives(options, current))
    wanted_colour = colour or current.colour
    wanted_size = size or current.size
    match = [o for o in options if o.colour == wanted_colour and o.size == wanted_size]
    if not match:
        spec = f"{wanted_colour} {wanted_size}" if wanted_size else wanted_colour
        return SpecChoice(
            SpecOutcome.UNKNOWN, alternatives=_alternatives(options, current), unknown=spec
        )
    wanted = match[0]
    if wanted == current and not allow_same:
        return SpecChoice(
            SpecOutcome.SAME_AS_NOW, wanted=wanted, alternatives=_alternatives(options, current)
        )
    if wanted.stock <= 0:
        return SpecChoice(
            SpecOutcome.OUT_OF_STOCK, wanted=wanted, alternatives=_alternatives(options, wanted)
        )
    return SpecChoice(SpecOutcome.OK, wanted=wanted)
