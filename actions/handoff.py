"""Handing the chat to a person, and the satisfaction rating after the person is done.

``action_handoff`` hands the chat over through :func:`bot.handoff.hand_over.hand_over` (case,
summary, desk record), tells the customer what happens next and pauses the conversation: the
bot stays silent until an agent resolves the case in the console, which resumes the chat and
runs ``action_ask_satisfaction``.
"""

from __future__ import annotations

import logging
import re
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
from actions.records import COMPLAINT_INTENT, file_complaint, latest_intent
from bot.db.models import Order
from bot.db.session import session_scope
from bot.handoff.escalation import handoff_decision
from bot.handoff.hand_over import hand_over
from bot.services.clock import store_now
from bot.services.followups.satisfaction import store_rating
from bot.services.orders.lookup import Purpose, candidate_orders
from bot.services.records.replies import complaint_handoff_note
from bot.timeutil import beijing_now

logger = logging.getLogger(__name__)

HANDOFF_CASE_ID = "handoff_case_id"
RATING = "rating"
MAX_ORDERS = 3

DESK_UNREACHABLE = (
    "非常抱歉，人工客服系统暂时连接不上 🙏 麻烦您过几分钟再说一次「转人工」；"
    "在这之前，您也可以把问题和订单号告诉小优，我先帮您查起来。"
)


# --- what the customer reads about the rating (pure) -------------------------------------------


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


# --- which orders the agent may see ------------------------------------------------------------


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


# --- actions -----------------------------------------------------------------------------------


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        decision = handoff_decision(tracker.events, latest_text=latest_text(tracker))
        complaint_no: str | None = None
        try:
            with session_scope() as session:
                if latest_intent(tracker) == COMPLAINT_INTENT:
                    # The complaint that made the customer ask for a person is kept too (once).
                    complaint, _ = file_complaint(session, tracker, store_now(session))
                    complaint_no = str(complaint.reference_no)
                result = hand_over(
                    session,
                    sender_id=tracker.sender_id,
                    customer_id=customer_id_of(tracker),
                    decision=decision,
                    events=tracker.events,
                    slots=tracker.current_slot_values(),
                    orders=visible_orders(session, tracker),
                    now=store_now(session),
                    queued_at=beijing_now(),
                )
        except SQLAlchemyError:
            logger.exception("handoff: the case database is unavailable")
            dispatcher.utter_message(text=DESK_UNREACHABLE)
            return []
        note = f"\n{complaint_handoff_note(complaint_no)}" if complaint_no else ""
        dispatcher.utter_message(text=result.text + note)
        events: list[EventType] = [SlotSet(HANDOFF_CASE_ID, str(result.case_id))]
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
                # A human case's rating, or a bot survey's (bot-only chat, after-sale case);
                # 1-2 opens a supervisor's follow-up.
                stored = store_rating(
                    session,
                    sender_id=tracker.sender_id,
                    customer_id=customer_id_of(tracker),
                    rating=rating,
                    comment=comment,
                    now=beijing_now(),
                    store_time=store_now(session),
                ).stored
        dispatcher.utter_message(text=rating_reply(rating, stored))
        return [SlotSet(RATING, None)] if RATING in (domain.get("slots") or {}) else []
