"""Shipments and their logistics events, consistent with the order's state.

A parcel's full route is pickup → hubs → destination station → 派送中 → 已签收; an order's state
decides how much of it has happened, and the caller fixes when the last event happened (recent,
or 3–6 days ago for a stuck parcel). Times are laid out backwards from that last event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.enums import (
    CARRIER_FULL_NAMES,
    Carrier,
    DeliveryException,
    EventKind,
    OrderStatus,
)
from bot.demo.context import Row, SeedContext

CARRIER_WEIGHTS = (
    (Carrier.SF, 22),
    (Carrier.YTO, 18),
    (Carrier.ZTO, 22),
    (Carrier.YUNDA, 14),
    (Carrier.JT, 12),
    (Carrier.JD, 12),
)
MID_HUBS = ("武汉", "郑州", "长沙", "南昌", "合肥", "西安")
COURIER_SURNAMES = "王李张刘陈杨黄赵周吴"
SIGNERS = ("本人", "本人", "本人", "家人代收", "快递柜", "门卫代收", "驿站代收")
# Where each kind of delivery problem can happen.
OUT_FOR_DELIVERY_EXCEPTIONS = (
    DeliveryException.ADDRESS_UNCLEAR,
    DeliveryException.NOBODY_HOME,
    DeliveryException.DAMAGED,
    DeliveryException.PHONE_UNREACHABLE,
)
IN_TRANSIT_EXCEPTIONS = (DeliveryException.WEATHER_DELAY, DeliveryException.DAMAGED)


@dataclass(frozen=True)
class Step:
    kind: EventKind
    location: str
    description: str


def _short(city: str) -> str:
    # "杭州市" → "杭州": hubs are named after the city without the administrative suffix.
    return city.removesuffix("市")


def _route(
    ctx: SeedContext, carrier: Carrier, origin: tuple[str, str], dest: tuple[str, str]
) -> tuple[list[Step], str]:
    """The full route of a parcel up to (not including) its final 派送中/签收; and the station."""
    origin_city, origin_district = origin
    dest_city, dest_district = dest
    pickup = f"{_short(origin_city)}{origin_district}营业部"
    station = f"{_short(dest_city)}{dest_district}营业部"
    hubs = [f"{_short(origin_city)}转运中心"]
    if _short(dest_city) != _short(origin_city):
        if ctx.rng.random() < 0.5:
            mids = [h for h in MID_HUBS if h not in (_short(origin_city), _short(dest_city))]
            hubs.append(f"{ctx.rng.choice(mids)}转运中心")
        hubs.append(f"{_short(dest_city)}转运中心")

    steps = [Step(EventKind.PICKED_UP, pickup, f"【{pickup}】{CARRIER_FULL_NAMES[carrier]}已揽收")]
    for i, hub in enumerate(hubs):
        following = hubs[i + 1] if i + 1 < len(hubs) else station
        steps.append(Step(EventKind.IN_TRANSIT, hub, f"【{hub}】已到达"))
        steps.append(Step(EventKind.IN_TRANSIT, hub, f"【{hub}】已发出,下一站【{following}】"))
    steps.append(Step(EventKind.IN_TRANSIT, station, f"【{station}】已到达"))
    return steps, station


def _courier(ctx: SeedContext) -> str:
    return f"{ctx.rng.choice(COURIER_SURNAMES)}师傅,电话:1{ctx.rng.choice('3578')}{ctx.digits(9)}"


def _exception_step(exception: DeliveryException, location: str) -> Step:
    text = {
        DeliveryException.ADDRESS_UNCLEAR: "派送异常:收件地址不详,快递员正在联系收件人核实地址",
        DeliveryException.NOBODY_HOME: "派送异常:收件人不在家,无人签收,将于次日再次派送",
        DeliveryException.DAMAGED: "派送异常:包裹破损,已暂扣处理,等待商家确认",
        DeliveryException.PHONE_UNREACHABLE: "派送异常:收件人电话无法接通,请尽快联系快递员",
        DeliveryException.WEATHER_DELAY: "运输异常:天气原因延误,预计晚1-2天到达",
    }[exception]
    return Step(EventKind.EXCEPTION, location, f"【{location}】{text}")


def _plan_steps(
    ctx: SeedContext,
    status: OrderStatus,
    carrier: Carrier,
    origin: tuple[str, str],
    dest: tuple[str, str],
    exception: DeliveryException | None,
    stuck: bool,
) -> tuple[list[Step], str | None]:
    """The steps that have happened for an order in ``status``; and who signed, if anyone."""
    route, station = _route(ctx, carrier, origin, dest)
    out = Step(EventKind.OUT_FOR_DELIVERY, station, f"【{station}】派送中,快递员:{_courier(ctx)}")
    if status == OrderStatus.SHIPPED:
        return route[:1], None
    if status == OrderStatus.IN_TRANSIT:
        # A stuck parcel sits in a hub; a moving one may already be at the local station.
        steps = route[: ctx.rng.randint(2, len(route) - 1 if stuck else len(route))]
        if exception is not None:
            steps.append(_exception_step(exception, steps[-1].location))
        return steps, None
    if status == OrderStatus.OUT_FOR_DELIVERY:
        steps = [*route, out]
        if exception is not None:
            steps.append(_exception_step(exception, station))
        return steps, None
    signer = ctx.rng.choice(SIGNERS)
    thanks = f"感谢使用{CARRIER_FULL_NAMES[carrier]},期待再次为您服务"
    signed = Step(EventKind.SIGNED, station, f"【{station}】已签收,签收人:{signer},{thanks}")
    return [*route, out, signed], signer


def pick_carrier(ctx: SeedContext) -> Carrier:
    carriers = [c for c, _ in CARRIER_WEIGHTS]
    return ctx.rng.choices(carriers, [w for _, w in CARRIER_WEIGHTS])[0]


def build_shipment(
    ctx: SeedContext,
    order: Row,
    status: OrderStatus,
    origin: tuple[str, str],
    last_event_at: datetime,
    exception: DeliveryException | None = None,
    stuck: bool = False,
) -> Row:
    """Ship ``order`` so that its last logistics event happens at ``last_event_at``.

    Fills the order's ``shipped_at`` (and ``signed_at`` for delivered states); returns the
    shipment row.
    """
    carrier = pick_carrier(ctx)
    dest = (order["ship_city"], order["ship_district"])
    steps, signer = _plan_steps(ctx, status, carrier, origin, dest, exception, stuck)

    times = [last_event_at]
    for step in reversed(steps[1:]):
        if step.kind in (EventKind.SIGNED, EventKind.EXCEPTION):
            gap = ctx.rng.uniform(0.5, 5)
        elif step.kind == EventKind.OUT_FOR_DELIVERY:
            gap = ctx.rng.uniform(2, 12)
        else:
            gap = ctx.rng.uniform(1.5, 10)
        times.append(times[-1] - timedelta(hours=gap))
    times.reverse()
    times = [t.replace(microsecond=0) for t in times]

    shipped_at = times[0] - timedelta(minutes=ctx.rng.randint(10, 180))
    shipment = ctx.add(
        "shipments",
        order_id=order["id"],
        carrier=carrier.value,
        tracking_no=ctx.new_tracking_no(carrier),
        shipped_at=shipped_at,
        exception=exception.value if exception else None,
        signed_by=signer,
    )
    for step, moment in zip(steps, times, strict=True):
        ctx.add(
            "logistics_events",
            shipment_id=shipment["id"],
            occurred_at=moment,
            kind=step.kind.value,
            location=step.location,
            description=step.description,
        )
    order["shipped_at"] = shipped_at
    if signer is not None:
        order["signed_at"] = times[-1]
    return shipment
