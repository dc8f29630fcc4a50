"""Returns and exchanges: which item, may it go back, and opening the ticket when it may.

The rules themselves live in :mod:`bot.policy.returns`; this module feeds them the order's
facts (signed when, which category, opened or not) and records the outcome. The replies are
composed in :mod:`bot.services.aftersales.replies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.enums import (
    AFTER_SALE_REASON_LABELS,
    AFTER_SALE_TYPE_LABELS,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    Category,
    OrderStatus,
    PaymentMethod,
    ServiceRecordKind,
)
from bot.db.models import Order, OrderItem, Product
from bot.policy.refusals import RefusalCode
from bot.policy.returns import (
    SHOP_FAULT_REASONS,
    Eligibility,
    Kind,
    Refusal,
    eligibility,
    freight_payer,
)
from bot.services.aftersales.exchange_spec import VariantOption
from bot.services.aftersales.tickets import (
    TicketView,
    find_open_ticket,
    open_ticket,
    view,
)
from bot.services.aftersales.words import classify_return_reason
from bot.services.orders.tracking import add_record

# Where customers send returns and exchanges (the shop's after-sales warehouse).
RETURN_ADDRESS = (
    "浙江省杭州市余杭区仓前街道良睦路 1399 号 优选好物售后仓 收件人 售后组 电话 0571-88886666"
)
RETURN_REASONS = frozenset(
    {
        AfterSaleReason.QUALITY,
        AfterSaleReason.WRONG_ITEM,
        AfterSaleReason.SIZE,
        AfterSaleReason.NO_REASON,
    }
)
TICKET_TYPES = {Kind.RETURN: AfterSaleType.RETURN, Kind.EXCHANGE: AfterSaleType.EXCHANGE}


def return_reason_of(value: object) -> AfterSaleReason | None:
    """The reason if it is one a return or exchange can have, else None.

    The value is a canonical key (buttons, synonym-mapped entities) or, when the extractor caught
    a variant the synonym list lacks ("开线了", "质量"), the customer's own words.
    """
    try:
        reason: AfterSaleReason | None = AfterSaleReason(str(value))
    except ValueError:
        reason = classify_return_reason(str(value))
    return reason if reason in RETURN_REASONS else None


def is_shop_fault(reason: AfterSaleReason) -> bool:
    return reason in SHOP_FAULT_REASONS


def product_of(item: OrderItem) -> Product:
    product: Product = item.variant.product
    return product


def asks_item_opened(item: OrderItem, reason: AfterSaleReason | None) -> bool:
    """Only opened skincare loses the no-reason return, and only when the fault is not ours."""
    product = product_of(item)
    if product.category is not Category.SKINCARE or product.return_exempt:
        return False
    return reason is None or not is_shop_fault(reason)


def item_of_order(order: Order, item_id: object) -> OrderItem | None:
    """The order's item with this id (the slot holds it as text), or None."""
    try:
        wanted = int(str(item_id).strip())
    except (TypeError, ValueError):
        return None
    return next((i for i in order.items if i.id == wanted), None)


def items_named(order: Order, text: str, names: Sequence[str] = ()) -> list[OrderItem]:
    """The order's items the customer's words point at (product type, name, or colour)."""
    words = [w for w in names if w]
    found = []
    for item in order.items:
        product = product_of(item)
        keys = {product.product_type, product.name, item.product_name}
        by_text = any(k and k in text for k in keys)
        by_entity = any(w in item.product_name or w == product.product_type for w in words)
        by_colour = bool(item.variant.colour) and item.variant.colour in text
        if by_text or by_entity or by_colour:
            found.append(item)
    if len(found) > 1:
        # "羽绒服" can name two items; a colour or size narrows it to the one meant.
        narrowed = [i for i in found if i.spec and any(p in text for p in i.spec.split())]
        if narrowed:
            found = narrowed
    return found


def variant_options(item: OrderItem) -> tuple[list[VariantOption], VariantOption]:
    """All variants of the item's product, and the one the customer has now."""
    product = product_of(item)
    options = [VariantOption(v.colour, v.size, v.stock) for v in product.variants]
    current = VariantOption(item.variant.colour, item.variant.size, item.variant.stock)
    return options, current


def check(
    order: Order,
    item: OrderItem | None,
    kind: Kind,
    reason: AfterSaleReason,
    opened: bool,
    now: datetime,
) -> Eligibility:
    """policy.returns.eligibility with this order's facts."""
    product = product_of(item) if item is not None else None
    return eligibility(
        kind=kind,
        reason=reason,
        status=order.status,
        signed_at=order.signed_at,
        now=now,
        category=product.category if product is not None else Category.APPAREL,
        return_exempt=bool(product.return_exempt) if product is not None else False,
        opened=opened,
        warranty_months=int(product.warranty_months or 0) if product is not None else 0,
    )


