"""The replies about orders, composed from the services' views (pure functions).

Tone (seed 000): 您, 我们, a sincere apology when we are late, and always the next step.
"""

from __future__ import annotations

from bot.db.enums import IN_FLIGHT_STATUSES, DeliveryException, OrderStatus
from bot.formatting import day, mask_phone, when, yuan
from bot.services.orders.address import MAX_LENGTH, AddressCheck, AddressProblem
from bot.services.orders.changes import (
    AddressChange,
    AddressOutcome,
    CancelOutcome,
    CancelPreview,
    CancelResult,
    Refund,
    ShipTo,
)
from bot.services.orders.tracking import ItemLine, Overview, Tracking, UrgeOutcome, UrgeResult

PAY_TO_SHIP = "16:00 前付款当天发出，之后付款次日发出"

CANCEL_BUTTONS = [
    {"title": "确认取消", "payload": "/affirm"},
    {"title": "不取消了", "payload": "/deny"},
]
ADDRESS_BUTTONS = [
    {"title": "确认修改", "payload": "/affirm"},
    {"title": "先不改", "payload": "/deny"},
]
# The confirmation questions when the order or the new address can no longer be shown.
CONFIRM_CANCEL = "确认取消这个订单吗？"
CONFIRM_ADDRESS = "确认按新的收货信息修改吗？"
SORRY_ADDRESS = (
    "真不好意思，新的收货地址没能识别出来，订单上的地址没有改动。"
    "麻烦再说一次「修改地址」，把完整地址发给我。"
)

# What went wrong, and what happens next (seed 000: acknowledge, then propose the remedy).
EXCEPTIONS: dict[DeliveryException, tuple[str, str]] = {
    DeliveryException.ADDRESS_UNCLEAR: (
        "快递员反馈收件地址不够详细，暂时没法派送",
        "快递员正在联系您核实地址，请留意来电；您也可以把完整地址发给我，我们帮您转告快递公司。",
    ),
    DeliveryException.NOBODY_HOME: (
        "快递员上门时没有人签收",
        "快递公司会在次日再次派送；如果不方便收件，可以联系快递员改约时间，或放到驿站、快递柜。",
    ),
    DeliveryException.DAMAGED: (
        "包裹在运输途中外包装破损，已被快递公司暂扣",
        "我们正在和快递公司核实商品情况；如果商品受损，会第一时间为您补发，不会让您承担损失。",
    ),
    DeliveryException.PHONE_UNREACHABLE: (
        "快递员联系收件人时电话没有打通",
        "请留意快递员的来电；如果收件电话有误，把正确号码告诉我，我们帮您转告快递公司。",
    ),
    DeliveryException.WEATHER_DELAY: (
        "受天气影响，运输车辆延误了",
        "预计会比原计划晚 1-2 天送达，我们会持续关注，有新进展第一时间告诉您。",
    ),
}


def items_text(items: tuple[ItemLine, ...]) -> str:
    parts = [f"{i.name}（{i.spec}）×{i.qty}" if i.spec else f"{i.name}×{i.qty}" for i in items]
    return "、".join(parts) or "（无商品明细）"


def _events_block(tracking: Tracking) -> str:
    lines = [f"· {e.at:%m-%d %H:%M} {e.text}" for e in tracking.events]
    return "最新物流：\n" + "\n".join(lines) if lines else ""


def _unshipped_text(t: Tracking) -> str:
    if t.status is OrderStatus.PENDING_PAYMENT:
        return f"您的订单 {t.order_no} 还没有付款哦，付款后才会安排发货：{PAY_TO_SHIP}。"
    if t.status is OrderStatus.CANCELLED:
        cancelled = f"已于 {when(t.cancelled_at)} " if t.cancelled_at else "已经"
        return f"订单 {t.order_no} {cancelled}取消，不会再发货了。"
    if t.ship_by is None:
        return f"您的订单 {t.order_no} 正在仓库打包，还没有发货，发出后就能查到物流啦。"
    if t.overdue:
        return (
            f"真不好意思，您的订单 {t.order_no} 按承诺应在 {when(t.ship_by)} 前发出，"
            "到现在还没有发货，这是我们的问题，让您久等了。"
            "您说「催发货」，我马上帮您通知仓库加急处理。"
        )
    return (
        f"您的订单 {t.order_no} 正在仓库打包，还没有发货。按我们的发货承诺，"
        f"会在 {when(t.ship_by)} 前发出，发出后就能查到物流啦。"
    )


