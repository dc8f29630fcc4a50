"""Why the bot turned a request down, as a code that travels with the decision.

The action that refuses sets the ``last_refusal`` slot to one of these codes; the escalation
policy reads the code from the tracker (a customer who contests a refusal goes to a person) and
the agent's case shows it. Nobody reads the bot's wording to find out that it said no, so a
reply can be reworded freely.
"""

from __future__ import annotations

import enum

LAST_REFUSAL_SLOT = "last_refusal"


class RefusalCode(str, enum.Enum):
    RETURN_WINDOW_PASSED = "return_window_passed"
    QUALITY_WINDOW_PASSED = "quality_window_passed"
    NOT_ELIGIBLE = "not_eligible"  # custom-made goods: no return without a reason
    OPENED_SKINCARE = "opened_skincare"
    PRICE_WINDOW_PASSED = "price_window_passed"
    NO_PRICE_DIFFERENCE = "no_price_difference"
    REVIEW_REJECTED = "review_rejected"
    CANCEL_AFTER_SHIPMENT = "cancel_after_shipment"
    CANCEL_AFTER_DELIVERY = "cancel_after_delivery"
    ADDRESS_AFTER_SHIPMENT = "address_after_shipment"
    ADDRESS_AFTER_DELIVERY = "address_after_delivery"


# What the agent reads in the case: what was refused and why.
REFUSAL_LABELS: dict[RefusalCode, str] = {
    RefusalCode.RETURN_WINDOW_PASSED: "超过七天无理由退换期限，拒绝退换",
    RefusalCode.QUALITY_WINDOW_PASSED: "超过质量问题退换期限，拒绝退换",
    RefusalCode.NOT_ELIGIBLE: "定制商品不支持无理由退换",
    RefusalCode.OPENED_SKINCARE: "护肤品已拆封，不支持无理由退货",
    RefusalCode.PRICE_WINDOW_PASSED: "超过价保期限，不退差价",
    RefusalCode.NO_PRICE_DIFFERENCE: "没有差价，不退差价",
    RefusalCode.REVIEW_REJECTED: "售后申请审核未通过",
    RefusalCode.CANCEL_AFTER_SHIPMENT: "已发货，不能取消订单",
    RefusalCode.CANCEL_AFTER_DELIVERY: "已签收，不能取消订单",
    RefusalCode.ADDRESS_AFTER_SHIPMENT: "已发货，不能直接改地址",
    RefusalCode.ADDRESS_AFTER_DELIVERY: "已签收，不能改地址",
}


def slot_value(code: RefusalCode | None) -> str | None:
    """What the action puts in the slot: the plain code (tracker events are JSON)."""
    return code.value if code is not None else None


def refusal_label(code: str) -> str:
    """The agent-facing label of a code read back from the tracker (the code itself if unknown)."""
    try:
        return REFUSAL_LABELS[RefusalCode(code)]
    except ValueError:
        return code
