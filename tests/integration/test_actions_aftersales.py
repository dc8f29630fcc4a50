"""The after-sales actions end to end: trackers in, events and replies out, on a seeded store."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.aftersales import (
    ActionAskOrderItem,
    ValidateExchangeForm,
    ValidateReturnForm,
)
from actions.aftersales_refund import (
    ActionRefundStatus,
    ActionRequestRefund,
    ValidateRefundForm,
)
from actions.aftersales_submit import ActionSubmitAfterSale
from bot.db.enums import (
    DELIVERED_STATUSES,
    IN_FLIGHT_STATUSES,
    AfterSaleStatus,
    AfterSaleType,
    Category,
    OrderStatus,
)
from bot.db.models import AfterSaleTicket, Customer, Order, OrderItem, Product, ProductVariant
from bot.db.session import dispose_engines, session_scope
from bot.services.aftersales.replies import ITEM_NOT_IN_ORDER
from bot.services.aftersales.returns import RETURN_ADDRESS
from bot.services.clock import store_now
from bot.settings import REPO_ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
DOWN = "postgresql://nobody@127.0.0.1:1/x"


@pytest.fixture
def store(seeded_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the seeded store, and DATABASE_URL pointing the actions at it."""
    target = tmp_path / "store.db"
    shutil.copy(seeded_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    dispose_engines()


def tracker(
    slots: dict[str, Any],
    *,
    text: str = "",
    intent: str = "inform",
    entities: dict[str, str] | None = None,
    candidates: dict[str, Any] | None = None,
    loop: str | None = None,
    history: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A conversation state: slots so far, the latest message, and the slots it just filled."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
    }
    events: list[dict[str, Any]] = list(history or [])
    events.append({"event": "user", "text": text, "parse_data": message})
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {**slots, **(candidates or {})},
            "latest_message": message,
            "events": events,
            "active_loop": {"name": loop} if loop else {},
        }
    )


def run(action: Action, state: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, DOMAIN))
    return events, dispatcher.messages


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def find_order(
    session: Session,
    *,
    statuses: frozenset[OrderStatus] = frozenset({OrderStatus.SIGNED, OrderStatus.COMPLETED}),
    signed_days: tuple[float, float] | None = None,
    category: Category | None = None,
    items: int = 1,
    exempt: bool = False,
    warranty: bool | None = None,
) -> Order:
    now = store_now(session)
    query = (
        select(Order)
        .join(OrderItem)
        .join(ProductVariant)
        .join(Product)
        .where(Order.status.in_(list(statuses)), ~Order.tickets.any())
        .where(Product.return_exempt.is_(exempt))
        .order_by(Order.id)
    )
    if signed_days is not None:
        query = query.where(
            Order.signed_at <= now - timedelta(days=signed_days[0]),
            Order.signed_at >= now - timedelta(days=signed_days[1]),
        )
    if category is not None:
        query = query.where(Product.category == category)
    if warranty is not None:
        query = query.where((Product.warranty_months > 0) == warranty)
    for order in session.execute(query).scalars().unique():
        if len(order.items) == items:
            return order
    raise LookupError("no seeded order fits this story")


def order_facts(url: str, **story: Any) -> tuple[str, str, list[int]]:
    """(order number, owner's customer id, item ids) of a seeded order fitting the story."""
    with session_scope(url) as session:
        order = find_order(session, **story)
        return order.order_no, str(order.customer_id), [i.id for i in order.items]


def tickets(url: str, order_no: str) -> list[AfterSaleTicket]:
    with session_scope(url) as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()
        return list(order.tickets)


def owner(customer: str, order_no: str) -> dict[str, Any]:
    return {"customer_id": customer, "order_id": order_no}


# --- validation ------------------------------------------------------------------------------


def test_one_item_size_return_needs_no_more_questions(store: str) -> None:
    order_no, customer, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    state = tracker(
        owner(customer, order_no),
        text="尺码不合适，我要退货",
        entities={"return_reason": "size"},
        candidates={"return_reason": "size"},
        loop="return_form",
    )
    events, messages = run(ValidateReturnForm(), state)
    slots = slot_values(events)
    assert slots["order_item"] == str(items[0])
    assert slots["return_reason"] == "size"
    assert slots["requested_slot"] is None  # no opened question, no photo for a size return
    assert messages == []


