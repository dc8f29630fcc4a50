"""Which order, phone or size a customer mentions never changes what the trained model thinks
they want: every held-out message with a number keeps its intent when the number is swapped for
another of the same class, and when it is left out."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.nlu.identifier_classes import (
    AMOUNT,
    BODY,
    DATE,
    NUMBER,
    ORDER_ID,
    PHONE,
    SIZE,
    TRACKING_NUMBER,
    ClassSpan,
    find_class_spans,
)
from bot.retrain.evaluation import Prediction, load_examples, rasa_predictor
from bot.settings import REPO_ROOT

pytestmark = pytest.mark.model

# Two stand-ins per class: the second is used when the message already holds the first.
STAND_INS: dict[str, tuple[str, str]] = {
    ORDER_ID: ("526111389088761117", "726111784358814210"),
    PHONE: ("13957685432", "15098765432"),
    TRACKING_NUMBER: ("SF123456789012", "YT998877665544"),
    AMOUNT: ("35元", "¥129"),
    DATE: ("11月3日", "5号"),
    BODY: ("160cm", "55kg"),
    SIZE: ("42码", "XL"),
    NUMBER: ("37", "12"),
}
# Right after 身高/体重 the span is the bare number: keep it bare.
BARE_BODY = ("160", "55")
WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def _stand_in(text: str, span: ClassSpan) -> str:
    original = text[span.start : span.end]
    options = BARE_BODY if span.kind == BODY and original.isdigit() else STAND_INS[span.kind]
    return options[1] if original == options[0] else options[0]


def _variants(text: str) -> list[tuple[str, str]]:
    """(what changed, variant) for each span: swapped for a stand-in, and left out."""
    out = []
    for span in find_class_spans(text):
        if span.kind not in STAND_INS:
            continue
        swapped = text[: span.start] + _stand_in(text, span) + text[span.end :]
        assert [s.kind for s in find_class_spans(swapped)] == [
            s.kind for s in find_class_spans(text)
        ], f"the stand-in for {span.kind} in {text!r} is read as another class"
        out.append((f"{span.kind} swapped", swapped))
        removed = text[: span.start] + text[span.end :]
        if WORDS.search(removed):  # a message that was nothing but the number is skipped
            out.append((f"{span.kind} removed", removed))
    return out


@pytest.fixture(scope="module")
def predict(trained_model: Path) -> Callable[[Sequence[str]], list[Prediction]]:
    return rasa_predictor(trained_model)


def test_numbers_in_held_out_messages_never_move_the_intent(
    predict: Callable[[Sequence[str]], list[Prediction]],
) -> None:
    texts = [e.text for e in load_examples(REPO_ROOT / "data" / "test" / "nlu")]
    with_numbers = [t for t in texts if find_class_spans(t)]
    assert len(with_numbers) >= 50, "the held-out split should have messages with numbers"
    cases = [(t, change, variant) for t in with_numbers for change, variant in _variants(t)]
    originals = dict(zip(with_numbers, predict(with_numbers), strict=True))
    variants = predict([variant for _, _, variant in cases])
    moved = [
        f"{text} → {originals[text].intent}; {change}: {variant} → {p.intent}"
        for (text, change, variant), p in zip(cases, variants, strict=True)
        if p.intent != originals[text].intent
    ]
    assert not moved, f"{len(moved)} of {len(cases)} variants changed intent:\n" + "\n".join(moved)
