"""Orders with items, amounts, a life-cycle timeline, shipments, tickets and service records.

Every order is built from an :class:`OrderPlan` (its state plus optional story details), so the
hand-written demo scenarios and the random bulk go through the same code and obey the same
invariants (the tests check them per state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalogue.index import ProductSpec
from bot.db.enums import (
    Category,
    DeliveryException,
    MembershipLevel,
    OrderStatus,
    PaymentMethod,
    ServiceRecordKind,
)
from bot.demo.context import Row, SeedContext
from bot.demo.logistics import build_shipment
from bot.demo.people import PersonRows
from bot.demo.products import StockedProduct
from bot.demo.service import TicketPlan, add_record, build_ticket, human_agent, random_plan

OS = OrderStatus

# Warehouse (city, district) each category ships from.
ORIGINS: dict[Category, tuple[str, str]] = {
    Category.APPAREL: ("杭州市", "余杭区"),
    Category.SHOES: ("泉州市", "晋江市"),
    Category.SPORTS: ("金华市", "义乌市"),
    Category.KITCHEN: ("佛山市", "顺德区"),
    Category.SKINCARE: ("上海市", "青浦区"),
    Category.ELECTRONICS: ("深圳市", "宝安区"),
}
MEMBER_DISCOUNT_PERCENT = {
    MembershipLevel.NORMAL.value: 0,
    MembershipLevel.SILVER.value: 2,
    MembershipLevel.GOLD.value: 5,
    MembershipLevel.DIAMOND.value: 8,
}
FREE_SHIPPING_FROM_FEN = 9900
# The shop promises shipment within 48 hours of payment; later than that, customers urge.
OVERDUE_AFTER = timedelta(hours=48)
SHIPPING_FEE_FEN = 800
BUYER_NOTES = (
    "",
    "",
    "",
    "",
    "",
    "请尽快发货",
    "周末送货",
    "放快递柜就行",
    "送货上门,不要放驿站",
    "送人的礼物,请不要放价格单",
)
UNPAID_CANCEL_REASONS = ("超时未支付,系统自动取消", "买家取消:拍错了/重新下单", "买家取消:不想要了")
PAID_CANCEL_REASONS = (
    "买家申请取消:地址填写错误,已原路退款",
    "买家申请取消:不想要了,已原路退款",
    "商品缺货,商家取消,已原路退款",
)
PAYMENT_WEIGHTS = (
    (PaymentMethod.WECHAT, 40),
    (PaymentMethod.ALIPAY, 40),
    (PaymentMethod.BANK_CARD, 8),
    (PaymentMethod.HUABEI, 12),
)


@dataclass(frozen=True)
class OrderPlan:
    status: OrderStatus
    # SKUs to buy (first one drives the story); empty for a random basket.
    skus: tuple[str, ...] = ()
    size: str | None = None
    # In-flight: days since the last logistics event (>= 3 makes a stuck parcel).
    stuck_days: float | None = None
    exception: DeliveryException | None = None
    # Delivered states: days since the parcel was signed for.
    signed_days: float | None = None
    # 待发货: hours since payment (over 48 h is overdue for shipment).
    paid_hours: float | None = None
    ticket: TicketPlan | None = None


@dataclass(frozen=True)
class Line:
    spec: ProductSpec
    variant: Row
    qty: int


def _basket(ctx: SeedContext, plan: OrderPlan, catalogue: dict[str, StockedProduct]) -> list[Line]:
    if plan.skus:
        chosen = [catalogue[sku] for sku in plan.skus]
    else:
        count = ctx.rng.choices((1, 2, 3), (65, 27, 8))[0]
        chosen = ctx.rng.sample(list(catalogue.values()), count)
    lines = []
    for i, product in enumerate(chosen):
        variants = list(product.variants)
        if i == 0 and plan.size is not None:
            variants = [v for v in variants if v["size"] == plan.size] or variants
        qty = 1 if ctx.rng.random() < 0.85 else 2
        lines.append(Line(product.spec, ctx.rng.choice(variants), qty))
    return lines


def _in_flight_last_event(ctx: SeedContext, plan: OrderPlan) -> datetime:
    if plan.stuck_days is not None:
        return ctx.ago(days=plan.stuck_days)
    if plan.status == OS.OUT_FOR_DELIVERY:
        return ctx.ago(hours=ctx.rng.uniform(1, 18) if plan.exception else ctx.rng.uniform(0.3, 6))
    if plan.status == OS.SHIPPED:
        return ctx.ago(hours=ctx.rng.uniform(1, 20))
    return ctx.ago(hours=ctx.rng.uniform(0.5, 30))


def _signed_days(ctx: SeedContext, plan: OrderPlan) -> float:
    if plan.signed_days is not None:
        return plan.signed_days
    if plan.status == OS.SIGNED:
        return ctx.rng.uniform(0.1, 9)
    if plan.status == OS.AFTER_SALE:
        return ctx.rng.uniform(1, 10)
    # 已完成: mostly long past the 7-day return window, some still inside it.
    return ctx.rng.uniform(2, 9) if ctx.rng.random() < 0.15 else ctx.rng.uniform(10, 330)


def _timeline(ctx: SeedContext, order: Row, plan: OrderPlan, origin: tuple[str, str]) -> None:
    """Fill the order's timestamps (and ship it) according to its state."""
    rng = ctx.rng
    status = plan.status
    if status == OS.PENDING_PAYMENT:
        order["created_at"] = ctx.ago(hours=rng.uniform(0.2, 20))
        return
    if status == OS.PENDING_SHIPMENT:
        hours = plan.paid_hours if plan.paid_hours is not None else rng.uniform(0.5, 72)
        order["paid_at"] = ctx.ago(hours=hours)
    elif status == OS.CANCELLED:
        created = ctx.ago(days=rng.uniform(0.5, 200))
        order["created_at"] = created
        if rng.random() < 0.4:
            order["paid_at"] = created + timedelta(minutes=rng.randint(1, 30))
            order["cancelled_at"] = order["paid_at"] + timedelta(hours=rng.uniform(0.2, 20))
            order["cancel_reason"] = rng.choice(PAID_CANCEL_REASONS)
        else:
            order["cancelled_at"] = created + timedelta(hours=rng.uniform(0.1, 24))
            order["cancel_reason"] = rng.choice(UNPAID_CANCEL_REASONS)
        order["cancelled_at"] = order["cancelled_at"].replace(microsecond=0)
        if order["paid_at"] is not None:
            _pay(ctx, order)
        return
    else:
        if status in (OS.SHIPPED, OS.IN_TRANSIT, OS.OUT_FOR_DELIVERY):
            last = _in_flight_last_event(ctx, plan)
        else:
            last = ctx.ago(days=_signed_days(ctx, plan))
        stuck = plan.stuck_days is not None
        build_shipment(ctx, order, status, origin, last, plan.exception, stuck)
        paid = order["shipped_at"] - timedelta(hours=rng.uniform(2, 40))
        order["paid_at"] = paid.replace(microsecond=0)
        if status == OS.COMPLETED:
            # Confirmed by the buyer, or automatically 10 days after signing.
            done = order["signed_at"] + timedelta(days=rng.uniform(0.1, 10))
            order["completed_at"] = min(done, ctx.reference).replace(microsecond=0)
    order["created_at"] = order["paid_at"] - timedelta(minutes=rng.randint(1, 30))
    _pay(ctx, order)


