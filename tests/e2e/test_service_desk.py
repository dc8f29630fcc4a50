"""The service desk end to end: the real Rasa server, action server and demo store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.enums import OrderStatus, ServiceRecordKind
from bot.db.models import AfterSaleTicket, LogisticsEvent, Order, ServiceRecord, Shipment
from bot.db.session import session_scope
from bot.services.clock import store_now
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model


def _text(replies: list[dict]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def _stuck_order(assistant: Assistant) -> Order:
    """An order in transit whose parcel has had no update for more than 48 hours."""
    with session_scope(assistant.database_url) as s:
        now = store_now(s)
        last = (
            select(Shipment.order_id, func.max(LogisticsEvent.occurred_at).label("last"))
            .join(LogisticsEvent)
            .group_by(Shipment.order_id)
            .subquery()
        )
        query = (
            select(Order)
            .join(last, last.c.order_id == Order.id)
            .where(Order.status == OrderStatus.IN_TRANSIT, last.c.last < now - timedelta(hours=72))
            .order_by(Order.id)
        )
        return s.execute(query).scalars().first()


def _order_in(
    assistant: Assistant, status: OrderStatus, *, not_customer: int | None = None
) -> Order:
    with session_scope(assistant.database_url) as s:
        query = select(Order).where(Order.status == status).order_by(Order.id)
        if not_customer is not None:
            query = query.where(Order.customer_id != not_customer)
        return s.execute(query).scalars().first()


def _inquiries(assistant: Assistant, order_id: int) -> int:
    with session_scope(assistant.database_url) as s:
        return int(
            s.execute(
                select(func.count(ServiceRecord.id)).where(
                    ServiceRecord.order_id == order_id,
                    ServiceRecord.kind == ServiceRecordKind.LOGISTICS_INQUIRY,
                )
            ).scalar_one()
        )


def test_stuck_parcel_gets_an_apology_and_one_inquiry_on_record(assistant: Assistant) -> None:
    order = _stuck_order(assistant)
    with session_scope(assistant.database_url) as s:
        tracking = s.get(Order, order.id).shipments[0].tracking_no
    before = _inquiries(assistant, order.id)
    first = _text(assistant.say("e2e-stuck", f"订单{order.order_no}到哪了", order.customer_id))
    second = _text(assistant.say("e2e-stuck", f"订单{order.order_no}到哪了", order.customer_id))
    assert tracking in first
    assert "没有新的物流更新" in first
    assert "登记" in second
    assert _inquiries(assistant, order.id) == before + 1


def test_someone_elses_order_is_never_shown(assistant: Assistant) -> None:
    mine = _order_in(assistant, OrderStatus.IN_TRANSIT)
    theirs = _order_in(assistant, OrderStatus.IN_TRANSIT, not_customer=mine.customer_id)
    with session_scope(assistant.database_url) as s:
        tracking = s.get(Order, theirs.id).shipments[0].tracking_no
    reply = _text(assistant.say("e2e-privacy", f"订单{theirs.order_no}到哪了", mine.customer_id))
    assert "没有在您的账户下找到" in reply
    assert tracking not in reply and theirs.ship_recipient not in reply


def test_anonymous_visitor_must_match_the_phone_tail(assistant: Assistant) -> None:
    order = _order_in(assistant, OrderStatus.IN_TRANSIT)
    assistant.say("e2e-anon", "我的快递到哪了")
    wrong = "0000" if not order.ship_phone.endswith("0000") else "1111"
    refused = _text(assistant.say("e2e-anon", f"{order.order_no} 尾号{wrong}"))
    assert "没有对上" in refused and "运输中" not in refused
    accepted = _text(assistant.say("e2e-anon", f"{order.order_no} 尾号{order.ship_phone[-4:]}"))
    assert order.order_no in accepted and "运输中" in accepted


def test_cancelling_twice_refunds_once(assistant: Assistant) -> None:
    order = _order_in(assistant, OrderStatus.PENDING_SHIPMENT)
    customer = order.customer_id
    assistant.say("e2e-cancel", f"帮我取消订单{order.order_no}", customer)
    done = _text(assistant.say("e2e-cancel", "确认取消", customer))
    assert "取消" in done
    again = _text(assistant.say("e2e-cancel", f"取消订单{order.order_no}", customer))
    assert "已经" in again
    with session_scope(assistant.database_url) as s:
        assert s.get(Order, order.id).status is OrderStatus.CANCELLED
        tickets = s.execute(
            select(func.count(AfterSaleTicket.id)).where(AfterSaleTicket.order_id == order.id)
        ).scalar_one()
    assert tickets == 1


def test_policy_question_is_answered_from_the_store_rules(assistant: Assistant) -> None:
    assert "99" in _text(assistant.say("e2e-faq", "满多少包邮啊"))
