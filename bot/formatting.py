"""How the replies show money, phone numbers, dates and times (pure, no Chinese sentences).

Amounts are stored in fen (integers) everywhere; this is the only place that turns them into
yuan text, so an amount reads the same in every reply. Dates are Beijing wall-clock values
(see :mod:`bot.timeutil`) and are shown as they are.
"""

from __future__ import annotations

from datetime import date, datetime


def yuan(fen: int) -> str:
    """An amount paid or refunded, to the fen: 1230 → "¥12.30"."""
    return f"¥{fen / 100:.2f}"


def yuan_compact(fen: int) -> str:
    """A catalogue price as shops print it, without needless zeros: "¥299", "¥12.5", "¥9.99"."""
    if fen % 100 == 0:
        return f"¥{fen // 100}"
    return f"¥{fen / 100:.2f}".rstrip("0")


def yuan_words(fen: int) -> str:
    """An amount in running text of a service record: 1230 → "12.30 元"."""
    return f"{fen / 100:.2f} 元"


def mask_phone(phone: str) -> str:
    """138****1234: enough for the customer to recognise, useless to anyone else."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


def day(value: date) -> str:
    """ "11月5日": the order replies' way of naming a day."""
    return f"{value.month}月{value.day}日"


def when(moment: datetime) -> str:
    """ "11月5日 09:30": the order replies' way of naming a moment."""
    return f"{day(moment)} {moment:%H:%M}"


def day_padded(value: date) -> str:
    """ "11月05日": the after-sales replies' way of naming a day."""
    return f"{value:%m月%d日}"


def when_padded(moment: datetime) -> str:
    """ "11月05日 09:30": the after-sales replies' way of naming a moment."""
    return f"{moment:%m月%d日 %H:%M}"


def timestamp(moment: datetime) -> str:
    """ "2026-11-20 09:30": when a ticket was filed or last changed."""
    return f"{moment:%Y-%m-%d %H:%M}"
