"""Cancel and address-change rules, and the warehouse's ship-by promise (seed 001, 2.2)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.db.enums import OrderStatus

# Orders paid before this hour leave the warehouse the same day, later ones the next day.
SHIP_CUTOFF = time(16, 0)
# The warehouse hands the day's parcels to the carriers by this time.
HANDOVER = time(20, 0)

# Before the parcel leaves the warehouse the order can still be changed or cancelled; afterwards
# only the carrier can stop it (refuse delivery) or the goods come back as a return.
NOT_YET_SHIPPED = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_SHIPMENT})


def can_cancel(status: OrderStatus) -> bool:
    return status in NOT_YET_SHIPPED


def can_modify_address(status: OrderStatus) -> bool:
    return status in NOT_YET_SHIPPED


def ship_by(paid_at: datetime) -> datetime:
    """When the warehouse promises to ship an order paid at `paid_at`."""
    day = paid_at.date() if paid_at.time() < SHIP_CUTOFF else paid_at.date() + timedelta(days=1)
    return datetime.combine(day, HANDOVER)


def is_overdue(paid_at: datetime, now: datetime) -> bool:
    """The warehouse missed its own promise: worth an apology and an urgent note."""
    return now > ship_by(paid_at)
