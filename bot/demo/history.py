"""Sixty days of service history before the demo's reference time, so the reports have data.

Conversations go into Rasa's tracker-store table ``events`` (as Rasa writes them: session start,
the customer's message with its intent, the bot's actions and replies), and what the desk kept
goes into our tables: resolved handoff cases with their audit trail (claim, first reply,
resolution, rating), complaints with their category, suggestions and the bot's own satisfaction
surveys. Nothing is pre-aggregated: the report computes everything from these rows.

Deterministic (its own ``random.Random``, times relative to the reference), and replaceable: the
history's conversations carry the ``demo-history-`` sender prefix and are deleted first.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.db.enums import ServiceRecordKind
from bot.db.models import ServiceRecord
from bot.db.models_followup import SatisfactionSurvey
from bot.db.models_handoff import RESOLVED, HandoffCase, HandoffEvent
from bot.handoff.summary import build_summary
from bot.reports.tracker_events import ensure_events_table, events
from bot.retrain.export import SYNTHETIC_SENDER_PREFIX
from bot.services.records.classify import complaint_category
from bot.services.records.desk import reference_prefix
from bot.services.records.replies import complaint_due
from bot.timeutil import BEIJING

HISTORY_SEED = 60
HISTORY_DAYS = 60
SENDER_PREFIX = SYNTHETIC_SENDER_PREFIX
Row = dict[str, Any]

# (intent, weight, what customers write, what the bot did). Weights follow a clothing and
# electronics shop's usual mix: parcels first, then products, after-sales and policy.
TOPICS: tuple[tuple[str, int, tuple[str, ...], str], ...] = (
    (
        "track_order",
        22,
        ("我的快递到哪了", "快递怎么还没到", "帮我查下物流", "几天能到啊"),
        "action_track_order",
    ),
    (
        "urge_shipment",
        9,
        ("怎么还不发货", "麻烦催一下发货", "下单三天了还没发"),
        "action_urge_shipment",
    ),
    (
        "ask_product",
        12,
        ("这个耳机有降噪吗", "羽绒服能机洗吗", "这款跑鞋偏大吗"),
        "action_answer_product",
    ),
    (
        "ask_recommendation",
        6,
        ("500以内的跑鞋推荐一下", "想买个空气炸锅，有推荐吗"),
        "action_recommend_products",
    ),
    ("faq", 10, ("运费怎么算", "能开发票吗", "满多少包邮"), "utter_faq"),
    ("request_return", 7, ("衣服开线了我要退货", "不喜欢想退了"), "action_submit_after_sale"),
    ("request_exchange", 5, ("鞋子小了想换大一码", "颜色不喜欢能换吗"), "action_submit_after_sale"),
    ("refund_status", 6, ("退款到哪了", "钱怎么还没退回来"), "action_refund_status"),
    ("request_refund", 3, ("没收到货，申请退款", "少发了一件要退钱"), "action_request_refund"),
    ("cancel_order", 5, ("帮我取消订单", "拍错了不要了"), "action_cancel_order"),
    ("modify_address", 4, ("我要改地址", "收货电话写错了"), "action_modify_address"),
    (
        "complaint",
        5,
        (
            "快递太慢了，一个星期还没到",
            "买的锅用了两次就坏了",
            "客服回复太慢了，态度也不好",
            "刚买就降价了，差价也不给退",
            "衣服洗一次就掉色",
            "包裹送到了驿站也不通知",
        ),
        "utter_complaint",
    ),
    (
        "suggestion",
        2,
        (
            "建议晚上也安排人工客服",
            "希望跑鞋能出个宽楦版",
            "建议包装换成纸箱",
            "尺码表最好加上身高体重对照",
        ),
        "action_record_suggestion",
    ),
    ("request_human", 5, ("转人工", "我要找人工客服"), "action_handoff"),
    (
        "nlu_fallback",
        4,
        ("那个东西呢", "我上次说的那个", "在吗在吗你们那个活动", "直播间那个链接"),
        "action_rephrase_or_offer_human",
    ),
)
# Ratings after a human case: mostly content, improving a little over the two months.
RATING_WEIGHTS_EARLY = (5, 7, 16, 34, 38)
RATING_WEIGHTS_LATE = (3, 4, 12, 33, 48)
AGENT_REPLIES = ("您好，我是客服小王，这就帮您处理", "您好，您的问题我看到了，马上为您核实")


@dataclass
class History:
    events: list[Row] = field(default_factory=list)
    cases: list[HandoffCase] = field(default_factory=list)
    records: list[Row] = field(default_factory=list)
    surveys: list[Row] = field(default_factory=list)

    def number_records(self) -> None:
        """Reference numbers in order of time within each day, as the desk hands them out."""
        numbers: dict[str, int] = {}
        for record in sorted(self.records, key=lambda r: r["created_at"]):
            prefix = reference_prefix(record["kind"], record["created_at"])
            numbers[prefix] = numbers.get(prefix, 0) + 1
            record["reference_no"] = f"{prefix}{numbers[prefix]:04d}"


def _epoch(at: datetime) -> float:
    return at.replace(tzinfo=BEIJING).timestamp()


def _event(sender: str, at: datetime, data: Row) -> Row:
    data = {**data, "timestamp": _epoch(at)}
    parse = data.get("parse_data") or {}
    return {
        "sender_id": sender,
        "type_name": data["event"],
        "timestamp": data["timestamp"],
        "intent_name": (parse.get("intent") or {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data, ensure_ascii=False),
    }


def _user(intent: str, text: str, angry: bool) -> Row:
    full = "faq/shipping_fee" if intent == "faq" else intent
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.92},
        "response_selector": {"faq": {"response": {"intent_response_key": full}}},
        "entities": [],
        "emotion": {"name": "angry" if angry else "neutral", "confidence": 0.9},
    }
    return {"event": "user", "text": text, "parse_data": parse}


def _daily_volume(day: datetime, rng: random.Random) -> int:
    volume = 34 if day.weekday() < 5 else 44
    if day.month == 11 and 11 <= day.day <= 14:  # after 双十一 the desk is busiest
        volume = int(volume * 1.8)
    return volume + rng.randint(-6, 6)


def _chat_time(day: datetime, rng: random.Random) -> datetime:
    hour = rng.choices(
        range(24), weights=[1] * 8 + [4, 8, 9, 9, 7, 8, 9, 9, 8, 7, 7, 9, 10, 9, 5, 2]
    )[0]
    return day + timedelta(hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))


def _conversation(
    history: History, rng: random.Random, sender: str, start: datetime, customer_id: int
) -> tuple[list[Row], str | None, str]:
    """Writes one chat's events; (its raw events, the handoff reason if any, first intent)."""
    names = [t[0] for t in TOPICS]
    intent = rng.choices(names, weights=[t[1] for t in TOPICS])[0]
    _, _, texts, action = TOPICS[names.index(intent)]
    text = rng.choice(texts)
    angry = intent == "complaint" and rng.random() < 0.4
    reason = {"request_human": "requested_human"}.get(intent)
    if angry:
        reason = "strong_anger"
    elif intent == "nlu_fallback" and rng.random() < 0.5:
        reason = "repeated_fallback"
    raw: list[Row] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        _user(intent, text, angry),
        {"event": "action", "name": "action_handoff" if reason else action},
        {"event": "bot", "text": "好的，小优这就为您处理～"},
    ]
    if reason:
        # Handed over, then given back to the bot when the agent resolved the case.
        raw += [{"event": "pause"}, {"event": "resume"}]
    elif rng.random() < 0.5:
        raw += [{"event": "action", "name": "action_listen"}, _user("thank", "好的谢谢", False)]
        raw += [
            {"event": "action", "name": "utter_you_are_welcome"},
            {"event": "bot", "text": "不客气～"},
        ]
    raw.append({"event": "action", "name": "action_listen"})
    at = start
    for data in raw:
        history.events.append(_event(sender, at, data))
        at += timedelta(seconds=rng.randint(2, 40))
    if intent == "complaint":
        history.records.append(
            {
                "customer_id": customer_id,
                "sender_id": sender,
                "kind": ServiceRecordKind.COMPLAINT,
                "category": complaint_category(text),
                "text": text,
                "operator": "bot",
                "created_at": start,
                "due_at": complaint_due(start),
            }
        )
    if intent == "suggestion":
        history.records.append(
            {
                "customer_id": customer_id,
                "sender_id": sender,
                "kind": ServiceRecordKind.SUGGESTION,
                "category": None,
                "text": text,
                "operator": "bot",
                "created_at": start,
                "due_at": None,
            }
        )
    return raw, reason, intent