def test_quality_problem_is_acknowledged_before_the_photo_is_asked(store: str) -> None:
    order_no, customer, _ = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    state = tracker(
        owner(customer, order_no),
        text="衣服开线了",
        candidates={"return_reason": "quality"},
        loop="return_form",
    )
    events, messages = run(ValidateReturnForm(), state)
    assert slot_values(events)["requested_slot"] == "photo_provided"
    assert "我来帮您处理" in texts(messages) and "负责到底" in texts(messages)


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [("传好了", "inform", True), ("好的", "affirm", True), ("还没拍", "inform", False)],
)
def test_photo_answers(store: str, text: str, intent: str, value: bool) -> None:
    order_no, customer, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    slots = {
        **owner(customer, order_no),
        "order_item": str(items[0]),
        "return_reason": "quality",
        "requested_slot": "photo_provided",
    }
    events, _ = run(ValidateReturnForm(), tracker(slots, text=text, intent=intent, loop="x"))
    assert slot_values(events)["photo_provided"] is value
    assert slot_values(events)["requested_slot"] is None


def test_unclear_photo_answer_asks_again(store: str) -> None:
    order_no, customer, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    slots = {
        **owner(customer, order_no),
        "order_item": str(items[0]),
        "return_reason": "wrong_item",
        "requested_slot": "photo_provided",
    }
    events, _ = run(ValidateReturnForm(), tracker(slots, text="这是什么颜色"))
    assert "photo_provided" not in slot_values(events)
    assert slot_values(events)["requested_slot"] == "photo_provided"


def test_skincare_is_asked_if_opened_and_opened_ends_the_form(store: str) -> None:
    order_no, customer, items = order_facts(
        store, signed_days=(0.5, 6.5), category=Category.SKINCARE
    )
    base = {**owner(customer, order_no), "order_item": str(items[0])}
    events, _ = run(
        ValidateReturnForm(),
        tracker(base, text="不想要了", candidates={"return_reason": "no_reason"}),
    )
    assert slot_values(events)["requested_slot"] == "item_opened"
    asked = {**base, "return_reason": "no_reason", "requested_slot": "item_opened"}
    events, _ = run(ValidateReturnForm(), tracker(asked, text="拆开用过了"))
    assert slot_values(events)["item_opened"] is True
    assert slot_values(events)["requested_slot"] is None  # refused: the submit explains


def test_request_past_the_window_ends_the_form_at_once(store: str) -> None:
    order_no, customer, _ = order_facts(store, signed_days=(20, 60), category=Category.APPAREL)
    state = tracker(owner(customer, order_no), candidates={"return_reason": "size"})
    events, _ = run(ValidateExchangeForm(), state)
    assert slot_values(events)["requested_slot"] is None


def test_multi_item_order_offers_its_items_and_understands_a_product_name(store: str) -> None:
    with session_scope(store) as session:
        order = next(
            o
            for o in session.execute(
                select(Order).where(Order.status.in_(list(DELIVERED_STATUSES))).order_by(Order.id)
            ).scalars()
            if len(o.items) == 2
            and o.items[0].variant.product.product_type != o.items[1].variant.product.product_type
            and o.items[0].variant.product.product_type not in o.items[1].product_name
        )
        items = [(i.id, i.product_name, i.spec) for i in order.items]
        word = order.items[1].variant.product.product_type
        slots = {**owner(str(order.customer_id), order.order_no), "requested_slot": "order_item"}
    _, messages = run(ActionAskOrderItem(), tracker(slots))
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        (f"{name} {spec}".strip(), f'/inform{{"order_item":"{item_id}"}}')
        for item_id, name, spec in items
    ]
    events, _ = run(ValidateReturnForm(), tracker(slots, text=f"是那个{word}"))
    assert slot_values(events)["order_item"] == str(items[1][0])
    events, _ = run(ValidateReturnForm(), tracker(slots, text="随便看看"))
    assert "order_item" not in slot_values(events)
    assert slot_values(events)["requested_slot"] == "order_item"


def test_item_of_another_order_is_refused(store: str) -> None:
    order_no, customer, _ = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    _, _, other_items = order_facts(store, statuses=DELIVERED_STATUSES, items=2)
    state = tracker(owner(customer, order_no), candidates={"order_item": str(other_items[0])})
    events, messages = run(ValidateReturnForm(), state)
    assert slot_values(events)["order_item"] is None
    assert ITEM_NOT_IN_ORDER in texts(messages)


def exchange_case(url: str) -> tuple[dict[str, Any], str, str]:
    """Slots of a size exchange in progress, an in-stock other spec, and a missing colour."""
    with session_scope(url) as session:
        order = find_order(session, signed_days=(1, 6), category=Category.APPAREL)
        item = order.items[0]
        product = item.variant.product
        other = next(v for v in product.variants if v.stock > 0 and v.id != item.variant_id)
        slots = {
            **owner(str(order.customer_id), order.order_no),
            "order_item": str(item.id),
            "return_reason": "size",
            "requested_slot": "exchange_spec",
        }
        missing = next(
            c
            for c in ("紫色", "橙色", "绿色")
            if all(c[0] not in v.colour for v in product.variants)
        )
        return slots, other.spec, missing


