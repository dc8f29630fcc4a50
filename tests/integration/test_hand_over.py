"""The hand_over service on a real store: the case, the agent's briefing, the desk record."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db.enums import ServiceRecordKind
from bot.db.models import Order, ServiceRecord
from bot.db.session import dispose_engines, session_scope
from bot.handoff import cases
from bot.handoff.agents import agent_by_username
from bot.handoff.escalation import Decision, Reason, requested_human_reason
from bot.handoff.hand_over import ALREADY_SERVED, hand_over

DAY = datetime(2026, 11, 20, 10, 0)
NIGHT = datetime(2026, 11, 20, 23, 30)
HARM = Decision(True, 3.0, 3, [Reason("safety_harm", "反映健康或安全问题「起泡」", 3.0)])
ASKED = Decision(True, 1.0, 1, [requested_human_reason()])
EVENTS = [
    {"event": "session_started"},
    {"event": "user", "text": "孩子用了你们的奶瓶", "parse_data": {"intent": {"name": "inform"}}},
    {"event": "user", "text": "嘴里起泡了！！", "parse_data": {"intent": {"name": "complaint"}}},
]


@pytest.fixture
def session(seeded_url: str, tmp_path: Path) -> Iterator[Session]:
    target = tmp_path / "store.db"
    shutil.copyfile(str(make_url(seeded_url).database), target)
    with session_scope(f"sqlite:///{target}") as opened:
        yield opened
    dispose_engines()


def handoff_records(session: Session) -> list[ServiceRecord]:
    query = select(ServiceRecord).where(ServiceRecord.kind == ServiceRecordKind.HANDOFF)
    return [r for r in session.execute(query).scalars() if r.text.startswith("转人工（工单")]


def test_a_customer_is_queued_with_a_briefing_and_a_desk_record(session: Session) -> None:
    order = session.execute(select(Order).order_by(Order.id)).scalars().first()
    assert order is not None
    result = hand_over(
        session,
        sender_id="chat-1",
        customer_id=order.customer_id,
        decision=HARM,
        events=EVENTS,
        slots={"last_refusal": None, "order_id": order.order_no},
        orders=[order],
        now=DAY,
        queued_at=DAY,
    )
    assert (result.position, result.wait_minutes, result.callback_by) == (1, 3, None)
    assert result.apologise and not result.already_served
    assert "真人客服" in result.text and "第 1 位" in result.text
    case = cases.case_by_id(session, result.case_id)
    assert case is not None and case.priority == 3
    assert case.summary["customer"]["name"] == order.customer.name
    assert [o["order_no"] for o in case.summary["orders"]] == [order.order_no]
    [record] = handoff_records(session)
    assert f"#{case.id}" in record.text and "起泡" in record.text
    assert (record.order_id, record.customer_id, record.operator) == (
        order.id,
        order.customer_id,
        "bot",
    )


def test_an_anonymous_chat_without_an_order_is_recorded_too(session: Session) -> None:
    result = hand_over(
        session,
        sender_id="visitor",
        customer_id=None,
        decision=ASKED,
        events=EVENTS,
        slots={},
        orders=[],
        now=DAY,
        queued_at=DAY,
    )
    assert not result.apologise and "真不好意思" not in result.text
    [record] = handoff_records(session)
    assert (record.order_id, record.customer_id) == (None, None)
    assert "客户要求人工服务" in record.text


def test_after_hours_a_call_back_is_promised(session: Session) -> None:
    result = hand_over(
        session,
        sender_id="night-owl",
        customer_id=None,
        decision=ASKED,
        events=EVENTS,
        slots={},
        orders=[],
        now=NIGHT,
        queued_at=NIGHT,
    )
    assert result.callback_by == datetime(2026, 11, 21, 11, 0)
    assert "9:00-22:00" in result.text and "11月21日 11:00" in result.text


def test_handing_over_again_opens_nothing_new(session: Session) -> None:
    kwargs = {"customer_id": None, "events": EVENTS, "slots": {}, "orders": []}
    first = hand_over(session, sender_id="again", decision=ASKED, now=DAY, queued_at=DAY, **kwargs)
    agent = agent_by_username(session, "agent01")
    assert agent is not None and cases.claim(session, first.case_id, agent.id, DAY)
    served = hand_over(session, sender_id="again", decision=HARM, now=DAY, queued_at=DAY, **kwargs)
    assert served.case_id == first.case_id and served.already_served
    assert served.text == ALREADY_SERVED
    assert len(handoff_records(session)) == 1
