"""Return and exchange eligibility and who pays the freight (seed 000, 退换货情况处理).

Seed 000: a return's freight is paid by the customer in principle, an exchange's is split half
and half; where the goods are faulty or wrong the shop is at fault and pays (seed 000, 糾紛處理).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.enums import DELIVERED_STATUSES, AfterSaleReason, Category, OrderStatus

NO_REASON_WINDOW = timedelta(days=7)
# Faulty goods may be returned or exchanged for longer (三包: 7 days return, 15 days exchange);
# we apply the longer window to both, the customer-friendly reading.
QUALITY_WINDOW = timedelta(days=15)

SHOP_FAULT_REASONS = frozenset({AfterSaleReason.QUALITY, AfterSaleReason.WRONG_ITEM})


class Kind(str, enum.Enum):
    RETURN = "return"
    EXCHANGE = "exchange"


class FreightPayer(str, enum.Enum):
    SHOP = "shop"
    CUSTOMER = "customer"
    SPLIT = "split"


class Refusal(str, enum.Enum):
    NOT_DELIVERED = "not_delivered"
    NOT_SIGNED_YET = "not_signed_yet"
    WINDOW_PASSED = "window_passed"
    EXEMPT_CUSTOM = "exempt_custom"
    EXEMPT_OPENED_SKINCARE = "exempt_opened_skincare"


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    freight: FreightPayer | None = None
    refusal: Refusal | None = None
    # Faulty goods past the window may still be repaired under warranty.
    warranty_repair: bool = False


def freight_payer(kind: Kind, reason: AfterSaleReason) -> FreightPayer:
    if reason in SHOP_FAULT_REASONS:
        return FreightPayer.SHOP
    return FreightPayer.CUSTOMER if kind is Kind.RETURN else FreightPayer.SPLIT


def eligibility(
    *,
    kind: Kind,
    reason: AfterSaleReason,
    status: OrderStatus,
    signed_at: datetime | None,
    now: datetime,
    category: Category,
    return_exempt: bool,
    opened: bool,
    warranty_months: int = 0,
) -> Eligibility:
    """Whether the item can be returned or exchanged now, and on whose freight."""
    if status not in DELIVERED_STATUSES:
        in_flight = status in {
            OrderStatus.SHIPPED,
            OrderStatus.IN_TRANSIT,
            OrderStatus.OUT_FOR_DELIVERY,
        }
        return Eligibility(
            False, refusal=Refusal.NOT_SIGNED_YET if in_flight else Refusal.NOT_DELIVERED
        )
    shop_fault = reason in SHOP_FAULT_REASONS
    since_signed = now - signed_at if signed_at else timedelta(0)
    if shop_fault:
        if since_signed <= QUALITY_WINDOW:
            return Eligibility(True, freight=freight_payer(kind, reason))
        in_warranty = since_signed <= timedelta(days=30 * warranty_months)
        return Eligibility(False, refusal=Refusal.WINDOW_PASSED, warranty_repair=in_warranty)
    if return_exempt:
        return Eligibility(False, refusal=Refusal.EXEMPT_CUSTOM)
    if category is Category.SKINCARE and opened:
        return Eligibility(False, refusal=Refusal.EXEMPT_OPENED_SKINCARE)
    if since_signed > NO_REASON_WINDOW:
        return Eligibility(False, refusal=Refusal.WINDOW_PASSED)
    return Eligibility(True, freight=freight_payer(kind, reason))