def test_exchange_spec_is_checked_against_stock(store: str) -> None:
    slots, in_stock, missing = exchange_case(store)
    events, messages = run(
        ValidateExchangeForm(),
        tracker(slots, text=f"换{missing}", candidates={"exchange_spec": f"换{missing}"}),
    )
    assert slot_values(events)["exchange_spec"] is None
    assert missing in texts(messages) and "目前有货的有" in texts(messages)
    wish = f"换{in_stock.replace(' ', '')}"
    events, messages = run(
        ValidateExchangeForm(), tracker(slots, text=wish, candidates={"exchange_spec": wish})
    )
    assert slot_values(events)["exchange_spec"] == in_stock
    assert "有货" in texts(messages)


def test_exchange_wish_in_the_first_message_is_taken(store: str) -> None:
    slots, in_stock, _ = exchange_case(store)
    first = {k: v for k, v in slots.items() if k not in ("order_item", "requested_slot")}
    text = f"尺码不合适，换成{in_stock.replace(' ', '')}"
    state = tracker(first, text=text, candidates={"return_reason": "size"})
    events, messages = run(ValidateExchangeForm(), state)
    assert slot_values(events)["exchange_spec"] == in_stock
    assert slot_values(events)["requested_slot"] is None
    assert f"{in_stock} 目前有货" in texts(messages)


def test_unknown_reason_values_are_asked_again(store: str) -> None:
    order_no, customer, _ = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    state = tracker(owner(customer, order_no), candidates={"return_reason": "whatever"})
    events, messages = run(ValidateReturnForm(), state)
    assert slot_values(events)["return_reason"] is None and "原因" in texts(messages)
    state = tracker(owner(customer, order_no), candidates={"refund_reason": "size"})
    events, messages = run(ValidateRefundForm(), state)
    assert slot_values(events)["refund_reason"] is None
    assert slot_values(events)["requested_slot"] == "refund_reason"


def activation(form: str, text: str, entities: dict[str, str] | None = None) -> dict[str, Any]:
    """Rasa's layout when a form starts: the message, then the form's active_loop event."""
    message = {
        "text": text,
        "intent": {"name": "request_return"},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
    }
    return {
        "message": message,
        "events": [
            {"event": "user", "text": text, "parse_data": message},
            {"event": "active_loop", "name": form},
        ],
    }


def test_answers_of_a_stopped_form_do_not_decide_a_new_request(store: str) -> None:
    order_no, customer, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    left_over = {"order_item": str(items[0]), "return_reason": "size", "photo_provided": True}
    start = activation("return_form", "我要退货")
    events = [*start["events"]]
    events += [{"event": "slot", "name": k, "value": v} for k, v in left_over.items()]
    state = Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {**owner(customer, order_no), **left_over},
            "latest_message": start["message"],
            "events": events,
            "active_loop": {"name": "return_form"},
        }
    )
    result, _ = run(ValidateReturnForm(), state)
    slots = slot_values(result)
    assert slots["return_reason"] is None and slots["photo_provided"] is None
    assert slots["order_item"] == str(items[0])  # one-item order: found again, not remembered
    assert slots["requested_slot"] == "return_reason"
    # Named again in the message that starts the form: kept.
    start = activation("return_form", "尺码不合适", {"return_reason": "size"})
    state = Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {**owner(customer, order_no), "return_reason": "size"},
            "latest_message": start["message"],
            "events": [
                *start["events"],
                {"event": "slot", "name": "return_reason", "value": "size"},
            ],
            "active_loop": {"name": "return_form"},
        }
    )
    result, _ = run(ValidateReturnForm(), state)
    assert slot_values(result)["return_reason"] == "size"
    assert slot_values(result)["requested_slot"] is None


# --- submit ----------------------------------------------------------------------------------


def finished(loop: str) -> list[dict[str, Any]]:
    return [
        {"event": "active_loop", "name": loop},
        {"event": "active_loop", "name": None},
    ]


