"""The report's numbers from the period's raw rows (pure functions, no database).

A *conversation* is one customer's chat on one day (a sender on a day); it is *contained* when
the bot answered it without handing over to a person.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.db.enums import ComplaintCategory
from bot.desk_labels import INTENT_LABELS
from bot.reports.queries import HandoffRow, OpenFollowUp, Rating, UserTurn

FALLBACK_INTENT = "nlu_fallback"
# Courtesies and answers to the bot's questions: not inquiries of their own.
NOT_INQUIRIES = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "inform", "stop", "rate", FALLBACK_INTENT}
)
REASON_LABELS = {
    "requested_human": "客户要求人工",
    "legal_threat": "投诉/法律威胁",
    "strong_anger": "情绪激动",
    "rising_anger": "持续不满",
    "repeated_fallback": "多次没听懂",
    "repeated_request": "重复提问",
    "contested_refusal": "不认可拒绝",
    "safety_harm": "健康安全问题",
}
# A follow-up falls due "soon" within this long after the report's end.
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class Containment:
    conversations: int
    handed_off: int

    @property
    def contained(self) -> int:
        return self.conversations - self.handed_off

    @property
    def containment_rate(self) -> float:
        return self.contained / self.conversations if self.conversations else 0.0

    @property
    def handoff_rate(self) -> float:
        return self.handed_off / self.conversations if self.conversations else 0.0


@dataclass(frozen=True)
class Spread:
    """p50 and p90 of durations in minutes (None without data) and how many were measured."""

    p50: float | None
    p90: float | None
    count: int


@dataclass(frozen=True)
class Satisfaction:
    distribution: dict[int, int]  # rating 1-5 -> count
    average: float | None
    satisfied_share: float | None  # 4 or 5 among all ratings
    daily_average: list[tuple[date, float | None]]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0-100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(minutes: Iterable[float]) -> Spread:
    values = list(minutes)
    return Spread(percentile(values, 50), percentile(values, 90), len(values))


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds() / 60)


def chats_by_day(turns: Iterable[UserTurn]) -> set[tuple[str, date]]:
    return {(t.sender_id, t.at.date()) for t in turns}


def containment(turns: Sequence[UserTurn], handed_off: set[tuple[str, datetime]]) -> Containment:
    chats = chats_by_day(turns)
    handed = {(sender, day.date()) for sender, day in handed_off} & chats
    return Containment(len(chats), len(handed))


def daily_conversations(
    days: Sequence[date], turns: Sequence[UserTurn], handed_off: set[tuple[str, datetime]]
) -> list[tuple[date, int, int]]:
    """(day, contained, handed off) for every day of the period."""
    chats = Counter(day for _, day in chats_by_day(turns))
    handed = Counter(day.date() for _, day in handed_off)
    return [(d, chats[d] - min(handed[d], chats[d]), min(handed[d], chats[d])) for d in days]


def inquiries_by_intent(turns: Iterable[UserTurn]) -> list[tuple[str, int]]:
    counts = Counter(t.intent.split("/")[0] for t in turns if t.intent)
    return [(INTENT_LABELS.get(i, i), n) for i, n in counts.most_common() if i not in NOT_INQUIRIES]


def top_unanswered(turns: Iterable[UserTurn], limit: int = 10) -> list[tuple[str, int]]:
    """The messages the bot most often did not understand: what to label and retrain on."""
    counts = Counter(t.text.strip() for t in turns if t.intent == FALLBACK_INTENT and t.text)
    return counts.most_common(limit)


def handoff_reasons(cases: Iterable[HandoffRow]) -> list[tuple[str, int]]:
    counts = Counter(REASON_LABELS.get(code, code) for case in cases for code in case.reason_codes)
    return counts.most_common()


def queue_wait(cases: Iterable[HandoffRow]) -> Spread:
    return spread(m for c in cases if (m := _minutes(c.created_at, c.claimed_at)) is not None)


def first_response(cases: Iterable[HandoffRow]) -> Spread:
    """From the agent's claim to the agent's first message."""
    return spread(
        m
        for c in cases
        if c.claimed_at is not None and (m := _minutes(c.claimed_at, c.first_reply_at)) is not None
    )


def resolution(cases: Iterable[HandoffRow]) -> Spread:
    return spread(m for c in cases if (m := _minutes(c.created_at, c.resolved_at)) is not None)


def complaints_by_category(categories: Iterable[ComplaintCategory]) -> list[tuple[str, int]]:
    counts = Counter(categories)
    return [(c.value, counts[c]) for c in ComplaintCategory]


def satisfaction(ratings: Sequence[Rating], days: Sequence[date]) -> Satisfaction:
    counts = Counter(r.rating for r in ratings)
    total = sum(counts.values())
    by_day: dict[date, list[int]] = {}
    for r in ratings:
        by_day.setdefault(r.at.date(), []).append(r.rating)
    return Satisfaction(
        distribution={score: counts[score] for score in range(1, 6)},
        average=sum(r.rating for r in ratings) / total if total else None,
        satisfied_share=(counts[4] + counts[5]) / total if total else None,
        daily_average=[(d, sum(by_day[d]) / len(by_day[d]) if d in by_day else None) for d in days],
    )


def follow_up_status(follow_ups: Iterable[OpenFollowUp], as_of: datetime) -> tuple[int, int]:
    """(due within a day, overdue) among the open follow-ups at ``as_of``."""
    due = overdue = 0
    for f in follow_ups:
        if f.due_at < as_of:
            overdue += 1
        elif f.due_at < as_of + DUE_SOON:
            due += 1
    return due, overdue
