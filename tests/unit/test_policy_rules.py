"""The shop's business rules (seeds 000-002) as pure functions."""

from datetime import datetime, timedelta

import pytest

from bot.db.enums import AfterSaleReason, Category, OrderStatus, PaymentMethod
from bot.policy import logistics, orders, refunds, returns
from bot.policy.sizes import SizeRow, recommend_size

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.mark.parametrize(
    ("paid_at", "expected"),
    [
        (datetime(2026, 11, 20, 15, 59), datetime(2026, 11, 20, 20, 0)),
        (datetime(2026, 11, 20, 16, 0), datetime(2026, 11, 21, 20, 0)),
    ],
)
def test_paid_before_four_ships_same_day(paid_at: datetime, expected: datetime) -> None:
    assert orders.ship_by(paid_at) == expected


def test_only_unshipped_orders_can_be_cancelled_or_readdressed() -> None:
    assert orders.can_cancel(OrderStatus.PENDING_SHIPMENT)
    assert not orders.can_cancel(OrderStatus.IN_TRANSIT)
    assert orders.can_modify_address(OrderStatus.PENDING_PAYMENT)
    assert not orders.can_modify_address(OrderStatus.SHIPPED)


def test_parcel_without_update_for_48_hours_is_stuck() -> None:
    assert logistics.is_stuck(NOW - timedelta(hours=48), NOW)
    assert not logistics.is_stuck(NOW - timedelta(hours=47), NOW)


def test_remote_regions_get_a_longer_delivery_window() -> None:
    near = logistics.expected_delivery(NOW, "浙江省")
    far = logistics.expected_delivery(NOW, "新疆维吾尔自治区")
    assert (near.earliest - NOW.date()).days == 2 and (near.latest - NOW.date()).days == 4
    assert (far.latest - NOW.date()).days == 7


def _eligibility(**overrides: object) -> returns.Eligibility:
    facts: dict[str, object] = {
        "kind": returns.Kind.RETURN,
        "reason": AfterSaleReason.NO_REASON,
        "status": OrderStatus.SIGNED,
        "signed_at": NOW - timedelta(days=3),
        "now": NOW,
        "category": Category.APPAREL,
        "return_exempt": False,
        "opened": False,
        "warranty_months": 0,
    }
    facts.update(overrides)
    return returns.eligibility(**facts)  # type: ignore[arg-type]


def test_no_reason_return_within_seven_days_customer_pays_freight() -> None:
    result = _eligibility()
    assert result.allowed and result.freight is returns.FreightPayer.CUSTOMER


def test_no_reason_return_after_seven_days_is_refused() -> None:
    result = _eligibility(signed_at=NOW - timedelta(days=8))
    assert not result.allowed and result.refusal is returns.Refusal.WINDOW_PASSED


def test_exchange_for_size_splits_the_freight() -> None:
    result = _eligibility(kind=returns.Kind.EXCHANGE, reason=AfterSaleReason.SIZE)
    assert result.freight is returns.FreightPayer.SPLIT


def test_quality_problem_shop_pays_even_after_seven_days() -> None:
    result = _eligibility(reason=AfterSaleReason.QUALITY, signed_at=NOW - timedelta(days=10))
    assert result.allowed and result.freight is returns.FreightPayer.SHOP


def test_quality_problem_past_the_window_goes_to_warranty_repair() -> None:
    result = _eligibility(
        reason=AfterSaleReason.QUALITY, signed_at=NOW - timedelta(days=40), warranty_months=12
    )
    assert not result.allowed and result.warranty_repair


def test_opened_skincare_and_custom_items_are_exempt_from_no_reason_returns() -> None:
    opened = _eligibility(category=Category.SKINCARE, opened=True)
    assert opened.refusal is returns.Refusal.EXEMPT_OPENED_SKINCARE
    assert _eligibility(return_exempt=True).refusal is returns.Refusal.EXEMPT_CUSTOM
    faulty_cream = _eligibility(
        category=Category.SKINCARE, opened=True, reason=AfterSaleReason.QUALITY
    )
    assert faulty_cream.allowed


def test_returns_need_a_delivered_order() -> None:
    assert _eligibility(status=OrderStatus.IN_TRANSIT).refusal is returns.Refusal.NOT_SIGNED_YET
    assert (
        _eligibility(status=OrderStatus.PENDING_SHIPMENT).refusal is returns.Refusal.NOT_DELIVERED
    )


def test_refund_arrival_depends_on_payment_method() -> None:
    assert "3-7 个工作日" in refunds.arrival_text(PaymentMethod.BANK_CARD)
    assert "1-3 个工作日" in refunds.arrival_text(PaymentMethod.WECHAT)


def test_price_protection_refunds_only_a_drop() -> None:
    assert refunds.price_difference_fen(19900, 17900, 2) == 4000
    assert refunds.price_difference_fen(17900, 19900, 1) == 0


CHART = [
    SizeRow("S", height=(150, 160), weight=(40, 50)),
    SizeRow("M", height=(160, 170), weight=(50, 60)),
    SizeRow("L", height=(170, 178), weight=(60, 72)),
]


def test_size_from_height_and_weight_prefers_the_larger_size() -> None:
    assert recommend_size(CHART, height_cm=165, weight_kg=55) == "M"
    assert recommend_size(CHART, height_cm=165, weight_kg=65) == "L"
    assert recommend_size(CHART, height_cm=200, weight_kg=120) is None


def test_shoe_size_from_foot_length() -> None:
    shoes = [SizeRow("40", foot_length=(246, 250)), SizeRow("41", foot_length=(251, 255))]
    assert recommend_size(shoes, foot_length_mm=253) == "41"