def _pay(ctx: SeedContext, order: Row) -> None:
    methods = [m.value for m, _ in PAYMENT_WEIGHTS]
    order["payment_method"] = ctx.rng.choices(methods, [w for _, w in PAYMENT_WEIGHTS])[0]


def _service_history(ctx: SeedContext, order: Row, plan: OrderPlan, shipped: bool) -> None:
    """What the service desk already recorded on the order before the reference time."""
    rng = ctx.rng
    overdue = order["paid_at"] is not None and ctx.reference - order["paid_at"] > OVERDUE_AFTER
    if plan.status == OS.PENDING_SHIPMENT and overdue:
        at = ctx.between(order["paid_at"] + timedelta(hours=24), ctx.reference)
        add_record(ctx, order, ServiceRecordKind.URGE_SHIPMENT, "客户催发货,已通知仓库加急处理", at)
    elif plan.status == OS.PENDING_SHIPMENT and rng.random() < 0.1:
        at = ctx.between(order["paid_at"], ctx.reference)
        text = (
            f"客户修改收货地址为:{order['ship_city']}{order['ship_district']}{order['ship_detail']}"
        )
        add_record(ctx, order, ServiceRecordKind.ADDRESS_CHANGE, text, at)
    if shipped and plan.stuck_days is not None and rng.random() < 0.6:
        at = ctx.ago(days=rng.uniform(0.2, plan.stuck_days - 1))
        text = "客户查询物流,包裹多日未更新,已联系快递公司核实"
        add_record(ctx, order, ServiceRecordKind.LOGISTICS_INQUIRY, text, at)
    if plan.status == OS.AFTER_SALE and rng.random() < 0.1:
        text = "客户对售后处理进度不满意,要求转人工"
        add_record(ctx, order, ServiceRecordKind.HANDOFF, text, ctx.ago(hours=rng.uniform(1, 20)))
        add_record(
            ctx,
            order,
            ServiceRecordKind.NOTE,
            "已安抚客户并加急审核",
            ctx.ago(hours=0.5),
            operator=human_agent(ctx),
        )