def test_submit_return_opens_one_ticket_and_resets_the_form(store: str) -> None:
    order_no, customer, items = order_facts(store, signed_days=(2.5, 3.5))
    slots = {**owner(customer, order_no), "order_item": str(items[0]), "return_reason": "size"}
    state = tracker(slots, history=finished("return_form"))
    events, messages = run(ActionSubmitAfterSale(), state)
    [ticket] = tickets(store, order_no)
    assert ticket.type is AfterSaleType.RETURN
    assert ticket.status is AfterSaleStatus.AWAITING_RETURN
    assert ticket.ticket_no in texts(messages) and RETURN_ADDRESS in texts(messages)
    assert slot_values(events) == {
        "order_item": None,
        "return_reason": None,
        "item_opened": None,
        "photo_provided": None,
        "exchange_spec": None,
        "last_refusal": None,
    }
    _, again = run(ActionSubmitAfterSale(), tracker(slots, history=finished("return_form")))
    assert len(tickets(store, order_no)) == 1
    assert ticket.ticket_no in texts(again) and "不用重复申请" in texts(again)


def test_submit_after_the_exchange_form_opens_an_exchange(store: str) -> None:
    slots, in_stock, _ = exchange_case(store)
    slots = {**slots, "exchange_spec": in_stock, "requested_slot": None}
    history = [*finished("refund_form"), *finished("exchange_form")]
    _, messages = run(ActionSubmitAfterSale(), tracker(slots, history=history))
    [ticket] = tickets(store, slots["order_id"])
    assert ticket.type is AfterSaleType.EXCHANGE and in_stock in ticket.description
    assert f"新的 {in_stock}" in texts(messages)


REFUSALS = [
    pytest.param(
        {"signed_days": (18, 25), "category": Category.APPAREL},
        {"return_reason": "no_reason"},
        ["7 天", "质量问题", "转人工"],
        "return_window_passed",
        id="no-reason window passed",
    ),
    pytest.param(
        {"signed_days": (20, 200), "warranty": True},
        {"return_reason": "quality", "photo_provided": True},
        ["15 天", "保修期", "转人工"],
        "quality_window_passed",
        id="faulty, past the window, under warranty",
    ),
    pytest.param(
        {"signed_days": (0.5, 6.5), "category": Category.SKINCARE},
        {"return_reason": "no_reason", "item_opened": True},
        ["拆封", "质量问题", "转人工"],
        "opened_skincare",
        id="opened skincare",
    ),
    pytest.param(
        {"exempt": True},
        {"return_reason": "size"},
        ["定制", "转人工"],
        "not_eligible",
        id="custom-made",
    ),
    pytest.param(
        {"statuses": frozenset({OrderStatus.PENDING_SHIPMENT})},
        {},
        ["还没有发货", "取消"],
        None,  # not a refusal to contest: cancelling is offered instead
        id="not shipped yet",
    ),
]


@pytest.mark.parametrize(("story", "answers", "phrases", "code"), REFUSALS)
def test_refusals_are_explained_honestly_without_a_ticket(
    store: str, story: dict[str, Any], answers: dict[str, Any], phrases: list[str], code: str | None
) -> None:
    order_no, customer, items = order_facts(store, **story)
    slots = {**owner(customer, order_no), "order_item": str(items[0]), **answers}
    events, messages = run(ActionSubmitAfterSale(), tracker(slots, history=finished("return_form")))
    assert all(p in texts(messages) for p in phrases), texts(messages)
    assert tickets(store, order_no) == []
    assert slot_values(events)["return_reason"] is None
    # The escalation policy learns of the refusal from its code, not from the wording.
    assert slot_values(events)["last_refusal"] == code


def test_submit_for_a_parcel_still_on_its_way_suggests_refusing_it(store: str) -> None:
    order_no, customer, _ = order_facts(store, statuses=IN_FLIGHT_STATUSES)
    _, messages = run(
        ActionSubmitAfterSale(), tracker(owner(customer, order_no), history=finished("return_form"))
    )
    assert "拒收" in texts(messages) and tickets(store, order_no) == []


def test_someone_elses_order_is_not_revealed_or_touched(store: str) -> None:
    order_no, customer, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    stranger = str(int(customer) % 6 + 1)
    assert stranger != customer
    slots = {**owner(stranger, order_no), "order_item": str(items[0]), "return_reason": "size"}
    _, messages = run(ActionSubmitAfterSale(), tracker(slots, history=finished("return_form")))
    assert [m["response"] for m in messages] == ["utter_order_not_found"]
    _, messages = run(ActionRefundStatus(), tracker(owner(stranger, order_no)))
    assert [m["response"] for m in messages] == ["utter_order_not_found"]
    refund = {**owner(stranger, order_no), "refund_reason": "missing_item"}
    _, messages = run(ActionRequestRefund(), tracker(refund))
    assert [m["response"] for m in messages] == ["utter_order_not_found"]
    assert tickets(store, order_no) == []


