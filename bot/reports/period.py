"""The span a report covers: the last day, week or month up to and including a date (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.timeutil import BEIJING

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
PERIOD_LABELS = {"day": "日报", "week": "周报", "month": "月报"}


@dataclass(frozen=True)
class Period:
    name: str
    # Naive Beijing times (the storage convention); ``end`` is exclusive.
    start: datetime
    end: datetime

    @property
    def title(self) -> str:
        return PERIOD_LABELS[self.name]

    @property
    def days(self) -> list[date]:
        return [self.start.date() + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def label(self) -> str:
        last = (self.end - timedelta(days=1)).date()
        first = self.start.date()
        return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"

    def epoch_bounds(self) -> tuple[float, float]:
        """The span as UNIX timestamps, the unit of Rasa's tracker store."""
        return (
            self.start.replace(tzinfo=BEIJING).timestamp(),
            self.end.replace(tzinfo=BEIJING).timestamp(),
        )


def report_period(name: str, until: date) -> Period:
    """The ``name`` period ("day", "week", "month") ending with the whole day ``until``."""
    if name not in PERIOD_DAYS:
        raise ValueError(f"unknown period {name!r}: use one of {', '.join(PERIOD_DAYS)}")
    end = datetime.combine(until + timedelta(days=1), time())
    return Period(name, end - timedelta(days=PERIOD_DAYS[name]), end)


def beijing_of_epoch(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, BEIJING).replace(tzinfo=None)