def _problem_text(t: Tracking) -> str:
    parts = []
    if t.exception is not None:
        what, todo = EXCEPTIONS[t.exception]
        parts.append(f"真不好意思，包裹派送遇到了问题：{what}。{todo}")
    if t.stuck_since is not None:
        parts.append(
            f"{'' if parts else '真不好意思，'}包裹从 {when(t.stuck_since)} 之后就没有新的物流"
            "更新了，让您担心了。"
        )
    if t.follow_up_by is not None:
        if t.inquiry_is_new:
            done = f"我已经登记并联系{t.carrier}核实包裹情况"
        else:
            at = f"今天 {t.inquiry_at:%H:%M} " if t.inquiry_at else ""
            done = f"{at}已经为您登记了物流核实，{t.carrier}正在核查"
        parts.append(f"{done}，{when(t.follow_up_by)} 前一定给您回复进展。")
        if t.stuck_since is not None:
            parts.append("如果核实包裹丢失，我们会为您重新补发或全额退款，不会让您有损失。")
    return "".join(parts)


def tracking_text(t: Tracking) -> str:
    """State, carrier, the latest events and what to expect (or what we do about a problem)."""
    if t.carrier is None or t.tracking_no is None:
        if t.status in IN_FLIGHT_STATUSES:
            return (
                f"您的订单 {t.order_no} 已经发货（{t.status.value}），"
                "物流信息还在同步中，请稍后再查。"
            )
        return _unshipped_text(t)
    if t.signed_at is not None:
        who = f"，签收人：{t.signed_by}" if t.signed_by else ""
        head = (
            f"您的订单 {t.order_no} 已于 {when(t.signed_at)} 签收{who}"
            f"（{t.carrier}，运单号 {t.tracking_no}）。"
        )
        tail = "如果您还没有拿到包裹，告诉我，我马上帮您核实。"
    else:
        head = (
            f"您的订单 {t.order_no} 目前{t.status.value}，由{t.carrier}配送，"
            f"运单号 {t.tracking_no}。"
        )
        tail = _problem_text(t)
        if not tail and t.window is not None:
            tail = f"预计 {day(t.window.earliest)}-{day(t.window.latest)} 送达，请保持电话畅通～"
    return "\n".join(part for part in (head, _events_block(t), tail) if part)


def urge_text(r: UrgeResult) -> str:
    if r.outcome is UrgeOutcome.UNPAID:
        return (
            f"您的订单 {r.order_no} 还没有付款，仓库要等付款成功后才能安排发货哦。"
            f"{PAY_TO_SHIP}，在「我的订单」里找到这笔订单就可以完成支付。"
        )
    if r.outcome is UrgeOutcome.CANCELLED:
        return f"订单 {r.order_no} 已经取消了，不会再发货。如果还需要，可以重新下单哦。"
    if r.outcome is UrgeOutcome.SHIPPED and r.tracking is not None:
        done = "签收" if r.tracking.signed_at is not None else "发货"
        return f"您的订单已经{done}啦！\n" + tracking_text(r.tracking)
    promise = f"会在 {when(r.ship_by)} 前发出" if r.ship_by else "会尽快发出"
    if r.overdue and r.follow_up_by is not None:
        sorry = (
            f"真不好意思，您的订单 {r.order_no} 超过了承诺的发货时间"
            f"（{when(r.ship_by) if r.ship_by else ''}）还没有发出，这是我们的问题。"
        )
        if r.outcome is UrgeOutcome.URGED:
            return (
                f"{sorry}我已经通知仓库加急处理，{when(r.follow_up_by)} 前给您回复发货进展，"
                "发出后您就能查到物流。"
            )
        return (
            f"{sorry}今天 {r.urged_at:%H:%M} 已经为您催过仓库，正在加急处理，"
            f"{when(r.follow_up_by)} 前一定给您回复发货进展。"
        )
    if r.outcome is UrgeOutcome.URGED:
        return (
            f"非常理解您着急的心情！已经帮您通知仓库优先处理订单 {r.order_no}，{promise}，"
            "发出后就能查到物流啦。"
        )
    return (
        f"今天 {r.urged_at:%H:%M} 已经帮您催过仓库啦，订单 {r.order_no} 正在加急处理，"
        f"{promise}，请您放心。"
    )


