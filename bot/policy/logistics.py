"""Delivery expectations and stuck-parcel detection (seed 002, 1.2: tell the customer first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# A parcel with no carrier update for this long gets an apology, an inquiry and a follow-up.
STUCK_AFTER = timedelta(hours=48)
# We promise to come back with news within this time after opening an inquiry.
FOLLOW_UP_WITHIN = timedelta(hours=24)

REMOTE_PROVINCES = frozenset({"新疆", "西藏", "青海", "内蒙古", "宁夏", "甘肃", "海南"})


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date


def is_remote(province: str) -> bool:
    return any(province.startswith(p) for p in REMOTE_PROVINCES)


def expected_delivery(shipped_at: datetime, province: str) -> DeliveryWindow:
    """2-4 days after shipping, 5-7 for remote regions (the store's published promise)."""
    low, high = (5, 7) if is_remote(province) else (2, 4)
    start = shipped_at.date()
    return DeliveryWindow(start + timedelta(days=low), start + timedelta(days=high))


def is_stuck(last_update: datetime, now: datetime) -> bool:
    return now - last_update >= STUCK_AFTER


def follow_up_by(now: datetime) -> datetime:
    return now + FOLLOW_UP_WITHIN
