"""When refunded money arrives, by payment method (the store's published times)."""

from __future__ import annotations

from bot.db.enums import PaymentMethod

# Working days after the refund is approved, as (earliest, latest).
ARRIVAL_WORKING_DAYS: dict[PaymentMethod, tuple[int, int]] = {
    PaymentMethod.WECHAT: (1, 3),
    PaymentMethod.ALIPAY: (1, 3),
    PaymentMethod.HUABEI: (1, 3),
    PaymentMethod.BANK_CARD: (3, 7),
}

DESTINATION = {
    PaymentMethod.WECHAT: "原路退回微信零钱或支付时使用的银行卡",
    PaymentMethod.ALIPAY: "原路退回支付宝余额或支付时使用的银行卡",
    PaymentMethod.HUABEI: "原路退回花呗额度（已还款部分退回支付宝余额）",
    PaymentMethod.BANK_CARD: "原路退回支付时使用的银行卡",
}


def arrival_text(method: PaymentMethod | None) -> str:
    if method is None:
        return "订单未付款，无需退款"
    low, high = ARRIVAL_WORKING_DAYS[method]
    return f"{DESTINATION[method]}，一般 {low}-{high} 个工作日到账"


def price_difference_fen(paid_unit_fen: int, current_unit_fen: int, qty: int) -> int:
    """Price protection: the customer gets back what they paid above today's price."""
    return max(0, paid_unit_fen - current_unit_fen) * qty
