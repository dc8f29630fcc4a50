"""What the customer reads about a refund request and about refund progress (pure formatting)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.db.enums import AfterSaleStatus, OrderStatus, PaymentMethod
from bot.formatting import day_padded, timestamp, when_padded, yuan
from bot.policy.logistics import STUCK_AFTER
from bot.policy.refunds import arrival_text
from bot.services.aftersales.refunds import PRICE_PROTECTION_WINDOW, RefundOutcome, RefundResult
from bot.services.aftersales.replies import OFFER_PERSON
from bot.services.aftersales.tickets import TicketView

_REJECTED = re.compile(r"审核未通过[:：]([^)）]+)")
STUCK_HOURS = int(STUCK_AFTER.total_seconds() // 3600)
PRICE_RULE = (
    f"我们的价保规则是：付款后 {PRICE_PROTECTION_WINDOW.days} 天内，同一商品降价可以申请退还差价。"
)
# While the refund form asks why: the answer matched none of the reasons, or never came.
UNKNOWN_REFUND_REASON = "这个情况小优没对上哦，麻烦从下面选一个最接近的～"
REFUND_START_OVER = (
    "真不好意思，小优没能确认退款的原因，麻烦您再说一次「我要退款」，我们从头来一遍。"
)


def refund_reply(result: RefundResult) -> str:
    handlers = {
        RefundOutcome.ON_THE_WAY: _on_the_way,
        RefundOutcome.INQUIRY_OPENED: _inquiry,
        RefundOutcome.MISSING_OPENED: _missing,
        RefundOutcome.WAIT_FOR_DELIVERY: _wait_for_delivery,
        RefundOutcome.PRICE_REFUNDED: _price_refunded,
        RefundOutcome.PRICE_WINDOW_PASSED: _price_window_passed,
        RefundOutcome.PRICE_NOT_LOWER: _price_not_lower,
        RefundOutcome.NOT_SHIPPED: _not_shipped,
    }
    return handlers[result.outcome](result)


def _on_the_way(result: RefundResult) -> str:
    lines = ["我们帮您查了一下，包裹还在正常运输中，没有丢哦～"]
    if result.last_update is not None and result.last_event:
        lines.append(f"最新物流（{when_padded(result.last_update)}）：{result.last_event}")
    if result.expected is not None and result.late:
        lines.append(
            f"按正常时效应该在 {day_padded(result.expected.latest)} 前送达，现在比预计晚了一些，"
            "真不好意思让您久等了，包裹还在继续派送中。"
        )
    elif result.expected is not None:
        lines.append(
            f"预计 {day_padded(result.expected.earliest)}-{day_padded(result.expected.latest)} "
            "送达，请您再耐心等一等。"
        )
    lines.append(
        f"如果超过 {STUCK_HOURS} 小时没有新的物流更新，随时来找我，我们会马上联系快递公司核查。"
    )
    return "\n".join(lines)


def _inquiry(result: RefundResult) -> str:
    ticket = result.ticket
    assert ticket is not None and result.follow_up is not None
    promise = f"{when_padded(result.follow_up)} 前一定给您回复"
    if result.reused:
        return (
            f"这个订单已经有一张处理中的未收到货售后单 {ticket.ticket_no}"
            f"（状态：{ticket.status.value}），我们正在和快递公司核实，不用重复申请～"
            f"有进展会第一时间通知您，{promise}。"
        )
    remedy = (
        f"确认包裹丢失的话，我们会为您全额退款 {yuan(ticket.refund_fen)}"
        f"（{arrival_text(result.payment_method)}）或重新补发，您不会有任何损失。"
    )
    if result.order_status in (OrderStatus.SIGNED, OrderStatus.COMPLETED, OrderStatus.AFTER_SALE):
        signer = f"（签收人：{result.signed_by}）" if result.signed_by else ""
        signed = f"于 {when_padded(result.signed_at)} " if result.signed_at else ""
        return (
            f"真不好意思给您添麻烦了！物流显示包裹已{signed}签收{signer}，"
            "麻烦您先问问家人、门卫，或者看看快递柜和驿站。\n"
            f"我们同时已经为您登记了售后单 {ticket.ticket_no}（状态：{ticket.status.value}），"
            f"并联系快递公司核实签收情况，{promise}。{remedy}"
        )
    since = f"从 {when_padded(result.last_update)} 之后" if result.last_update else "已经"
    return (
        f"真不好意思让您久等了！您的包裹{since}就没有新的物流更新了，已经超过 {STUCK_HOURS} 小时，"
        "这确实不正常。\n"
        f"我们已经为您登记了未收到货的售后单 {ticket.ticket_no}（状态：{ticket.status.value}），"
        f"并马上联系快递公司查件，{promise}。{remedy}"
    )


def _missing(result: RefundResult) -> str:
    ticket = result.ticket
    assert ticket is not None
    lead = (
        f"这个订单已经有一张处理中的少件售后单 {ticket.ticket_no}（状态：{ticket.status.value}），"
        "不用重复申请～"
        if result.reused
        else "真不好意思，少发了商品给您添麻烦了！已经为您登记了少件售后单 "
        f"{ticket.ticket_no}（状态：{ticket.status.value}）。"
    )
    return (
        f"{lead}\n麻烦您拍一下包裹外箱（含快递面单）和箱内的发货单/装箱清单，"
        "在「订单详情」-「上传凭证」里上传，我们核对后会尽快为您补发或退款。"
    )


def _wait_for_delivery(result: RefundResult) -> str:
    return (
        f"您的包裹还在路上（当前状态：{result.order_status.value}），签收时麻烦当面清点一下；"
        "如果发现少件或漏发，随时来找我，我们马上为您处理。"
    )


def _price_refunded(result: RefundResult) -> str:
    ticket = result.ticket
    assert ticket is not None
    arrival = arrival_text(result.payment_method)
    if result.reused:
        return (
            f"这个订单的差价已经在为您退了，不用重复申请～售后单 {ticket.ticket_no}，"
            f"金额 {yuan(ticket.refund_fen)}，当前状态：{ticket.status.value}，{arrival}。"
        )
    paid = f"您 {day_padded(result.paid_at)} 付款，" if result.paid_at else ""
    return (
        f"{paid}{PRICE_PROTECTION_WINDOW.days} 天内商品降价了，符合价保规则！"
        f"差价 {yuan(result.difference_fen)} 已经为您申请退还，售后单 {ticket.ticket_no}"
        f"（状态：{ticket.status.value}），{arrival}。"
    )


def _price_window_passed(result: RefundResult) -> str:
    paid = f"您的订单是 {day_padded(result.paid_at)} 付款的，" if result.paid_at else ""
    return (
        f"{PRICE_RULE}{paid}已经超过 {PRICE_PROTECTION_WINDOW.days} 天，"
        f"真不好意思，这次没办法退差价了。\n{OFFER_PERSON}"
    )


def _price_not_lower(result: RefundResult) -> str:
    if result.already_refunded_fen > 0:
        return (
            f"这个订单的差价之前已经为您退过 {yuan(result.already_refunded_fen)} 了，"
            f"目前没有新的差价。{PRICE_RULE}"
        )
    return (
        "我们核对了一下，您订单里的商品现在的售价没有低于您购买时的价格，暂时没有差价可以退哦。"
        f"{PRICE_RULE}之后如果降价了，在期限内随时来找我。"
    )


def _not_shipped(result: RefundResult) -> str:
    if result.order_status is OrderStatus.PENDING_PAYMENT or result.paid_at is None:
        return "这个订单还没有付款，不需要退款；不想要的话直接取消就可以，不会产生任何费用。"
    if result.order_status is OrderStatus.CANCELLED:
        return (
            "这个订单已经取消了，付过的款项会原路退回，"
            f"{arrival_text(result.payment_method)}，不需要再申请退款。"
        )
    return (
        "这个订单还没有发货哦，我们会尽快安排发出。如果不想等了，未发货的订单可以直接取消，"
        "款项原路全额退回，跟我说「取消订单」就可以。"
    )


_STATUS_HINTS: dict[AfterSaleStatus, str] = {
    AfterSaleStatus.PENDING_REVIEW: "我们正在审核，结果会第一时间通知您。",
    AfterSaleStatus.AWAITING_RETURN: "等待您寄回商品，寄出后把快递单号发给我就可以。",
    AfterSaleStatus.EXCHANGING: "仓库已收到您寄回的商品，新商品正在安排寄出。",
    AfterSaleStatus.COMPLETED: "已经处理完成。",
    AfterSaleStatus.WITHDRAWN: "这张申请已经撤销。",
}


def rejection_reason(description: str) -> str:
    """The reviewer's reason when the description carries one ("…(审核未通过:凭证不足)")."""
    match = _REJECTED.search(description)
    return match.group(1) if match else description


