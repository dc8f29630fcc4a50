"""Handing a chat to a person: the case, the agent's briefing, the desk record, what to say.

``action_handoff`` calls :func:`hand_over` in one transaction and only speaks the result and
pauses the conversation. Running it again for a chat already queued or served opens nothing
new (a retried action must not queue the customer twice or write a second record).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.enums import ServiceRecordKind
from bot.db.models import Order
from bot.db.models_handoff import ACTIVE, HandoffCase
from bot.formatting import mask_phone
from bot.handoff.cases import (
    active_case_for_sender,
    callback_by,
    expected_wait_minutes,
    in_service_hours,
    open_case,
    queue_position,
)
from bot.handoff.escalation import ANGER_PRIORITY, Decision
from bot.handoff.summary import CustomerFacts, build_summary, facts_from_overview
from bot.services.customers.identity import get_customer
from bot.services.followups.promises import Matter, open_follow_up
from bot.services.orders.tracking import add_record, overview

RECORD_CHARS = 2000
ALREADY_SERVED = "您的对话已经由人工客服接待中，有什么问题直接发在这里，客服会马上回复您。"


@dataclass(frozen=True)
class HandOver:
    """What became of the hand-over, and so what the customer is told."""

    case_id: int
    # An agent is already chatting with the customer: nothing to wait for.
    already_served: bool
    position: int  # 1-based place in the queue
    wait_minutes: int
    # An angry customer (or one with a legal threat or harm) hears an apology first.
    apologise: bool
    # Outside service hours: when a person will have called back.
    callback_by: datetime | None

    @property
    def text(self) -> str:
        if self.already_served:
            return ALREADY_SERVED
        return handoff_reply(
            position=self.position,
            wait_minutes=self.wait_minutes,
            apologise=self.apologise,
            after_hours_until=self.callback_by,
        )


def handoff_reply(
    *, position: int, wait_minutes: int, apologise: bool, after_hours_until: datetime | None
) -> str:
    """The hand-over message: a person takes over, and when."""
    sorry = "真不好意思给您带来了不好的体验，" if apologise else ""
    if after_hours_until is not None:
        return (
            f"{sorry}人工客服的服务时间是每天 9:00-22:00，现在客服已经下班了，"
            "您可以直接在这里留言，把问题和订单号告诉我们。"
            f"我们已经为您登记，客服会在 {after_hours_until:%m月%d日 %H:%M} 前联系您处理，"
            "请保持手机畅通。"
        )
    return (
        f"{sorry}这就为您转接人工客服，接下来由真人客服为您服务 🙏\n"
        f"您目前排在第 {position} 位，预计等待约 {wait_minutes} 分钟。"
        "等待期间可以先把问题和订单号发过来，客服接入后马上就能看到。"
    )


def customer_facts(session: Session, customer_id: int | None) -> CustomerFacts | None:
    customer = get_customer(session, customer_id)
    if customer is None:
        return None
    return CustomerFacts(
        customer.id, customer.name, customer.level.value, mask_phone(customer.phone)
    )


def promise_callback(session: Session, case: HandoffCase, due_at: datetime, now: datetime) -> None:
    """After hours the customer is promised a call-back: a follow-up the morning desk owns."""
    open_follow_up(
        session,
        kind="callback",
        promise=f"下班后转人工（会话 #{case.id}），{due_at:%m月%d日 %H:%M} 前联系客户",
        due_at=due_at,
        now=now,
        matter=Matter(
            customer_id=case.customer_id, sender_id=case.sender_id, handoff_case_id=case.id
        ),
    )


def hand_over(
    session: Session,
    *,
    sender_id: str,
    customer_id: int | None,
    decision: Decision,
    events: Sequence[Mapping[str, Any]],
    slots: Mapping[str, Any],
    orders: Sequence[Order],
    now: datetime,
    queued_at: datetime,
) -> HandOver:
    """Queue the chat for a person (or find it queued) and say what happens next.

    ``orders`` are the orders the person chatting may see (ownership already checked); the
    agent's summary shows them. ``now`` is the store's clock: it decides service hours, order
    facts and the desk record. ``queued_at`` is the wall clock: waiting times are about the
    people on duty now. (They differ in the demo, whose store clock stands still.)
    """
    case = active_case_for_sender(session, sender_id)
    served = case is not None and case.status == ACTIVE
    if case is None:
        summary = build_summary(
            events,
            slots,
            customer_facts(session, customer_id),
            [facts_from_overview(overview(session, order, now)) for order in orders],
        )
        case = open_case(
            session,
            sender_id=sender_id,
            customer_id=customer_id,
            decision=decision,
            summary=summary,
            now=queued_at,
            service_time=now,
        )
        details = "；".join(r.detail for r in decision.reasons)
        text = f"转人工（工单 #{case.id}，优先级 {decision.priority}）：{details}"
        add_record(
            session,
            orders[0] if orders else None,
            ServiceRecordKind.HANDOFF,
            text[:RECORD_CHARS],
            now,
            customer_id=customer_id,
        )
        if not in_service_hours(now):
            promise_callback(session, case, callback_by(now), now)
    position = queue_position(session, case)
    return HandOver(
        case_id=int(case.id),
        already_served=served,
        position=position,
        wait_minutes=expected_wait_minutes(position),
        apologise=decision.priority >= ANGER_PRIORITY,
        callback_by=None if in_service_hours(now) else callback_by(now),
    )
