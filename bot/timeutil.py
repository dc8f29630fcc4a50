"""Time conventions of the shop.

Every ``DateTime`` column holds a *timezone-naive Beijing time* (UTC+8, no DST). The shop, its
customers and the carriers all live in that zone, so storing local wall-clock time means the
values can be shown to a customer as they are and compared without conversion, on SQLite (which
has no timezone type) and on PostgreSQL alike. Convert at the edges if an aware value is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), name="Asia/Shanghai")


def beijing_now() -> datetime:
    """Current wall-clock time in Beijing, naive, to the second (the storage convention)."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def to_beijing_naive(value: datetime) -> datetime:
    """Normalise an aware datetime to the storage convention; naive values are assumed Beijing."""
    if value.tzinfo is None:
        return value
    return value.astimezone(BEIJING).replace(tzinfo=None)