def cancel_question(p: CancelPreview) -> str:
    money = (
        f"实付 {yuan(p.paid_amount_fen)}，取消后全额退款，{p.refund.arrival}。"
        if p.refund
        else "订单还没有付款，取消后不会产生任何费用。"
    )
    return (
        f"要取消的是订单 {p.order_no}（{p.status.value}）：\n{items_text(p.items)}\n"
        f"{money}\n确认取消吗？"
    )


def _refund_text(refund: Refund | None, just_opened: bool) -> str:
    if refund is None:
        return "订单没有付款，不需要退款。"
    if refund.ticket_no is None:
        return f"实付的 {yuan(refund.amount_fen)} 已按原支付方式退回。"
    state = "已提交" if just_opened else f"目前{refund.status}"
    return (
        f"退款 {yuan(refund.amount_fen)}（退款单号 {refund.ticket_no}）{state}，{refund.arrival}。"
    )


def cancel_text(r: CancelResult) -> str:
    if r.outcome is CancelOutcome.CANCELLED:
        return f"已经为您取消订单 {r.order_no}。{_refund_text(r.refund, True)}"
    if r.outcome is CancelOutcome.ALREADY_CANCELLED:
        at = f"在 {when(r.cancelled_at)} " if r.cancelled_at else ""
        return f"订单 {r.order_no} 已经{at}取消了，不需要再操作。{_refund_text(r.refund, False)}"
    if r.outcome is CancelOutcome.IN_FLIGHT:
        parcel = f"（{r.carrier}，运单号 {r.tracking_no}）" if r.carrier else ""
        return (
            f"真不好意思，订单 {r.order_no} 已经发货了{parcel}，没法直接取消啦。您可以：\n"
            "1. 快递派送时直接拒收，包裹退回仓库后我们为您全额退款；\n"
            "2. 签收后 7 天内申请无理由退货。\n"
            "需要的话说「我要退货」，我帮您办理。"
        )
    if r.return_window_open:
        return (
            f"订单 {r.order_no} 已经签收了，没法再取消啦。签收 7 天内可以申请无理由退货，"
            "说「我要退货」我马上帮您办理。"
        )
    return (
        f"订单 {r.order_no} 已经签收了，没法再取消啦。如果商品有质量问题，"
        "告诉我具体情况，我帮您申请售后。"
    )


def cancel_kept_text(order_no: str) -> str:
    return f"好的，订单 {order_no} 为您保留，没有做任何改动。"


def _ship_to_line(s: ShipTo, masked: bool) -> str:
    phone = mask_phone(s.phone) if masked else s.phone
    return f"{s.recipient} {phone} {s.address_text}"


def address_question(order_no: str, old: ShipTo, new: ShipTo) -> str:
    return (
        f"请核对一下订单 {order_no} 的收货信息：\n原：{_ship_to_line(old, True)}\n"
        f"新：{_ship_to_line(new, False)}\n确认修改吗？"
    )


