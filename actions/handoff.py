"""Handing the chat to a person, and the satisfaction rating after the person is done.

``action_handoff`` opens (or finds) the customer's handoff case with a summary built from the
bot's own state, tells the customer their place in the queue (or, after hours, when we will call
back) and pauses the conversation: the bot stays silent until an agent resolves the case in the
console, which resumes the chat and runs ``action_ask_satisfaction``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    EventType,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.common import (
    customer_id_of,
    database_guard,
    entity_values,
    latest_text,
    verified_orders_of,
)
from actions.order_form import ORDER_ID, resolve_order
from bot.db.enums import ServiceRecordKind
from bot.db.models import Order, ServiceRecord
from bot.db.models_handoff import ACTIVE
from bot.db.session import session_scope
from bot.handoff.cases import (
    active_case_for_sender,
    callback_by,
    expected_wait_minutes,
    in_service_hours,
    open_case,
    queue_position,
    record_rating,
)
from bot.handoff.escalation import (
    ANGER_PRIORITY,
    REQUESTED_HUMAN,
    WEIGHTS,
    Decision,
    Reason,
    assess,
)
from bot.handoff.summary import CustomerFacts, build_summary, facts_from_overview
from bot.services.clock import store_now
from bot.services.customers.directory import mask_phone
from bot.services.customers.identity import get_customer
from bot.services.orders.lookup import Purpose, candidate_orders
from bot.services.orders.tracking import overview
from bot.timeutil import beijing_now

logger = logging.getLogger(__name__)

HANDOFF_CASE_ID = "handoff_case_id"
RATING = "rating"
MAX_ORDERS = 3

DESK_UNREACHABLE = (
    "非常抱歉，人工客服系统暂时连接不上 🙏 麻烦您过几分钟再说一次「转人工」；"
    "在这之前，您也可以把问题和订单号告诉小优，我先帮您查起来。"
)
ALREADY_SERVED = "您的对话已经由人工客服接待中，有什么问题直接发在这里，客服会马上回复您。"


# --- what the customer reads (pure) ------------------------------------------------------------


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


_DIGIT = re.compile(r"(?<!\d)([1-5])(?!\d)\s*(?:分|星|颗星)?")
_CHINESE = re.compile(r"([一二三四五两])\s*(?:分|星|颗星)")
_CHINESE_VALUES = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}


def rating_in(text: str) -> int | None:
    """A 1-5 rating in the customer's words: "5", "4分", "五星", "满分"; None if there is none."""
    if "满分" in text:
        return 5
    match = _CHINESE.search(text)
    if match:
        return _CHINESE_VALUES[match.group(1)]
    match = _DIGIT.search(text)
    return int(match.group(1)) if match else None


def rating_reply(rating: int | None, stored: bool) -> str:
    if rating is None:
        return "不好意思，小优没看清您的评分，麻烦回复 1-5 的数字就可以（5 分最满意）～"
    if not stored:
        return "感谢您的反馈！还有什么需要帮忙的，随时告诉小优～"
    if rating >= 4:
        return f"感谢您的 {rating} 分好评！能帮到您我们很开心，还有什么需要随时找小优～"
    if rating == 3:
        return f"感谢您的评价（{rating} 分），我们会继续改进服务。还有什么需要帮忙的吗？"
    return (
        f"真不好意思这次没能让您满意，您的 {rating} 分评价我们已经记下，会反馈给客服主管改进。"
        "还有什么需要帮忙的，随时告诉小优。"
    )


# --- gathering the facts for the agent ---------------------------------------------------------


def mentioned_order_numbers(tracker: Tracker) -> list[str]:
    """Order numbers the conversation named, newest first (not yet checked for ownership)."""
    found: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == ORDER_ID and event.get("value"):
            found.append(str(event["value"]))
        if event.get("event") == "user":
            entities = (event.get("parse_data") or {}).get("entities") or []
            found += [str(e["value"]) for e in entities if e.get("entity") == ORDER_ID]
    current = tracker.get_slot(ORDER_ID)
    ordered = ([str(current)] if current else []) + found + verified_orders_of(tracker)
    return list(dict.fromkeys(ordered))


def visible_orders(session: Session, tracker: Tracker) -> list[Order]:
    """The orders the person chatting may see: named and verified, else a customer's latest."""
    orders = [
        order
        for number in mentioned_order_numbers(tracker)
        if (order := resolve_order(session, tracker, number)) is not None
    ][:MAX_ORDERS]
    customer_id = customer_id_of(tracker)
    if not orders and customer_id is not None:
        orders = candidate_orders(session, customer_id, Purpose.ANY, limit=MAX_ORDERS)
    return orders