@dataclass(frozen=True)
class AfterSaleResult:
    kind: Kind
    reason: AfterSaleReason
    eligibility: Eligibility
    order_status: OrderStatus
    item_label: str
    signed_at: datetime | None
    now: datetime
    warranty_months: int
    payment_method: PaymentMethod | None
    cancel_reason: str | None
    needs_photo: bool
    photo_provided: bool
    exchange_spec: str | None
    ticket: TicketView | None = None
    reused: bool = False
    # Set when an open ticket of the other kind answered this request.
    requested_kind: Kind | None = None

    @property
    def refusal(self) -> RefusalCode | None:
        """The code of a "no" the customer may contest; None when granted or only redirected
        (an order not yet delivered is refused at the door or cancelled, not returned)."""
        refused = self.eligibility.refusal
        if refused is Refusal.WINDOW_PASSED:
            return (
                RefusalCode.QUALITY_WINDOW_PASSED
                if self.needs_photo
                else RefusalCode.RETURN_WINDOW_PASSED
            )
        return CONTESTABLE_REFUSALS.get(refused) if refused is not None else None


CONTESTABLE_REFUSALS = {
    Refusal.EXEMPT_CUSTOM: RefusalCode.NOT_ELIGIBLE,
    Refusal.EXEMPT_OPENED_SKINCARE: RefusalCode.OPENED_SKINCARE,
}


def item_label(item: OrderItem) -> str:
    spec = f"（{item.spec}）" if item.spec else ""
    return f"{item.product_name}{spec}"


def _description(kind: Kind, reason: AfterSaleReason, item: OrderItem, spec: str | None) -> str:
    text = f"{AFTER_SALE_REASON_LABELS[reason]}：{item_label(item)} ×{item.qty}"
    if kind is Kind.EXCHANGE:
        text += f"，换成 {spec or item.spec or '同款'}"
    return text


def submit_after_sale(
    session: Session,
    order: Order,
    item: OrderItem | None,
    *,
    kind: Kind,
    reason: AfterSaleReason,
    opened: bool,
    photo_provided: bool | None,
    exchange_spec: str | None,
    now: datetime,
) -> AfterSaleResult:
    """Check eligibility and, when allowed, open (or reuse) the return/exchange ticket."""
    result = AfterSaleResult(
        kind=kind,
        reason=reason,
        eligibility=check(order, item, kind, reason, opened, now),
        order_status=order.status,
        item_label=item_label(item) if item is not None else "",
        signed_at=order.signed_at,
        now=now,
        warranty_months=int(product_of(item).warranty_months or 0) if item is not None else 0,
        payment_method=order.payment_method,
        cancel_reason=order.cancel_reason,
        needs_photo=is_shop_fault(reason),
        photo_provided=bool(photo_provided),
        exchange_spec=exchange_spec,
    )
    if not result.eligibility.allowed or item is None:
        return result
    type_ = TICKET_TYPES[kind]
    # One open return or exchange per item: a second request, even of the other kind, is
    # answered with the ticket already being worked on (changing it is a person's call).
    existing = find_open_ticket(session, order, TICKET_TYPES.values(), item=item)
    if existing is not None:
        return _reused(result, view(existing))
    status = (
        AfterSaleStatus.PENDING_REVIEW if result.needs_photo else AfterSaleStatus.AWAITING_RETURN
    )
    refund = item.unit_price_fen * item.qty if kind is Kind.RETURN else 0
    ticket = open_ticket(
        session,
        order=order,
        item=item,
        type_=type_,
        reason=reason,
        status=status,
        # Never more than the order actually paid (coupons and member discounts).
        refund_fen=min(refund, order.paid_amount_fen),
        description=_description(kind, reason, item, exchange_spec),
        now=now,
    )
    note = (
        f"客户申请{AFTER_SALE_TYPE_LABELS[type_]}（{AFTER_SALE_REASON_LABELS[reason]}）："
        f"{item_label(item)} ×{item.qty}，已生成售后单 {ticket.ticket_no}，状态{status.value}"
    )
    if result.needs_photo and not photo_provided:
        note += "；客户暂未上传凭证照片"
    add_record(session, order, ServiceRecordKind.AFTER_SALE, note, now)
    return _with_ticket(result, view(ticket), reused=False)


def _with_ticket(result: AfterSaleResult, ticket: TicketView, *, reused: bool) -> AfterSaleResult:
    return replace(result, ticket=ticket, reused=reused)


def _reused(result: AfterSaleResult, ticket: TicketView) -> AfterSaleResult:
    """The answer follows the existing ticket: its kind, its reason, its freight."""
    kind = Kind.EXCHANGE if ticket.type is AfterSaleType.EXCHANGE else Kind.RETURN
    allowed = replace(result.eligibility, freight=freight_payer(kind, ticket.reason))
    return replace(
        result,
        kind=kind,
        reason=ticket.reason,
        eligibility=allowed,
        needs_photo=is_shop_fault(ticket.reason),
        requested_kind=result.kind,
        ticket=ticket,
        reused=True,
    )
