"""What the customer reads about a return or exchange, while the form asks and after it (pure).

Seed 000 (纠纷处理): acknowledge, apologise sincerely when we are at fault, give the remedy and
every next step, say when money arrives; when the answer is no, say why honestly, offer what
still can be done, and a person for anyone who disagrees.
"""

from __future__ import annotations

from bot.db.enums import AfterSaleReason, AfterSaleStatus, OrderStatus
from bot.formatting import day_padded, yuan
from bot.policy.refunds import arrival_text
from bot.policy.returns import NO_REASON_WINDOW, QUALITY_WINDOW, FreightPayer, Kind, Refusal
from bot.services.aftersales.exchange_spec import SpecChoice, SpecOutcome
from bot.services.aftersales.returns import RETURN_ADDRESS, AfterSaleResult

OFFER_PERSON = (
    "如果您对这个处理结果有不同意见，可以直接说「转人工」，由人工客服为您进一步核实处理。"
)
# The customer still has to send the goods back: the address and the steps apply.
SEND_BACK_STATES = frozenset({AfterSaleStatus.PENDING_REVIEW, AfterSaleStatus.AWAITING_RETURN})
KIND_WORDS = {Kind.RETURN: "退货", Kind.EXCHANGE: "换货"}
FREIGHT_TEXT = {
    FreightPayer.SHOP: "寄回运费由我们承担，您先垫付后提交快递单号，我们会连同退款一起补给您",
    FreightPayer.CUSTOMER: "无理由退货的寄回运费需要您承担",
    FreightPayer.SPLIT: (
        "换货运费双方各承担一半：您寄回的运费由您承担，我们寄出新商品的运费由我们承担"
    ),
}

# --- while the return or exchange form asks its questions --------------------------------------

# Seed 000 (纠纷处理): when the shop is at fault, acknowledge it before asking anything else.
ACKNOWLEDGE_FAULT = {
    AfterSaleReason.QUALITY: (
        "您先别着急，我来帮您处理。商品有质量问题是我们没有把好关，我们一定负责到底。"
    ),
    AfterSaleReason.WRONG_ITEM: (
        "您先别着急，我来帮您处理。发错货是我们的失误，我们一定负责到底。"
    ),
}
WHICH_ITEM = "请问是订单里的哪件商品呢？点选下面的商品，或者直接告诉我商品名称："
ITEM_NOT_IN_ORDER = "这件商品不在这个订单里哦，麻烦从下面的商品里选一下～"
UNKNOWN_REASON = "这个原因小优没对上哦，麻烦从下面选一个最接近的原因～"
START_OVER = (
    "真不好意思，小优没能确认您要办理的商品和原因，麻烦您再说一次「我要退货」或「我要换货」，"
    "我们从头来一遍。"
)


def spec_reply(choice: SpecChoice) -> str:
    """What the customer reads about their exchange wish (the confirmation or the alternatives)."""
    others = "、".join(o.spec for o in choice.alternatives)
    offer = f"目前有货的有：{others}。" if others else "这款目前其他规格都暂时缺货。"
    if choice.outcome is SpecOutcome.OK and choice.wanted is not None:
        return f"好的，{choice.wanted.spec} 目前有货，就为您换成这个规格。"
    if choice.outcome is SpecOutcome.OUT_OF_STOCK and choice.wanted is not None:
        return f"真不好意思，{choice.wanted.spec} 暂时没货了。{offer}"
    if choice.outcome is SpecOutcome.UNKNOWN:
        return f"这款商品没有「{choice.unknown}」这个规格哦。{offer}"
    if choice.outcome is SpecOutcome.SAME_AS_NOW:
        return f"您选的和现在收到的规格是一样的哦。{offer}"
    return f"小优没太看明白您想换的规格～{offer}"


# --- after the form --------------------------------------------------------------------------


def after_sale_reply(result: AfterSaleResult) -> str:
    """The whole answer: the ticket and next steps, or an honest refusal."""
    if result.eligibility.allowed and result.ticket is not None:
        return ticket_reply(result)
    return refusal_reply(result)


