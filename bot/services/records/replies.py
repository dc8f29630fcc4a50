"""What the customer is told once a complaint or suggestion is on record (pure).

The handbook asks for a quick answer, the remedy and who follows up by when (seed 000 dispute
steps 1, 6 and 7); suggestions are collected and reported upward every month (seed 001 §4.3,
§5). It sets no deadline, so the shop's own is used: an answer within 24 hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db.enums import ComplaintCategory

COMPLAINT_ANSWER_WITHIN = timedelta(hours=24)

# Who answers a complaint of each category.
HANDLERS: dict[ComplaintCategory, str] = {
    ComplaintCategory.LOGISTICS: "物流专员",
    ComplaintCategory.QUALITY: "售后专员",
    ComplaintCategory.PRICE: "售后专员",
    ComplaintCategory.SERVICE: "客服主管",
    ComplaintCategory.OTHER: "客服主管",
}


def complaint_due(now: datetime) -> datetime:
    return now + COMPLAINT_ANSWER_WITHIN


def complaint_reply(
    reference_no: str, category: ComplaintCategory, due_at: datetime, *, added: bool
) -> str:
    """The reference number, who handles the complaint and by when.

    ``added``: the conversation already had a complaint today, and this message was added to it.
    """
    handler = HANDLERS[category]
    if added:
        return (
            f"您补充的情况小优已经记到投诉单 {reference_no} 里了，"
            f"{handler}会在 {due_at:%m月%d日 %H:%M} 前一并处理并联系您。"
        )
    return (
        f"小优已经为您登记了投诉（{category.value}问题），投诉编号 {reference_no}。"
        f"{handler}会在 {due_at:%m月%d日 %H:%M} 前联系您给出处理结果，有进展也会第一时间告诉您；"
        "想了解进度的话，随时报这个编号问小优就可以。"
    )


def complaint_handoff_note(reference_no: str) -> str:
    """Added to the hand-over message when the chat goes to a person over a complaint."""
    return f"您的投诉也已登记，编号 {reference_no}，人工客服接入后会优先为您处理。"


def suggestion_reply(reference_no: str) -> str:
    return (
        f"谢谢您的宝贵建议 🙏 小优已经登记下来了，编号 {reference_no}。"
        "店铺每个月会把大家的建议汇总交给负责商品和服务的同事评估改进，"
        "您的意见对我们很重要！还有其他需要帮忙的随时告诉小优～"
    )
