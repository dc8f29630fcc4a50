"""Which orders exist: scripted stories for the demo customers, then a random bulk.

Each of the first four demo customers owns orders in most states, including a stuck parcel
(no logistics update for 3–6 days) and a delivery exception, so every dialogue flow can be shown
with any of them. Random customers never get scripted orders, which keeps the demo table stable.
"""

from __future__ import annotations

from bot.db.enums import (
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    DeliveryException,
    OrderStatus,
)
from bot.demo.context import Row, SeedContext
from bot.demo.orders import OrderPlan, build_order
from bot.demo.people import PersonRows
from bot.demo.products import StockedProduct
from bot.demo.service import TicketPlan

OS = OrderStatus
D = DeliveryException
R = AfterSaleReason
S = AfterSaleStatus
T = AfterSaleType

RANDOM_ORDERS = 1500

# Share of each state among the random orders (percent).
STATUS_WEIGHTS: tuple[tuple[OrderStatus, int], ...] = (
    (OS.PENDING_PAYMENT, 6),
    (OS.PENDING_SHIPMENT, 10),
    (OS.SHIPPED, 7),
    (OS.IN_TRANSIT, 12),
    (OS.OUT_FOR_DELIVERY, 6),
    (OS.SIGNED, 12),
    (OS.CANCELLED, 9),
    (OS.AFTER_SALE, 8),
    (OS.COMPLETED, 30),
)

DEMO_PLANS: tuple[tuple[OrderPlan, ...], ...] = (
    (  # 王晓明: winter clothes and a coffee machine.
        OrderPlan(OS.IN_TRANSIT, ("AP001",), size="L", stuck_days=4.2),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("KI009",), exception=D.ADDRESS_UNCLEAR),
        OrderPlan(OS.PENDING_SHIPMENT, ("SH001",), size="42", paid_hours=70),
        OrderPlan(OS.PENDING_PAYMENT, ("EL001",)),
        OrderPlan(OS.SIGNED, ("AP003",), size="M", signed_days=2),
        OrderPlan(OS.COMPLETED, ("SK001",), signed_days=45),
        OrderPlan(
            OS.AFTER_SALE,
            ("AP010",),
            size="XL",
            signed_days=4,
            ticket=TicketPlan(T.RETURN, R.SIZE, S.AWAITING_RETURN),
        ),
        OrderPlan(OS.CANCELLED, ("SP004",)),
        OrderPlan(OS.SHIPPED, ("EL006",)),
    ),
    (  # 李芳: skincare and a dress.
        OrderPlan(OS.IN_TRANSIT, ("SK002",), stuck_days=5.1),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("AP007",), size="M", exception=D.NOBODY_HOME),
        OrderPlan(OS.PENDING_SHIPMENT, ("AP002",), size="S", paid_hours=6),
        OrderPlan(OS.SIGNED, ("SK004",), signed_days=5),
        OrderPlan(OS.COMPLETED, ("SP001",), signed_days=120),
        OrderPlan(
            OS.AFTER_SALE,
            ("SH002",),
            size="37",
            signed_days=3,
            ticket=TicketPlan(T.EXCHANGE, R.SIZE, S.EXCHANGING),
        ),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("EL008",)),
        OrderPlan(OS.PENDING_PAYMENT, ("SK007",)),
    ),
    (  # 张伟: kitchen appliances and sports gear.
        OrderPlan(OS.IN_TRANSIT, ("SP010",), stuck_days=3.5),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("KI006",), exception=D.DAMAGED),
        OrderPlan(OS.PENDING_SHIPMENT, ("SP003",), paid_hours=20),
        OrderPlan(OS.PENDING_PAYMENT, ("AP008",), size="XL"),
        OrderPlan(OS.SIGNED, ("KI001",), signed_days=1),
        OrderPlan(OS.COMPLETED, ("SH006",), size="43", signed_days=200),
        OrderPlan(
            OS.AFTER_SALE,
            ("EL003",),
            signed_days=2,
            ticket=TicketPlan(T.REFUND, R.NOT_RECEIVED, S.PENDING_REVIEW),
        ),
        OrderPlan(OS.CANCELLED, ("KI004",)),
        OrderPlan(OS.IN_TRANSIT, ("SP006",)),
    ),
    (  # 刘洋: electronics and shoes.
        OrderPlan(OS.SHIPPED, ("EL009",), size="茶轴", stuck_days=4.8),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("SH003",), size="43", exception=D.PHONE_UNREACHABLE),
        OrderPlan(OS.IN_TRANSIT, ("EL005",)),
        OrderPlan(OS.PENDING_SHIPMENT, ("AP012",), size="L", paid_hours=55),
        OrderPlan(OS.SIGNED, ("EL002",), signed_days=6),
        OrderPlan(OS.COMPLETED, ("SH004",), size="42", signed_days=30),
        OrderPlan(
            OS.AFTER_SALE,
            ("EL007",),
            signed_days=5,
            ticket=TicketPlan(T.REFUND, R.PRICE_DIFFERENCE, S.REFUNDING),
        ),
        OrderPlan(OS.CANCELLED, ("AP005",)),
    ),
    (  # 陈静: a smaller history.
        OrderPlan(OS.SIGNED, ("AP014",), size="M", signed_days=3),
        OrderPlan(OS.IN_TRANSIT, ("SK005",)),
        OrderPlan(OS.COMPLETED, ("KI003",), signed_days=60),
        OrderPlan(OS.PENDING_SHIPMENT, ("SH008",), size="37", paid_hours=12),
    ),
    (  # 赵磊: a smaller history.
        OrderPlan(OS.PENDING_PAYMENT, ("SP002",)),
        OrderPlan(OS.OUT_FOR_DELIVERY, ("AP006",), size="L"),
        OrderPlan(OS.COMPLETED, ("EL004",), signed_days=15),
        OrderPlan(
            OS.AFTER_SALE,
            ("SK003",),
            signed_days=4,
            ticket=TicketPlan(T.RETURN, R.QUALITY, S.PENDING_REVIEW),
        ),
    ),
)


def _random_plan(ctx: SeedContext) -> OrderPlan:
    rng = ctx.rng
    status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
    stuck = None
    exception = None
    if status in (OS.SHIPPED, OS.IN_TRANSIT) and rng.random() < 0.15:
        stuck = rng.uniform(3.1, 5.9)
    elif status == OS.IN_TRANSIT and rng.random() < 0.06:
        exception = rng.choice((D.WEATHER_DELAY, D.DAMAGED))
    elif status == OS.OUT_FOR_DELIVERY and rng.random() < 0.2:
        exception = rng.choice((D.ADDRESS_UNCLEAR, D.NOBODY_HOME, D.DAMAGED, D.PHONE_UNREACHABLE))
    return OrderPlan(status, stuck_days=stuck, exception=exception)


def build_orders(
    ctx: SeedContext,
    demo: list[PersonRows],
    others: list[PersonRows],
    catalogue: dict[str, StockedProduct],
) -> list[Row]:
    orders = [
        build_order(ctx, person, plan, catalogue)
        for person, plans in zip(demo, DEMO_PLANS, strict=True)
        for plan in plans
    ]
    # Some customers shop a lot, most a little.
    activity = [ctx.rng.uniform(0.2, 3.0) for _ in others]
    for _ in range(RANDOM_ORDERS):
        person = ctx.rng.choices(others, activity)[0]
        orders.append(build_order(ctx, person, _random_plan(ctx), catalogue))
    return orders
