"""Money, phone numbers and dates as every reply shows them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.formatting import (
    day,
    day_padded,
    mask_phone,
    timestamp,
    when,
    when_padded,
    yuan,
    yuan_compact,
    yuan_words,
)


@pytest.mark.parametrize(
    ("fen", "paid", "price", "words"),
    [
        (1230, "¥12.30", "¥12.3", "12.30 元"),
        (29900, "¥299.00", "¥299", "299.00 元"),
        (999, "¥9.99", "¥9.99", "9.99 元"),
        (5, "¥0.05", "¥0.05", "0.05 元"),
        (0, "¥0.00", "¥0", "0.00 元"),
    ],
)
def test_amounts_in_fen_read_as_yuan(fen: int, paid: str, price: str, words: str) -> None:
    assert (yuan(fen), yuan_compact(fen), yuan_words(fen)) == (paid, price, words)


def test_only_the_first_three_and_last_four_digits_of_a_mobile_show() -> None:
    assert mask_phone("13812341234") == "138****1234"
    # Not a mainland mobile: nothing sensible to mask, shown as it is.
    assert mask_phone("0571-88886666") == "0571-88886666"


def test_dates_and_times() -> None:
    moment = datetime(2026, 11, 5, 9, 30)
    assert (day(date(2026, 11, 5)), when(moment)) == ("11月5日", "11月5日 09:30")
    assert (day_padded(moment), when_padded(moment)) == ("11月05日", "11月05日 09:30")
    assert timestamp(moment) == "2026-11-05 09:30"