def _case(
    history: History,
    rng: random.Random,
    sender: str,
    start: datetime,
    customer_id: int,
    raw: list[Row],
    reason: str,
    agents: Sequence[tuple[int, str]],
    late: bool,
) -> None:
    """A resolved handoff case with its audit trail: queued, claimed, answered, resolved, rated."""
    agent_id, username = rng.choice(agents)
    created = start + timedelta(seconds=30)
    claimed = created + timedelta(seconds=int(rng.lognormvariate(5.0, 0.8)))
    replied = claimed + timedelta(seconds=rng.randint(15, 150))
    resolved = replied + timedelta(minutes=rng.randint(4, 35))
    weights = RATING_WEIGHTS_LATE if late else RATING_WEIGHTS_EARLY
    rating = rng.choices(range(1, 6), weights=weights)[0] if rng.random() < 0.7 else None
    case = HandoffCase(
        sender_id=sender,
        customer_id=customer_id,
        status=RESOLVED,
        priority=2 if reason == "strong_anger" else 1,
        score=0.8,
        reasons=[{"code": reason, "detail": "演示历史", "weight": 1.0}],
        summary=build_summary(raw, {}),
        agent_id=agent_id,
        created_at=created,
        claimed_at=claimed,
        resolved_at=resolved,
        rating=rating,
        after_hours=False,
    )
    steps = [
        ("created", "bot", created),
        ("claimed", username, claimed),
        ("agent_message", username, replied),
        ("resolved", username, resolved),
    ]
    if rating is not None:
        steps.append(("rated", "customer", resolved + timedelta(minutes=1)))
    case.events = [
        HandoffEvent(
            kind=kind,
            actor=actor,
            created_at=at,
            detail=rng.choice(AGENT_REPLIES) if kind == "agent_message" else "",
        )
        for kind, actor, at in steps
    ]
    history.cases.append(case)