def test_anonymous_visitor_needs_a_verified_order(store: str) -> None:
    order_no, _, items = order_facts(store, signed_days=(1, 6), category=Category.APPAREL)
    slots = {"order_id": order_no, "order_item": str(items[0]), "return_reason": "no_reason"}
    _, messages = run(ActionSubmitAfterSale(), tracker(slots, history=finished("return_form")))
    assert [m["response"] for m in messages] == ["utter_order_not_found"]
    verified = {**slots, "verified_order_ids": [order_no]}
    _, messages = run(ActionSubmitAfterSale(), tracker(verified, history=finished("return_form")))
    assert tickets(store, order_no)[0].ticket_no in texts(messages)


def test_signed_in_customer_without_a_fitting_order(store: str) -> None:
    with session_scope(store) as session:
        customer = next(
            c
            for c in session.execute(select(Customer).order_by(Customer.id)).scalars()
            if not any(o.status in DELIVERED_STATUSES for o in c.orders)
        )
        customer_id = str(customer.id)
    events, _ = run(ValidateReturnForm(), tracker({"customer_id": customer_id}, loop="x"))
    assert slot_values(events).get("requested_slot") is None
    _, messages = run(
        ActionSubmitAfterSale(),
        tracker({"customer_id": customer_id}, history=finished("return_form")),
    )
    assert [m["response"] for m in messages] == ["utter_no_fitting_order"]


# --- refunds ---------------------------------------------------------------------------------


def test_refund_reason_is_read_from_the_customers_words(store: str) -> None:
    order_no, customer, _ = order_facts(store, statuses=IN_FLIGHT_STATUSES)
    state = tracker(
        owner(customer, order_no), text="快递一直没到，我要退款", intent="request_refund"
    )
    events, _ = run(ValidateRefundForm(), state)
    assert slot_values(events)["refund_reason"] == "not_received"
    assert slot_values(events)["requested_slot"] is None


def test_stuck_parcel_refund_opens_one_inquiry(store: str) -> None:
    with session_scope(store) as session:
        now = store_now(session)
        order = next(
            o
            for o in session.execute(
                select(Order).where(Order.status.in_(list(IN_FLIGHT_STATUSES))).order_by(Order.id)
            ).scalars()
            if o.shipments
            and o.shipments[-1].events
            and not o.tickets
            and now - o.shipments[-1].events[-1].occurred_at > timedelta(days=3)
        )
        slots = {**owner(str(order.customer_id), order.order_no), "refund_reason": "not_received"}
    events, messages = run(ActionRequestRefund(), tracker(slots))
    [ticket] = tickets(store, slots["order_id"])
    assert ticket.status is AfterSaleStatus.PENDING_REVIEW and ticket.ticket_no in texts(messages)
    assert "联系快递公司" in texts(messages)
    assert slot_values(events) == {"refund_reason": None, "last_refusal": None}
    _, again = run(ActionRequestRefund(), tracker(slots))
    assert len(tickets(store, slots["order_id"])) == 1 and "不用重复申请" in texts(again)


def test_refund_status_shows_the_orders_tickets(store: str) -> None:
    with session_scope(store) as session:
        ticket = (
            session.execute(
                select(AfterSaleTicket)
                .where(AfterSaleTicket.status == AfterSaleStatus.REFUNDING)
                .order_by(AfterSaleTicket.id)
            )
            .scalars()
            .first()
        )
        assert ticket is not None
        slots = owner(str(ticket.order.customer_id), ticket.order.order_no)
        ticket_no = ticket.ticket_no
    _, messages = run(ActionRefundStatus(), tracker(slots))
    assert (
        ticket_no in texts(messages) and "退款中" in texts(messages) and "到账" in texts(messages)
    )


# --- database down ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [ActionSubmitAfterSale(), ActionRequestRefund(), ActionRefundStatus(), ActionAskOrderItem()],
)
def test_database_down_gets_a_polite_reply(action: Action, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", DOWN)
    slots = {
        **owner("1", "926111453460400021"),
        "refund_reason": "not_received",
        "order_item": "1",
        "return_reason": "size",
    }
    try:
        events, messages = run(action, tracker(slots, history=finished("return_form")))
    finally:
        dispose_engines()
    assert [m["response"] for m in messages] == ["utter_service_unavailable"]
    assert events == []


def test_database_down_during_the_form_ends_it_politely(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", DOWN)
    state = tracker(
        owner("1", "926111453460400021"), candidates={"return_reason": "size"}, loop="return_form"
    )
    try:
        events, messages = run(ValidateReturnForm(), state)
    finally:
        dispose_engines()
    assert [m["response"] for m in messages] == ["utter_service_unavailable"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e.get("event"), "name": e.get("name")} for e in events
    ]