def ticket_reply(result: AfterSaleResult) -> str:
    ticket = result.ticket
    assert ticket is not None  # only called with a ticket
    word = KIND_WORDS[result.kind]
    if result.reused:
        lead = (
            f"您这件商品已经有一张处理中的{ticket.type_label}售后单了，不用重复申请～"
            f"单号 {ticket.ticket_no}，当前状态：{ticket.status.value}。"
        )
        requested = result.requested_kind
        if requested is not None and requested is not result.kind:
            lead += f"如果想改为{KIND_WORDS[requested]}，可以说「转人工」，由客服为您调整。"
        if ticket.status not in SEND_BACK_STATES:
            return lead + "您随时问我「退款进度」，就能看到最新处理情况。"
    else:
        opening = "真不好意思给您添麻烦了！" if result.needs_photo else "好的，"
        done = "登记好了" if result.needs_photo else "办理好了"
        lead = (
            f"{opening}{result.item_label}的{word}申请已经为您{done}，售后单号 {ticket.ticket_no}"
            f"（{ticket.reason_label}，当前状态：{ticket.status.value}）。"
        )
    lines = [lead]
    if ticket.status is AfterSaleStatus.PENDING_REVIEW:
        if result.photo_provided:
            lines.append("我们会尽快审核您上传的照片，审核通过后按下面的步骤寄回就可以。")
        else:
            lines.append(
                "麻烦您在「订单详情」-「上传凭证」里补传商品问题部位和外包装的照片，"
                "我们收到照片后马上审核，审核通过后按下面的步骤寄回就可以。"
            )
    freight = result.eligibility.freight
    if freight is not None:
        lines.append(f"{FREIGHT_TEXT[freight]}。")
    lines.append(f"寄回地址：{RETURN_ADDRESS}")
    lines.append(
        "接下来这样操作就可以：\n"
        "1. 把商品连同吊牌、配件、赠品和原包装一起打包好；\n"
        f"2. 在包裹里放一张纸条，写上售后单号 {ticket.ticket_no}；\n"
        "3. 寄出后把寄回的快递单号发给我，或在「订单详情」里填写。"
    )
    if result.kind is Kind.RETURN:
        lines.append(
            f"仓库收到退货并验收后为您退款 {yuan(ticket.refund_fen)}，"
            f"{arrival_text(result.payment_method)}。"
        )
    else:
        spec = f"新的 {result.exchange_spec}" if result.exchange_spec else "新的商品"
        lines.append(f"仓库收到后会尽快为您寄出{spec}，发货后会同步物流单号给您。")
    return "\n".join(lines)


def refusal_reply(result: AfterSaleResult) -> str:
    refusal = result.eligibility.refusal
    word = KIND_WORDS[result.kind]
    if refusal is Refusal.NOT_SIGNED_YET:
        return (
            f"您的订单目前是「{result.order_status.value}」，包裹还在路上，签收后才能申请{word}哦。"
            "如果确定不想要了，快递员派送时可以直接拒收，包裹退回仓库后我们会为您原路全额退款；"
            "也可以先签收，收到后再来找我办理。"
        )
    if refusal is Refusal.NOT_DELIVERED:
        return not_delivered_reply(result.order_status, result.cancel_reason)
    if refusal is Refusal.WINDOW_PASSED:
        return _window_passed(result, word) + "\n" + OFFER_PERSON
    if refusal is Refusal.EXEMPT_CUSTOM:
        return (
            f"真不好意思，这件是定制商品，按照规定不支持七天无理由{word}。"
            "如果商品有质量问题或者发错了货，我们一定负责到底，您重新申请时选择对应的原因就可以。\n"
            + OFFER_PERSON
        )
    if refusal is Refusal.EXEMPT_OPENED_SKINCARE:
        return (
            "真不好意思，护肤品属于贴身使用的商品，拆封后就不支持七天无理由退货了。"
            "如果使用后出现过敏、变质等质量问题，我们会按质量问题为您处理，您重新申请时选择「质量问题」就可以。\n"
            + OFFER_PERSON
        )
    # Not refused but no ticket: the item was unknown (the form ended early).
    return (
        "真不好意思，小优没能确认您要办理的是哪件商品，麻烦您再说一次「我要退货」，我们从头来一遍。"
    )


def _window_passed(result: AfterSaleResult, word: str) -> str:
    signed = result.signed_at
    since = f"这件商品是 {day_padded(signed)} 签收的，" if signed else ""
    if result.needs_photo:
        days = QUALITY_WINDOW.days
        text = (
            f"真不好意思给您添麻烦了。{since}已经超过质量问题签收后 {days} 天内退换的期限，"
            f"没办法直接办理{word}了。"
        )
        if result.eligibility.warranty_repair:
            text += (
                f"不过这件商品还在 {result.warranty_months} 个月的保修期内，可以为您免费保修维修："
                "说「转人工」，售后专员会为您安排寄修。"
            )
        return text
    days = NO_REASON_WINDOW.days
    return (
        f"{since}已经超过签收后 {days} 天的无理由{word}期限，真不好意思，没办法再办理了。"
        f"如果商品有质量问题，请告诉我们，质量问题签收后 {QUALITY_WINDOW.days} 天内都可以退换。"
    )


def not_delivered_reply(status: OrderStatus, cancel_reason: str | None = None) -> str:
    """The order never reached the customer: no return needed, say what to do instead."""
    if status is OrderStatus.PENDING_PAYMENT:
        return "这个订单还没有付款，不需要办理售后；不想要的话直接取消就可以，不会产生任何费用。"
    if status is OrderStatus.PENDING_SHIPMENT:
        return (
            "这个订单还没有发货，不需要走退换货流程：未发货的订单可以直接取消，款项会原路全额退回，"
            "想换规格的话取消后重新下单就可以。需要的话跟我说「取消订单」。"
        )
    if status is OrderStatus.CANCELLED:
        why = f"（{cancel_reason}）" if cancel_reason else ""
        return f"这个订单已经取消了{why}，付过的款项会原路退回，不需要再办理售后。"
    return "这个订单目前还不能办理售后，如有疑问可以说「转人工」，由人工客服为您核实。"
