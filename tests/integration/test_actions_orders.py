"""The order actions as the customer meets them: trackers in, replies and slot events out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.orders_forms import (
    ActionAskAddressConfirmed,
    ActionAskCancelConfirmed,
    ValidateCancelOrderForm,
    ValidateModifyAddressForm,
    ValidateTrackOrderForm,
)
from actions.orders_submit import (
    ActionCancelOrder,
    ActionModifyAddress,
    ActionOrderOverview,
    ActionTrackOrder,
    ActionUrgeShipment,
)
from bot.db.enums import IN_FLIGHT_STATUSES, AfterSaleType, OrderStatus, ServiceRecordKind
from bot.db.models import AfterSaleTicket, Order, ServiceRecord
from bot.db.session import dispose_engines, session_scope
from bot.policy import logistics
from bot.services.clock import store_now
from bot.services.orders.tracking import last_update, latest_shipment, record_today

REPO = Path(__file__).resolve().parents[2]
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/x"


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    return loaded


def make_tracker(
    slots: dict[str, Any],
    *,
    text: str = "",
    entities: tuple[dict[str, Any], ...] = (),
    new_slots: dict[str, Any] | None = None,
    form: str | None = None,
) -> Tracker:
    """A tracker whose latest user turn said `text`; `new_slots` were just filled from it."""
    message = {"text": text, "entities": list(entities), "intent": {"name": "inform"}}
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "parse_data": message}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {**slots, **(new_slots or {})},
            "events": events,
            "latest_message": message,
            "active_loop": {"name": form} if form else {},
        }
    )


def run(
    action: Action, tracker: Tracker, domain: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(slot values the action set, messages it sent)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return slots, dispatcher.messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def find_order(
    session: Session, statuses: set[OrderStatus], fits: Callable[[Order], bool] = lambda o: True
) -> Order:
    query = select(Order).where(Order.status.in_(list(statuses))).order_by(Order.id)
    for order in session.execute(query).scalars():
        if fits(order):
            return order
    raise AssertionError(f"the seeded store has no fitting order in {statuses}")


def count(session: Session, model: Any, *conditions: Any) -> int:
    return int(
        session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()
    )


def signed_in(order: Order, **slots: Any) -> dict[str, Any]:
    return {"customer_id": str(order.customer_id), "order_id": order.order_no, **slots}


def private_data(order: Order) -> list[str]:
    """What must never reach someone who does not own the order."""
    found = [order.ship_recipient, order.ship_phone, order.ship_detail, order.customer.name]
    found += [item.product_name for item in order.items]
    found += [s.tracking_no for s in order.shipments]
    return found


def test_tracking_a_stuck_parcel_twice_records_one_inquiry(store_url: str) -> None:
    with session_scope(store_url) as session:
        now = store_now(session)

        def stuck(order: Order) -> bool:
            shipment = latest_shipment(order)
            return (
                shipment is not None
                and logistics.is_stuck(last_update(shipment), now)
                and record_today(session, order, ServiceRecordKind.LOGISTICS_INQUIRY, now) is None
            )

        order = find_order(session, set(IN_FLIGHT_STATUSES), stuck)
    replies = [run(ActionTrackOrder(), make_tracker(signed_in(order))) for _ in range(2)]
    with session_scope(store_url) as session:
        inquiries = count(
            session,
            ServiceRecord,
            ServiceRecord.order_id == order.id,
            ServiceRecord.kind == ServiceRecordKind.LOGISTICS_INQUIRY,
            ServiceRecord.created_at >= now.replace(hour=0, minute=0),
        )
    assert inquiries == 1
    for slots, messages in replies:
        assert slots == {"phone_tail": None}
        assert "真不好意思" in texts(messages) and order.shipments[-1].tracking_no in texts(
            messages
        )
    assert "已经为您登记" in texts(replies[1][1])


def test_someone_elses_order_number_reveals_nothing(store_url: str, domain: dict[str, Any]) -> None:
    with session_scope(store_url) as session:
        theirs = find_order(session, set(IN_FLIGHT_STATUSES))
        mine = find_order(
            session, {OrderStatus.SIGNED}, lambda o: o.customer_id != theirs.customer_id
        )
        secrets = private_data(theirs)
    entity = {"entity": "order_id", "value": theirs.order_no}
    tracker = make_tracker(
        {"customer_id": str(mine.customer_id)},
        text=f"查一下 {theirs.order_no}",
        entities=(entity,),
        new_slots={"order_id": theirs.order_no},
        form="track_order_form",
    )
    slots, messages = run(ValidateTrackOrderForm(), tracker, domain)
    assert slots["order_id"] is None
    assert [m["response"] for m in messages] == ["utter_order_not_found"]
    # Even if the number reached the submit action, it answers without the order's data.
    _slots, submitted = run(
        ActionTrackOrder(), make_tracker(signed_in(mine, order_id=theirs.order_no))
    )
    assert [m["response"] for m in submitted] == ["utter_no_fitting_order"]
    shown = str(messages) + str(submitted)
    assert not [s for s in secrets if s and s in shown]


def test_anonymous_visitor_with_wrong_phone_tail_is_not_verified(
    store_url: str, domain: dict[str, Any]
) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.IN_TRANSIT})
        phones = {order.ship_phone, order.customer.phone}
        wrong = next(
            f"{n:04d}" for n in range(10000) if not any(p.endswith(f"{n:04d}") for p in phones)
        )
        right = order.ship_phone[-4:]
        secrets = private_data(order)
    slots = {"order_id": order.order_no, "requested_slot": "phone_tail"}
    failed, messages = run(
        ValidateTrackOrderForm(), make_tracker(slots, text=wrong, form="track_order_form"), domain
    )
    assert [m["response"] for m in messages] == ["utter_verification_failed"]
    assert failed["order_id"] is None and failed["verification_failures"] == 1
    assert "verified_order_ids" not in failed
    assert not [s for s in secrets if s in str(messages)]

    passed, _ = run(
        ValidateTrackOrderForm(),
        make_tracker(slots, text=f"尾号{right}", form="track_order_form"),
        domain,
    )
    assert passed["verified_order_ids"] == [order.order_no]
    _slots, tracked = run(ActionTrackOrder(), make_tracker({"order_id": order.order_no, **passed}))
    assert order.shipments[-1].tracking_no in texts(tracked)


def test_locked_verification_makes_the_submit_action_quiet(store_url: str) -> None:
    _slots, messages = run(ActionTrackOrder(), make_tracker({"verification_failures": 3.0}))
    assert messages == []
    _slots, messages = run(ActionTrackOrder(), make_tracker({"verification_failures": 1.0}))
    assert [m["response"] for m in messages] == ["utter_no_fitting_order"]


def test_cancel_twice_opens_one_refund(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT}, lambda o: o.paid_at is not None)
    _slots, question = run(ActionAskCancelConfirmed(), make_tracker(signed_in(order)))
    assert "确认取消吗" in texts(question)
    assert [b["payload"] for b in question[0]["buttons"]] == ["/affirm", "/deny"]
    first_slots, first = run(
        ActionCancelOrder(), make_tracker(signed_in(order, cancel_confirmed=True))
    )
    _slots, second = run(ActionCancelOrder(), make_tracker(signed_in(order, cancel_confirmed=True)))
    with session_scope(store_url) as session:
        tickets = list(
            session.execute(
                select(AfterSaleTicket).where(
                    AfterSaleTicket.order_id == order.id,
                    AfterSaleTicket.type == AfterSaleType.REFUND,
                )
            ).scalars()
        )
        status = session.get(Order, order.id).status
    assert status is OrderStatus.CANCELLED and len(tickets) == 1
    assert first_slots["cancel_confirmed"] is None
    assert "已经为您取消" in texts(first) and tickets[0].ticket_no in texts(first)
    assert "已经" in texts(second) and tickets[0].ticket_no in texts(second)
    assert "到账" in texts(second)


def test_declining_keeps_the_order(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_PAYMENT})
    slots, messages = run(
        ActionCancelOrder(), make_tracker(signed_in(order, cancel_confirmed=False))
    )
    with session_scope(store_url) as session:
        assert session.get(Order, order.id).status is OrderStatus.PENDING_PAYMENT
    assert slots["cancel_confirmed"] is None and "保留" in texts(messages)


def test_cancelling_a_shipped_order_explains_refusal(
    store_url: str, domain: dict[str, Any]
) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.IN_TRANSIT})
    form_slots, _ = run(
        ValidateCancelOrderForm(),
        make_tracker(
            {"customer_id": str(order.customer_id)},
            new_slots={"order_id": order.order_no},
            form="cancel_order_form",
        ),
        domain,
    )
    assert form_slots["requested_slot"] is None  # no "确认取消吗" for a parcel on its way
    slots, messages = run(ActionCancelOrder(), make_tracker(signed_in(order)))
    with session_scope(store_url) as session:
        assert session.get(Order, order.id).status is OrderStatus.IN_TRANSIT
        assert count(session, AfterSaleTicket, AfterSaleTicket.order_id == order.id) == 0
    assert "拒收" in texts(messages) and "退货" in texts(messages)
    assert slots["cancel_confirmed"] is None
    assert slots["last_refusal"] == "cancel_after_shipment"  # read by the escalation policy


def test_address_change_before_shipment_is_saved(store_url: str, domain: dict[str, Any]) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT})
    said = "浙江省杭州市西湖区文三路 100 号 5 栋 301 张三 13800001234"
    base = signed_in(order, requested_slot="new_address")
    slots, messages = run(
        ValidateModifyAddressForm(),
        make_tracker(base, text=said, new_slots={"new_address": said}, form="modify_address_form"),
        domain,
    )
    assert messages == []
    assert slots["new_phone"] == "13800001234" and slots["requested_slot"] == "address_confirmed"
    filled = signed_in(order, new_address=slots["new_address"], new_phone=slots["new_phone"])
    _slots, question = run(ActionAskAddressConfirmed(), make_tracker(filled))
    assert order.ship_detail in texts(question) and "文三路100号5栋301" in texts(question)
    done_slots, done = run(
        ActionModifyAddress(), make_tracker({**filled, "address_confirmed": True})
    )
    with session_scope(store_url) as session:
        saved = session.get(Order, order.id)
        assert saved.ship_address_text == "浙江省杭州市西湖区文三路100号5栋301"
        assert (saved.ship_recipient, saved.ship_phone) == ("张三", "13800001234")
    assert "改好了" in texts(done)
    assert {done_slots[k] for k in ("new_address", "new_phone", "address_confirmed")} == {None}
    assert done_slots["last_refusal"] is None


def test_address_change_after_shipment_is_refused(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.SHIPPED})
        before = order.ship_address_text
    slots = signed_in(order, new_address="浙江省杭州市西湖区文三路100号", address_confirmed=True)
    set_slots, messages = run(ActionModifyAddress(), make_tracker(slots))
    with session_scope(store_url) as session:
        assert session.get(Order, order.id).ship_address_text == before
    assert "已经发货" in texts(messages) and "转人工" in texts(messages)
    assert set_slots["last_refusal"] == "address_after_shipment"


def test_invalid_phone_in_new_address_is_rejected(store_url: str, domain: dict[str, Any]) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT})
    said = "浙江省杭州市西湖区文三路100号 138000012345"
    slots, messages = run(
        ValidateModifyAddressForm(),
        make_tracker(
            signed_in(order, requested_slot="new_address"),
            text=said,
            new_slots={"new_address": said},
            form="modify_address_form",
        ),
        domain,
    )
    assert slots["new_address"] is None and slots["requested_slot"] == "new_address"
    assert "11 位" in texts(messages)


def test_urging_twice_tells_the_warehouse_once(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT}, lambda o: not o.service_records)
    first = run(ActionUrgeShipment(), make_tracker(signed_in(order)))[1]
    second = run(ActionUrgeShipment(), make_tracker(signed_in(order)))[1]
    with session_scope(store_url) as session:
        urges = count(
            session,
            ServiceRecord,
            ServiceRecord.order_id == order.id,
            ServiceRecord.kind == ServiceRecordKind.URGE_SHIPMENT,
        )
    assert urges == 1
    assert "仓库" in texts(first) and "已经帮您催过" in texts(second)


def test_order_number_alone_gets_an_overview(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT})
        paid = f"{order.paid_amount_fen / 100:.2f}"
    _slots, messages = run(ActionOrderOverview(), make_tracker(signed_in(order)))
    assert order.order_no in texts(messages) and "待发货" in texts(messages)
    assert paid in texts(messages)


def test_database_down_gets_a_polite_reply(
    monkeypatch: pytest.MonkeyPatch, domain: dict[str, Any]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DB)
    slots = {"customer_id": "1", "order_id": "226062877521411176"}
    try:
        for action in (ActionTrackOrder(), ActionCancelOrder(), ActionAskCancelConfirmed()):
            _slots, messages = run(action, make_tracker(slots))
            assert [m["response"] for m in messages] == ["utter_service_unavailable"]
        form_slots, messages = run(
            ValidateTrackOrderForm(),
            make_tracker(slots, new_slots={"order_id": slots["order_id"]}, form="track_order_form"),
            domain,
        )
        assert [m["response"] for m in messages] == ["utter_service_unavailable"]
        assert form_slots == {"requested_slot": None}
    finally:
        dispose_engines()