def customer_facts(session: Session, tracker: Tracker) -> CustomerFacts | None:
    customer = get_customer(session, customer_id_of(tracker))
    if customer is None:
        return None
    return CustomerFacts(
        customer.id, customer.name, customer.level.value, mask_phone(customer.phone)
    )


def decision_for(tracker: Tracker) -> Decision:
    """Why we hand over: the escalation rules again, or the customer's request for a person."""
    decision = assess(tracker.events, latest_text=latest_text(tracker))
    if decision.handoff:
        return decision
    # Reached by a rule (the customer asked for a person) even if the rules saw no reason.
    reason = Reason(REQUESTED_HUMAN, "客户要求人工服务", WEIGHTS[REQUESTED_HUMAN])
    return Decision(True, reason.weight, 1, [reason])


def _record(
    session: Session,
    case_id: int,
    decision: Decision,
    orders: list[Order],
    tracker: Tracker,
    now: datetime,
) -> None:
    """The desk's own log of the hand-over, next to its other service records."""
    details = "；".join(r.detail for r in decision.reasons)
    session.add(
        ServiceRecord(
            order_id=orders[0].id if orders else None,
            customer_id=customer_id_of(tracker),
            kind=ServiceRecordKind.HANDOFF,
            text=f"转人工（工单 #{case_id}，优先级 {decision.priority}）：{details}"[:2000],
            operator="bot",
            created_at=now,
        )
    )


# --- actions -----------------------------------------------------------------------------------


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        decision = decision_for(tracker)
        try:
            with session_scope() as session:
                now = store_now(session)
                case = active_case_for_sender(session, tracker.sender_id)
                served = case is not None and case.status == ACTIVE
                if case is None:
                    orders = visible_orders(session, tracker)
                    summary = build_summary(
                        tracker.events,
                        tracker.current_slot_values(),
                        customer_facts(session, tracker),
                        [facts_from_overview(overview(session, o, now)) for o in orders],
                    )
                    case = open_case(
                        session,
                        sender_id=tracker.sender_id,
                        customer_id=customer_id_of(tracker),
                        decision=decision,
                        summary=summary,
                        # The queue runs on the wall clock: waiting times are about the people
                        # on duty now. Service hours and order facts follow the store clock.
                        now=beijing_now(),
                        service_time=now,
                    )
                    _record(session, case.id, decision, orders, tracker, now)
                position = queue_position(session, case)
                case_id = case.id
        except SQLAlchemyError:
            logger.exception("handoff: the case database is unavailable")
            dispatcher.utter_message(text=DESK_UNREACHABLE)
            return []
        if served:
            text = ALREADY_SERVED
        else:
            text = handoff_reply(
                position=position,
                wait_minutes=expected_wait_minutes(position),
                apologise=decision.priority >= ANGER_PRIORITY,
                after_hours_until=None if in_service_hours(now) else callback_by(now),
            )
        dispatcher.utter_message(text=text)
        events: list[EventType] = [SlotSet(HANDOFF_CASE_ID, str(case_id))]
        if tracker.active_loop.get("name"):
            # The agent takes over whatever the form was doing; the bot must not resume it.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        # Last, so the tracker reads: action_handoff, then the pause.
        events.append(ConversationPaused())
        return events


class ActionAskSatisfaction(Action):
    """Run by the console right after an agent resolved the case and the bot is back."""

    def name(self) -> str:
        return "action_ask_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        labels = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
        buttons = [
            {"title": f"{score} 分 {label}", "payload": f'/rate{{"rating":"{score}"}}'}
            for score, label in labels.items()
        ]
        dispatcher.utter_message(
            text=(
                "本次人工服务已经结束啦，小优回来继续为您服务～ "
                "麻烦您为刚才的人工服务打个分：1-5 分，5 分最满意，点下面的按钮就可以。"
            ),
            buttons=buttons,
        )
        # The console runs this through `agent.execute_action`, after which Rasa predicts
        # nothing more; listening here (as action_session_start does) makes the customer's
        # answer an ordinary turn, so the `rate` rule and the escalation policy see it.
        return [ActionExecuted("action_listen")]


class ActionStoreRating(Action):
    def name(self) -> str:
        return "action_store_rating"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        candidates = [*entity_values(tracker, RATING), str(tracker.get_slot(RATING) or ""), text]
        rating = next((r for r in map(rating_in, candidates) if r is not None), None)
        stored = False
        if rating is not None:
            with session_scope() as session:
                comment = text if text and not text.startswith("/") else None
                stored = record_rating(
                    session, tracker.sender_id, rating, store_now(session), comment
                )
        dispatcher.utter_message(text=rating_reply(rating, stored))
        return [SlotSet(RATING, None)] if RATING in (domain.get("slots") or {}) else []