def address_text(r: AddressChange) -> str:
    if r.outcome is AddressOutcome.CHANGED and r.new is not None:
        return (
            f"已经为您改好了～订单 {r.order_no} 将寄往：{_ship_to_line(r.new, False)}。"
            "（只改了这笔订单，您地址簿里的地址没有变化）"
        )
    if r.outcome is AddressOutcome.UNCHANGED:
        return "新的收货信息和订单上现在的一样，不需要修改哦。"
    if r.outcome is AddressOutcome.CANCELLED:
        return f"订单 {r.order_no} 已经取消了，不需要再修改地址。"
    if r.outcome is AddressOutcome.DELIVERED:
        return (
            f"订单 {r.order_no} 已经签收了，地址没法再修改啦。"
            "如果您其实没有收到包裹，告诉我，我马上帮您核实。"
        )
    parcel = f"（{r.carrier}，运单号 {r.tracking_no}）" if r.carrier else ""
    head = f"真不好意思，订单 {r.order_no} 已经发货了{parcel}，订单上的地址没法再修改。"
    if r.new is not None and r.follow_up_by is not None:
        return (
            f"{head}我已经记下您要改寄到「{r.new.address_text}」，会联系快递公司尝试改派"
            f"（能否改派以快递公司为准），{when(r.follow_up_by)} 前给您回复；"
            "着急的话也可以说「转人工」。"
        )
    return (
        f"{head}我已经记下您的改址需求：您可以拿运单号联系快递员改派，"
        "或者说「转人工」，由人工客服帮您联系快递公司。"
    )


def address_kept_text() -> str:
    return "好的，收货信息没有做任何修改。"


def overview_text(o: Overview) -> str:
    """State, items, amount and the sensible next step for this state."""
    paid = "应付" if o.status is OrderStatus.PENDING_PAYMENT else "实付"
    head = (
        f"订单 {o.order_no}（{day(o.created_at)}下单）\n"
        f"状态：{o.status.value}\n商品：{items_text(o.items)}\n{paid}：{yuan(o.paid_amount_fen)}"
    )
    return f"{head}\n{_next_step(o)}"


def _next_step(o: Overview) -> str:
    if o.status is OrderStatus.PENDING_PAYMENT:
        return f"订单还没有付款：{PAY_TO_SHIP}。不想要了可以说「取消订单」。"
    if o.status is OrderStatus.PENDING_SHIPMENT:
        if o.overdue and o.ship_by is not None:
            return (
                f"真不好意思，已经超过承诺的发货时间（{when(o.ship_by)}）了，"
                "说「催发货」我马上帮您联系仓库。"
            )
        promise = f"预计 {when(o.ship_by)} 前发货" if o.ship_by else "正在仓库打包"
        return f"{promise}；发货前还可以「修改地址」或「取消订单」。"
    if o.status in IN_FLIGHT_STATUSES:
        latest = f"，最新：{o.latest_event.text}" if o.latest_event else ""
        return f"物流：{o.carrier} {o.tracking_no}{latest}。说「查物流」可以看完整进度。"
    if o.status is OrderStatus.CANCELLED:
        return f"订单已于 {when(o.cancelled_at)} 取消。" if o.cancelled_at else "订单已取消。"
    if o.open_ticket is not None:
        t = o.open_ticket
        return (
            f"售后处理中：{t.type_label}（单号 {t.ticket_no}），当前{t.status}。"
            "说「退款进度」可以查看详情。"
        )
    signed = f"已于 {when(o.signed_at)} 签收。" if o.signed_at else ""
    if o.return_window_open:
        return f"{signed}签收 7 天内可以申请退换货，有问题随时告诉我。"
    return f"{signed}如果商品有质量问题，告诉我具体情况，我帮您申请售后。"


def address_problem_text(check: AddressCheck) -> str:
    """Why a new address was not accepted, and how to write it (asked again right after)."""
    example = "例如「浙江省杭州市西湖区文三路 100 号 5 栋 301 室 张三 13800001234」"
    if check.problem is AddressProblem.BAD_PHONE:
        return (
            f"手机号 {check.bad_phone} 好像不是 11 位的手机号哦，麻烦核对一下再发我；"
            "电话不改的话可以不写。"
        )
    if check.problem is AddressProblem.TOO_LONG:
        return f"地址有点长了，麻烦精简到 {MAX_LENGTH} 个字以内，只写省市区和街道门牌就可以。"
    if check.problem is AddressProblem.NO_PROVINCE:
        return f"麻烦把省份和城市也写上，方便快递准确送达，{example}。"
    if check.problem is AddressProblem.NO_STREET:
        return f"麻烦把街道、门牌号写完整一些（路名、小区、楼栋和房号），{example}。"
    return f"这个地址好像不太完整，麻烦按「省 市 区 + 街道门牌」发我，{example}。"
