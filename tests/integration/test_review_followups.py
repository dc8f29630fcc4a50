"""After-sale review, follow-ups, notices and ratings as services over a seeded store copy."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import AfterSaleStatus
from bot.db.models import Order
from bot.db.models_followup import CustomerNotice, FollowUp, SatisfactionSurvey, TicketEvent
from bot.db.session import session_scope
from bot.services.aftersales.review import (
    ReviewError,
    approve,
    awaiting_tracking,
    ensure_review_follow_ups,
    receive_return,
    record_return_tracking,
    reject,
    return_tracking_in,
    ticket_by_no,
)
from bot.services.followups.promises import (
    AlreadyClosed,
    CloseError,
    close_follow_up,
    open_follow_ups,
)
from bot.services.followups.satisfaction import may_ask, record_ask, store_rating
from bot.services.notices.proactive import notify_late_shipment, notify_logistics_exception
from bot.services.notices.store import claim_delivery, pending_for
from bot.services.orders.tracking import track, urge_shipment

STORE_NOW = datetime(2026, 11, 20, 10, 0)
WALL = datetime(2026, 12, 1, 15, 0)
REFUND_ONLY = "AS20261118000003"  # 张伟, 仅退款 · 待审核 (未收到货)
QUALITY_RETURN = "AS20261120000005"  # 赵磊, 退货退款 · 待审核 (质量问题)
STUCK_ORDER = "926111453460400021"  # 王晓明, 运输中, 4.2 days without an update
LATE_ORDER = "726111784358814210"  # 王晓明, 待发货 70 h after payment (promised 48 h)


def order(session: Session, order_no: str) -> Order:
    return session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()


def notices_of(session: Session, customer_id: int) -> list[CustomerNotice]:
    query = select(CustomerNotice).where(CustomerNotice.customer_id == customer_id)
    return list(session.execute(query.order_by(CustomerNotice.id)).scalars())


def events_of(session: Session, ticket_no: str) -> list[str]:
    ticket = ticket_by_no(session, ticket_no)
    assert ticket is not None
    query = select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
    return list(session.execute(query.order_by(TicketEvent.id)).scalars())


def test_a_return_goes_from_review_to_refund_and_the_customer_hears_each_step(
    store_url: str,
) -> None:
    with session_scope(store_url) as session:
        ensure_review_follow_ups(session, STORE_NOW)
        step = approve(session, QUALITY_RETURN, actor="agent01", note="照片清楚", now=WALL)
        assert step.status is AfterSaleStatus.AWAITING_RETURN
        assert "退货单号" in step.customer_text and "照片清楚" in step.customer_text
        ticket = ticket_by_no(session, QUALITY_RETURN)
        assert ticket is not None
        customer_id = int(ticket.order.customer_id)
        # The review promise is kept by the review itself: closed, no second message.
        review = [f for f in open_follow_ups(session) if f.ticket_id == ticket.id]
        assert review == []
        assert [n.kind for n in notices_of(session, customer_id)] == ["review"]

        assert awaiting_tracking(session, customer_id=customer_id) == [ticket]
        shipped = record_return_tracking(session, ticket, "sf1234567890", STORE_NOW)
        assert "SF1234567890" in shipped.customer_text
        assert awaiting_tracking(session, customer_id=customer_id) == []

        received = receive_return(session, QUALITY_RETURN, now=WALL)
        assert received.status is AfterSaleStatus.REFUNDED
        assert "退款" in received.customer_text
        last = notices_of(session, customer_id)[-1]
        assert last.kind == "after_sale" and last.ask_rating
        assert events_of(session, QUALITY_RETURN) == [
            "approved",
            "return_shipped",
            "return_received",
            "refunded",
        ]
        with pytest.raises(ReviewError):
            receive_return(session, QUALITY_RETURN, now=WALL)


def test_a_refund_only_request_is_refunded_on_approval_and_asks_for_a_rating(
    store_url: str,
) -> None:
    with session_scope(store_url) as session:
        step = approve(session, REFUND_ONLY, actor="agent01", note="", now=WALL)
        assert step.status is AfterSaleStatus.REFUNDED
        assert "已为您办理退款" in step.customer_text
        ticket = ticket_by_no(session, REFUND_ONLY)
        assert ticket is not None
        notice = notices_of(session, int(ticket.order.customer_id))[-1]
        assert notice.ask_rating
        assert events_of(session, REFUND_ONLY) == ["approved", "refunded"]


def test_a_rejection_needs_a_reason_and_a_ticket_is_decided_once(store_url: str) -> None:
    with session_scope(store_url) as session:
        with pytest.raises(ReviewError):
            reject(session, REFUND_ONLY, actor="agent02", reason="  ", now=WALL)
        step = reject(session, REFUND_ONLY, actor="agent02", reason="物流显示本人已签收", now=WALL)
        assert step.status is AfterSaleStatus.REJECTED
        assert "物流显示本人已签收" in step.customer_text and "转人工" in step.customer_text
        with pytest.raises(ReviewError):
            approve(session, REFUND_ONLY, actor="agent01", note="", now=WALL)
        with pytest.raises(LookupError):
            approve(session, "AS20990101999999", actor="agent01", note="", now=WALL)


def test_return_tracking_numbers_are_read_from_the_customers_words() -> None:
    assert return_tracking_in("退货单号 SF1234567890") == "SF1234567890"
    assert return_tracking_in("寄回了 yt302918475561 麻烦查收") == "YT302918475561"
    assert return_tracking_in("单号是 773920184465") == "773920184465"
    # An order number or a phone number is not a parcel.
    assert return_tracking_in("订单 926111453460400021") is None
    assert return_tracking_in("电话 13812341234") is None


def test_a_stuck_parcel_inquiry_is_promised_once_and_closing_it_tells_the_customer(
    store_url: str,
) -> None:
    with session_scope(store_url) as session:
        stuck = order(session, STUCK_ORDER)
        first = track(session, stuck, STORE_NOW)
        track(session, stuck, STORE_NOW + timedelta(hours=1))
        promises = [f for f in open_follow_ups(session) if f.order_id == stuck.id]
        assert [(f.kind, f.due_at) for f in promises] == [("logistics", first.follow_up_by)]
        with pytest.raises(CloseError):
            close_follow_up(session, promises[0].id, outcome=" ", closed_by="agent01", now=WALL)
        close_follow_up(
            session,
            promises[0].id,
            outcome="快递已找到包裹，明天送达",
            closed_by="agent01",
            now=WALL,
        )
        with pytest.raises(AlreadyClosed):
            close_follow_up(session, promises[0].id, outcome="再说一次", closed_by="x", now=WALL)
        notice = notices_of(session, int(stuck.customer_id))[-1]
        assert notice.kind == "follow_up"
        assert STUCK_ORDER in notice.text and "明天送达" in notice.text


def test_a_late_order_urged_is_a_shipment_promise(store_url: str) -> None:
    with session_scope(store_url) as session:
        late = order(session, LATE_ORDER)
        result = urge_shipment(session, late, STORE_NOW)
        assert result.follow_up_by is not None
        kinds = [f.kind for f in open_follow_ups(session) if f.order_id == late.id]
        assert kinds == ["shipment"]


def test_proactive_notices_wait_for_the_customer_and_are_delivered_once(store_url: str) -> None:
    with session_scope(store_url) as session:
        stuck = order(session, STUCK_ORDER)
        told = notify_logistics_exception(
            session, STUCK_ORDER, "包裹在杭州转运中心滞留", now=STORE_NOW
        )
        notify_late_shipment(session, LATE_ORDER, "仓库缺货，预计晚一天发出", now=STORE_NOW)
        assert "主动" in told.customer_text and "杭州转运中心" in told.customer_text
        waiting = pending_for(session, sender_id="any-new-chat", customer_id=stuck.customer_id)
        assert [n.kind for n in waiting] == ["logistics", "shipment"]
        # Someone else's conversation sees none of it.
        assert pending_for(session, sender_id="stranger", customer_id=None) == []
        assert claim_delivery(session, waiting[0].id, "socketio", WALL)
        assert not claim_delivery(session, waiting[0].id, "session_start", WALL)
        kinds = {f.kind for f in open_follow_ups(session) if f.order_id == stuck.id}
        assert kinds == {"logistics"}
        with pytest.raises(LookupError):
            notify_logistics_exception(session, "000000000000000000", "x", now=STORE_NOW)


def test_a_rating_is_asked_once_a_day_and_a_low_one_reaches_a_supervisor(
    store_url: str,
) -> None:
    with session_scope(store_url) as session:
        customer_id = order(session, STUCK_ORDER).customer_id
        assert may_ask(session, sender_id="chat-1", customer_id=customer_id, now=WALL)
        record_ask(
            session, subject="conversation", sender_id="chat-1", customer_id=customer_id, now=WALL
        )
        # Not again that day, not even in another conversation of the same customer.
        later = WALL + timedelta(hours=5)
        assert not may_ask(session, sender_id="chat-2", customer_id=customer_id, now=later)
        assert may_ask(
            session,
            sender_id="chat-2",
            customer_id=customer_id,
            now=WALL + timedelta(days=1, minutes=1),
        )

        stored = store_rating(
            session,
            sender_id="chat-1",
            customer_id=customer_id,
            rating=2,
            comment="回答太慢",
            now=later,
            store_time=STORE_NOW,
        )
        assert stored.stored and stored.follow_up_id is not None
        survey = session.execute(
            select(SatisfactionSurvey).where(SatisfactionSurvey.sender_id == "chat-1")
        ).scalar_one()
        assert (survey.rating, survey.comment) == (2, "回答太慢")
        follow_up = session.get(FollowUp, stored.follow_up_id)
        assert follow_up is not None
        assert (follow_up.kind, follow_up.owner) == ("low_rating", "supervisor")
        # Answered: a second rating in that chat has no question to answer.
        again = store_rating(
            session,
            sender_id="chat-1",
            customer_id=customer_id,
            rating=5,
            comment=None,
            now=later,
            store_time=STORE_NOW,
        )
        assert not again.stored


def test_the_demo_commands_play_the_warehouse_and_the_carrier(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    with session_scope(store_url) as session:
        approve(session, QUALITY_RETURN, actor="agent01", note="", now=WALL)
    assert main(["receive-return", QUALITY_RETURN, "--database-url", store_url]) == 0
    assert "已退款" in capsys.readouterr().out
    assert main(["receive-return", QUALITY_RETURN, "--database-url", store_url]) == 1
    assert main(["receive-return", "AS20990101999999", "--database-url", store_url]) == 1
    args = ["notify", "logistics", STUCK_ORDER, "包裹在转运中心滞留", "--database-url", store_url]
    assert main(args) == 0
    assert "主动跟您同步" in capsys.readouterr().out
    assert main(["notify", "shipment", "000000000000000000", "x", "--database-url", store_url]) == 1
    with session_scope(store_url) as session:
        ticket = ticket_by_no(session, QUALITY_RETURN)
        assert ticket is not None and ticket.status is AfterSaleStatus.REFUNDED


def test_an_after_hours_hand_over_is_a_call_back_promise_for_the_morning(store_url: str) -> None:
    from bot.handoff.escalation import Decision, Reason
    from bot.handoff.hand_over import hand_over

    night = datetime(2026, 11, 20, 23, 30)
    decision = Decision(True, 1.0, 1, [Reason("requested_human", "客户要求转人工", 1.0)])
    with session_scope(store_url) as session:
        stuck = order(session, STUCK_ORDER)
        result = hand_over(
            session,
            sender_id="night-chat",
            customer_id=stuck.customer_id,
            decision=decision,
            events=[],
            slots={},
            orders=[stuck],
            now=night,
            queued_at=WALL,
        )
        again = hand_over(
            session,
            sender_id="night-chat",
            customer_id=stuck.customer_id,
            decision=decision,
            events=[],
            slots={},
            orders=[stuck],
            now=night,
            queued_at=WALL,
        )
        assert again.case_id == result.case_id
        callbacks = [f for f in open_follow_ups(session) if f.kind == "callback"]
        assert [(f.handoff_case_id, f.due_at) for f in callbacks] == [
            (result.case_id, result.callback_by)
        ]
        assert callbacks[0].sender_id == "night-chat"