def ticket_status_line(ticket: TicketView, method: PaymentMethod | None) -> str:
    """One ticket as the customer sees it: what, where it stands, how much, when."""
    amount = f"，金额 {yuan(ticket.refund_fen)}" if ticket.refund_fen > 0 else ""
    head = (
        f"· 售后单 {ticket.ticket_no}：{ticket.type_label}（{ticket.reason_label}），"
        f"状态：{ticket.status.value}{amount}\n"
        f"  申请于 {timestamp(ticket.created_at)}，最近更新 {timestamp(ticket.updated_at)}"
    )
    if ticket.status is AfterSaleStatus.REFUNDING:
        hint = f"退款处理中，{arrival_text(method)}。"
    elif ticket.status is AfterSaleStatus.REFUNDED:
        hint = f"已于 {day_padded(ticket.updated_at)} 退款，{arrival_text(method)}。"
    elif ticket.status is AfterSaleStatus.REJECTED:
        why = f"（{rejection_reason(ticket.description)}）" if ticket.description else ""
        hint = f"很抱歉，这张申请没有通过审核{why}。{OFFER_PERSON}"
    else:
        hint = _STATUS_HINTS.get(ticket.status, "")
        if ticket.status is AfterSaleStatus.AWAITING_RETURN and ticket.return_tracking_no:
            hint = f"已收到您的寄回单号 {ticket.return_tracking_no}，仓库签收后马上处理。"
    return f"{head}\n  {hint}" if hint else head


def refund_status_reply(
    order_no: str, tickets: Sequence[TicketView], method: PaymentMethod | None
) -> str:
    if not tickets:
        return (
            f"订单 {order_no} 目前没有售后或退款记录哦。"
            "如果需要申请退款或退换货，直接告诉我就可以，我来帮您办理。"
        )
    lines = [f"订单 {order_no} 的售后/退款进度如下："]
    lines += [ticket_status_line(t, method) for t in tickets]
    return "\n".join(lines)
