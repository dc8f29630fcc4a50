"""After-sales tickets and service-desk records of the demo store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalogue.index import ProductSpec
from bot.db.enums import (
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    Category,
    ServiceRecordKind,
)
from bot.demo.context import Row, SeedContext
from bot.demo.logistics import pick_carrier

R = AfterSaleReason
S = AfterSaleStatus
T = AfterSaleType

REASONS: dict[AfterSaleType, tuple[AfterSaleReason, ...]] = {
    T.RETURN: (R.QUALITY, R.WRONG_ITEM, R.SIZE, R.NO_REASON),
    T.EXCHANGE: (R.SIZE, R.QUALITY, R.WRONG_ITEM),
    T.REFUND: (R.MISSING_ITEM, R.PRICE_DIFFERENCE, R.NOT_RECEIVED, R.QUALITY),
}
OPEN_STATES: dict[AfterSaleType, tuple[AfterSaleStatus, ...]] = {
    T.RETURN: (S.PENDING_REVIEW, S.AWAITING_RETURN, S.REFUNDING),
    T.EXCHANGE: (S.PENDING_REVIEW, S.AWAITING_RETURN, S.EXCHANGING),
    T.REFUND: (S.PENDING_REVIEW, S.REFUNDING),
}
CLOSED_STATES: dict[AfterSaleType, tuple[AfterSaleStatus, ...]] = {
    T.RETURN: (S.REFUNDED, S.REFUNDED, S.REJECTED, S.WITHDRAWN),
    T.EXCHANGE: (S.COMPLETED, S.COMPLETED, S.REJECTED, S.WITHDRAWN),
    T.REFUND: (S.REFUNDED, S.REFUNDED, S.REJECTED),
}
# States in which the customer's parcel back to the shop is already on its way.
RETURN_SENT = {S.REFUNDING, S.REFUNDED, S.EXCHANGING, S.COMPLETED}
DESCRIPTIONS: dict[AfterSaleReason, str] = {
    R.QUALITY: "收到后发现有瑕疵,影响使用",
    R.WRONG_ITEM: "收到的颜色/规格和下单的不一致",
    R.SIZE: "尺码不合适,穿着偏小",
    R.NO_REASON: "不太喜欢,申请七天无理由退货",
    R.NOT_RECEIVED: "物流显示已签收,但本人没有收到包裹",
    R.MISSING_ITEM: "包裹里少了一件商品",
    R.PRICE_DIFFERENCE: "购买后降价了,申请退差价",
}
AGENTS = ("客服小美", "客服阿杰", "客服小雨")


@dataclass(frozen=True)
class TicketPlan:
    type: AfterSaleType
    reason: AfterSaleReason
    status: AfterSaleStatus


def _no_reason_allowed(spec: ProductSpec) -> bool:
    # Custom-made goods never qualify; skincare only while unopened, and a customer asking
    # after use is the common rejected case.
    return not spec.return_exempt and spec.category != Category.SKINCARE


def random_plan(ctx: SeedContext, spec: ProductSpec, is_open: bool) -> TicketPlan:
    kind = ctx.rng.choices((T.RETURN, T.EXCHANGE, T.REFUND), (45, 25, 30))[0]
    if kind == T.EXCHANGE and not spec.sizes:
        kind = T.RETURN
    reason = ctx.rng.choice(REASONS[kind])
    status = ctx.rng.choice((OPEN_STATES if is_open else CLOSED_STATES)[kind])
    if reason == R.NO_REASON and not _no_reason_allowed(spec):
        if is_open:
            reason = R.QUALITY
        else:
            status = S.REJECTED
    return TicketPlan(kind, reason, status)


def _refund_fen(ctx: SeedContext, plan: TicketPlan, order: Row, item: Row) -> int:
    item_total = min(item["qty"] * item["unit_price_fen"], order["paid_amount_fen"])
    if plan.type == T.EXCHANGE:
        return 0
    if plan.reason == R.NOT_RECEIVED:
        # The whole parcel is missing: the whole payment is at stake.
        paid: int = order["paid_amount_fen"]
        return paid
    if plan.type == T.RETURN:
        return item_total
    if plan.reason == R.MISSING_ITEM:
        return min(item["unit_price_fen"], item_total)
    if plan.reason == R.PRICE_DIFFERENCE:
        return min(ctx.rng.choice((1000, 2000, 3000, 5000)), item_total)
    # 仅退款 for a minor quality problem: partial compensation, the customer keeps the goods.
    return item_total * ctx.rng.choice((10, 20, 30)) // 100


def build_ticket(ctx: SeedContext, order: Row, item: Row, plan: TicketPlan) -> Row:
    """A ticket on ``order``, raised within 7 days of signing and last updated before now."""
    signed: datetime = order["signed_at"]
    latest = max(signed, min(signed + timedelta(days=6.5), ctx.reference - timedelta(hours=2)))
    created = ctx.between(min(signed + timedelta(hours=1), latest), latest)
    if plan.status == S.PENDING_REVIEW:
        updated = created
    else:
        # Settled (or last moved) within a few days, never after the reference time.
        end = min(created + timedelta(days=ctx.rng.uniform(0.1, 6)), ctx.reference)
        updated = ctx.between(min(created + timedelta(hours=1), end), end)
    description = DESCRIPTIONS[plan.reason]
    if plan.status == S.REJECTED:
        description += "(审核未通过:" + (
            "商品已拆封使用,不支持七天无理由退货)" if plan.reason == R.NO_REASON else "凭证不足)"
        )
    whole_order = plan.reason == R.NOT_RECEIVED
    return_tracking = None
    if plan.type in (T.RETURN, T.EXCHANGE) and plan.status in RETURN_SENT:
        return_tracking = ctx.new_tracking_no(pick_carrier(ctx))
    ticket = ctx.add(
        "after_sale_tickets",
        ticket_no="",
        order_id=order["id"],
        order_item_id=None if whole_order else item["id"],
        type=plan.type.value,
        reason=plan.reason.value,
        status=plan.status.value,
        refund_amount_fen=_refund_fen(ctx, plan, order, item),
        description=description,
        return_tracking_no=return_tracking,
        created_at=created,
        updated_at=updated,
    )
    # The id is unique, so the ticket number is too, and it reads like a real one: AS+date+seq.
    ticket["ticket_no"] = f"AS{created:%Y%m%d}{ticket['id']:06d}"
    return ticket


def add_record(
    ctx: SeedContext,
    order: Row,
    kind: ServiceRecordKind,
    text: str,
    at: datetime,
    operator: str = "bot",
) -> Row:
    return ctx.add(
        "service_records",
        order_id=order["id"],
        customer_id=order["customer_id"],
        kind=kind.value,
        text=text,
        operator=operator,
        created_at=min(at.replace(microsecond=0), ctx.reference),
    )


def human_agent(ctx: SeedContext) -> str:
    return ctx.rng.choice(AGENTS)