def build_history(
    reference: datetime, customer_ids: Sequence[int], agents: Sequence[tuple[int, str]]
) -> History:
    """Every row of the history, in memory (pure and deterministic)."""
    rng = random.Random(HISTORY_SEED)
    history = History()
    first_day = datetime.combine(reference.date(), datetime.min.time()) - timedelta(HISTORY_DAYS)
    serial = 0
    for offset in range(HISTORY_DAYS):
        day = first_day + timedelta(days=offset)
        for _ in range(_daily_volume(day, rng)):
            serial += 1
            sender = f"{SENDER_PREFIX}{serial:05d}"
            start = _chat_time(day, rng)
            customer_id = rng.choice(customer_ids)
            raw, reason, intent = _conversation(history, rng, sender, start, customer_id)
            if reason:
                late = offset >= HISTORY_DAYS // 2
                _case(history, rng, sender, start, customer_id, raw, reason, agents, late)
            elif intent != "nlu_fallback" and rng.random() < 0.15:
                rating = rng.choices(range(1, 6), weights=(3, 5, 14, 36, 42))[0]
                asked = start + timedelta(minutes=2)
                history.surveys.append(
                    {
                        "subject": "conversation",
                        "sender_id": sender,
                        "customer_id": customer_id,
                        "asked_at": asked,
                        "rating": rating,
                        "rated_at": asked + timedelta(minutes=1),
                    }
                )
    history.number_records()
    return history


def insert_history(
    conn: Connection,
    reference: datetime,
    customer_ids: Sequence[int],
    agents: Sequence[tuple[int, str]],
) -> int:
    """Replaces the history's conversations and adds its desk rows; how many chats it wrote."""
    history = build_history(reference, customer_ids, agents)
    ensure_events_table(conn)
    conn.execute(delete(events).where(events.c.sender_id.like(f"{SENDER_PREFIX}%")))
    conn.execute(insert(events), history.events)
    conn.execute(insert(ServiceRecord.__table__), history.records)
    conn.execute(insert(SatisfactionSurvey.__table__), history.surveys)
    with Session(bind=conn, future=True) as session:
        session.add_all(history.cases)
        session.flush()
    return len({e["sender_id"] for e in history.events})