def build_order(
    ctx: SeedContext,
    person: PersonRows,
    plan: OrderPlan,
    catalogue: dict[str, StockedProduct],
) -> Row:
    rng = ctx.rng
    lines = _basket(ctx, plan, catalogue)
    address = person.default_address if rng.random() < 0.8 else rng.choice(person.addresses)
    goods = sum(line.spec.price_fen * line.qty for line in lines)
    shipping = 0 if goods >= FREE_SHIPPING_FROM_FEN else SHIPPING_FEE_FEN
    coupon = rng.choice((0, 0, 0, 500, 1000, 2000)) if goods >= 20000 else 0
    discount = coupon + goods * MEMBER_DISCOUNT_PERCENT[person.customer["level"]] // 100
    order = ctx.add(
        "orders",
        order_no="",
        customer_id=person.customer["id"],
        status=plan.status.value,
        created_at=None,
        paid_at=None,
        shipped_at=None,
        signed_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        payment_method=None,
        goods_amount_fen=goods,
        shipping_fee_fen=shipping,
        discount_fen=discount,
        paid_amount_fen=goods + shipping - discount,
        address_id=address["id"],
        ship_recipient=address["recipient"],
        ship_phone=address["phone"],
        ship_province=address["province"],
        ship_city=address["city"],
        ship_district=address["district"],
        ship_detail=address["detail"],
        notes=rng.choice(BUYER_NOTES),
    )
    _timeline(ctx, order, plan, ORIGINS[lines[0].spec.category])
    order["order_no"] = ctx.new_order_no(order["created_at"])
    items = [
        ctx.add(
            "order_items",
            order_id=order["id"],
            variant_id=line.variant["id"],
            product_name=line.spec.name,
            spec=f"{line.variant['colour']} {line.variant['size'] or ''}".strip(),
            qty=line.qty,
            unit_price_fen=line.spec.price_fen,
        )
        for line in lines
    ]
    if plan.status == OS.AFTER_SALE or plan.ticket is not None:
        ticket_plan = plan.ticket or random_plan(ctx, lines[0].spec, is_open=True)
        build_ticket(ctx, order, items[0], ticket_plan)
    elif plan.status == OS.COMPLETED and rng.random() < 0.12:
        build_ticket(ctx, order, items[0], random_plan(ctx, lines[0].spec, is_open=False))
    _service_history(ctx, order, plan, shipped=order["shipped_at"] is not None)
    return order
