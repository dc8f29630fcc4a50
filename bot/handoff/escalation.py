"""When the bot should hand the conversation to a person, and why (pure; reads tracker events).

Seed 000 (纠纷处理) asks the desk to respond fast, acknowledge, apologise, propose a remedy and
follow up: the bot does that itself for a single mild complaint or an urgent but calm customer.
It hands over when a person is needed: the customer asks for one, threatens legal, regulatory
or media action, reports harm to health or safety, is strongly or persistently angry, the bot
keeps failing to understand or to settle the request, or the customer contests a refusal.

Only the events since the last hand-over (or resume, or session start) count: after an agent
resolved a case, the anger that led to it must not send the customer straight back to the queue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.handoff.signals import trailing_fallbacks
from bot.nlu.text import normalise

HANDOFF_ACTION = "action_handoff"

REQUESTED_HUMAN = "requested_human"
LEGAL_THREAT = "legal_threat"
STRONG_ANGER = "strong_anger"
RISING_ANGER = "rising_anger"
REPEATED_FALLBACK = "repeated_fallback"
REPEATED_REQUEST = "repeated_request"
CONTESTED_REFUSAL = "contested_refusal"
SAFETY_HARM = "safety_harm"

# Every reason alone is enough to hand over; the weights add up to the case's score, so a
# customer with several reasons (angry *and* refused) sorts above one with a single reason.
WEIGHTS: dict[str, float] = {
    LEGAL_THREAT: 3.0,
    SAFETY_HARM: 3.0,
    STRONG_ANGER: 2.0,
    RISING_ANGER: 2.0,
    CONTESTED_REFUSAL: 1.5,
    REQUESTED_HUMAN: 1.0,
    REPEATED_FALLBACK: 1.0,
    REPEATED_REQUEST: 1.0,
}
# Queue priority (higher first): legal threats and harm, then anger, then everything else.
PRIORITIES: dict[str, int] = {LEGAL_THREAT: 3, SAFETY_HARM: 3, STRONG_ANGER: 2, RISING_ANGER: 2}
ANGER_PRIORITY = 2

ANGRY = "angry"
# An angry turn counts toward "anger persists"; a strong one hands over on its own. The emotion
# component gives clearly angry sentences 0.5-0.9 and unmistakable fury (its lexical override)
# at least 0.9; a mild complaint usually stays below 0.5 or is not labelled angry at all.
ANGRY_CONFIDENCE = 0.5
STRONG_CONFIDENCE = 0.85
ANGER_LOOKBACK = 3
REPEAT_THRESHOLD = 3
FALLBACK_THRESHOLD = 2

# Intents that are not a request of their own: repeating them is conversation, not a failure.
NOT_REQUESTS = frozenset(
    {
        "greet", "goodbye", "thank", "affirm", "deny", "inform", "stop", "bot_challenge",
        "nlu_fallback", "request_human", "rate", "out_of_scope", "complaint",
    }
)  # fmt: skip
# The customer moved on: a request asked again after these is a new request.
RESOLVED_MARKERS = frozenset({"thank", "goodbye"})
# After a refusal, complaining or saying no contests it; asking again only does when angry
# (the refusal itself invites re-applying with the right reason, e.g. a quality problem).
CONTEST_INTENTS = frozenset({"complaint", "deny"})

_HUMAN = re.compile(
    r"转人工|人工客服|人工服务|找人工|要人工|接人工|转接人工|真人客服|找真人|跟真人"
)
_LEGAL = re.compile(
    r"(?<!\d)(12315|12345)(?!\d)|(打|报|叫)110|消协|消费者协会|消费者权益|市场监管|市监局|工商(?!银行)|"
    r"律师|起诉|法院|打官司|告你们|去告|告到|仲裁|曝光|媒体|记者|电视台|报社|报警(?!器)|警察|"
    r"黑猫投诉|维权|退一赔三|假一赔三|退一赔十|假一赔十|消费欺诈|"
    r"(发|挂|投诉|曝).{0,6}(微博|抖音|小红书)|(微博|抖音|小红书).{0,6}(曝光|挂|投诉)"
)
_HARM = re.compile(
    r"过敏|烫伤|烧伤|起火|着火|自燃|爆炸|炸裂|漏电|触电|电到|受伤|划伤|割伤|流血|中毒|烂脸|"
    r"毁容|红肿|住院|进医院|去医院|看医生|冒烟|烧焦"
)
# "用了会不会过敏" asks about a risk; "用了以后过敏了" reports harm.
_HYPOTHETICAL = re.compile(
    r"会不会|会.{0,6}吗|能不能|可不可以|能用吗|可以用吗|适合|体质|敏感肌|防止|避免|安全吗|怕|担心"
)
_HAPPENED = re.compile(r"了|已经|现在|被|导致|害得|害我")
# What the bot says when it turns a return or refund down (bot.services.aftersales.replies and
# aftersales_refund_text end refusals with OFFER_PERSON; tests/unit/test_escalation.py checks it).
_REFUSAL = re.compile(
    r"如果您对这个处理结果有不同意见|没办法(再|直接)?(办理|退)|不支持(七天)?无理由|没有差价可以退|"
    r"审核未通过|已拒绝"
)
_CONTEST = re.compile(
    r"凭什么|为什么不|为啥不|不合理|不接受|不同意|不认可|不服|霸王条款|不讲理|坑人|骗人|必须.{0,4}退|"
    r"就要退|我不管|什么规定|谁定的"
)


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, "weight": self.weight}


@dataclass(frozen=True)
class Decision:
    handoff: bool
    score: float
    priority: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def reasons_as_dicts(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.reasons]


@dataclass(frozen=True)
class Turn:
    """One customer message as the escalation rules read it."""

    text: str
    intent: str | None
    emotion: str | None
    emotion_confidence: float
    order_ids: frozenset[str]
    # Sent while a form was asking a question: an answer ("确认取消"), not a new request, even
    # when it reads like one.
    answering_form: bool = False

    @property
    def angry(self) -> float:
        """Confidence that the message is angry (0 when another emotion won)."""
        return self.emotion_confidence if self.emotion == ANGRY else 0.0


def conversation_window(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Events since the session started, the bot last handed over, or an agent gave it back."""
    start = 0
    for index, event in enumerate(events):
        kind = event.get("event")
        handed = kind == "action" and event.get("name") == HANDOFF_ACTION
        if handed or kind in ("session_started", "resume", "restart"):
            start = index + 1
    return list(events[start:])


def _turn(event: Mapping[str, Any], answering_form: bool = False) -> Turn:
    parse = event.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    emotion = parse.get("emotion") or {}
    entities = parse.get("entities") or []
    orders = frozenset(
        str(e.get("value")) for e in entities if e.get("entity") == "order_id" and e.get("value")
    )
    return Turn(
        text=normalise(str(event.get("text") or parse.get("text") or "")).text,
        intent=intent,
        emotion=emotion.get("name"),
        emotion_confidence=float(emotion.get("confidence") or 0.0),
        order_ids=orders,
        answering_form=answering_form,
    )


def customer_turns(events: Iterable[Mapping[str, Any]]) -> list[Turn]:
    turns = []
    form: str | None = None
    for event in events:
        if event.get("event") == "active_loop":
            form = event.get("name")
        elif event.get("event") == "user":
            turns.append(_turn(event, answering_form=form is not None))
    return turns


def _requested_human(turns: list[Turn]) -> Reason | None:
    last = turns[-1]
    if last.intent == "request_human" or _HUMAN.search(last.text):
        return Reason(REQUESTED_HUMAN, "客户要求人工服务", WEIGHTS[REQUESTED_HUMAN])
    return None


def _legal_threat(turns: list[Turn]) -> Reason | None:
    for turn in reversed(turns):
        match = _LEGAL.search(turn.text)
        if match:
            detail = f"提到「{match.group(0)}」：{turn.text[:60]}"
            return Reason(LEGAL_THREAT, detail, WEIGHTS[LEGAL_THREAT])
    return None


def harm_reported(text: str) -> str | None:
    """The harm word if the text reports harm that happened (not a question about a risk)."""
    for match in _HARM.finditer(text):
        after = text[match.end() : match.end() + 3]
        happened = bool(_HAPPENED.search(after)) or "已经" in text
        if happened or not _HYPOTHETICAL.search(text):
            return match.group(0)
    return None


def _safety_harm(turns: list[Turn]) -> Reason | None:
    for turn in reversed(turns):
        word = harm_reported(turn.text)
        if word:
            detail = f"反映健康或安全问题「{word}」：{turn.text[:60]}"
            return Reason(SAFETY_HARM, detail, WEIGHTS[SAFETY_HARM])
    return None


def _anger(turns: list[Turn]) -> Reason | None:
    last = turns[-1]
    if last.intent == "rate" or last.angry < ANGRY_CONFIDENCE:
        return None
    if last.angry >= STRONG_CONFIDENCE:
        detail = f"客户情绪激动（生气 {last.angry:.2f}）：{last.text[:60]}"
        return Reason(STRONG_ANGER, detail, WEIGHTS[STRONG_ANGER])
    recent = turns[-ANGER_LOOKBACK:]
    angry_turns = [t for t in recent if t.angry >= ANGRY_CONFIDENCE]
    if len(angry_turns) >= 2:
        levels = " → ".join(f"{t.angry:.2f}" for t in angry_turns)
        detail = f"客户连续 {len(angry_turns)} 条消息表达不满（生气 {levels}）"
        return Reason(RISING_ANGER, detail, WEIGHTS[RISING_ANGER])
    return None


def _repeated_fallback(events: Sequence[Mapping[str, Any]]) -> Reason | None:
    misses = trailing_fallbacks(events)
    if misses >= FALLBACK_THRESHOLD:
        detail = f"机器人连续 {misses} 次没能理解客户的问题"
        return Reason(REPEATED_FALLBACK, detail, WEIGHTS[REPEATED_FALLBACK])
    return None


def _repeated_request(turns: list[Turn]) -> Reason | None:
    intent = turns[-1].intent
    if not intent or intent in NOT_REQUESTS:
        return None
    same: list[Turn] = []
    for turn in reversed(turns):
        if turn.intent in RESOLVED_MARKERS:
            break
        if turn.intent == intent and not turn.answering_form:
            same.append(turn)
    # Three questions about three different orders are three requests, not one unresolved one.
    orders: set[str] = set()
    for turn in same:
        orders |= turn.order_ids
    if len(same) >= REPEAT_THRESHOLD and len(orders) <= 1:
        detail = f"客户第 {len(same)} 次提出同一个诉求（{intent}），仍未解决"
        return Reason(REPEATED_REQUEST, detail, WEIGHTS[REPEATED_REQUEST])
    return None


def is_refusal(text: str) -> bool:
    """Whether a bot message turns a return, exchange or refund down."""
    return bool(_REFUSAL.search(text))


def _contested_refusal(window: Sequence[Mapping[str, Any]], turns: list[Turn]) -> Reason | None:
    refused_at = None
    for index, event in enumerate(window):
        if event.get("event") == "bot" and is_refusal(str(event.get("text") or "")):
            refused_at = index
    if refused_at is None:
        return None
    after = [e for e in window[refused_at + 1 :] if e.get("event") == "user"]
    if not after:
        return None
    last = turns[-1]
    contested = (
        last.intent in CONTEST_INTENTS
        or last.angry >= ANGRY_CONFIDENCE
        or bool(_CONTEST.search(last.text))
    )
    if not contested:
        return None
    detail = f"机器人已拒绝退货/退款，客户不认可：{last.text[:60]}"
    return Reason(CONTESTED_REFUSAL, detail, WEIGHTS[CONTESTED_REFUSAL])


def assess(events: Sequence[Mapping[str, Any]], *, latest_text: str = "") -> Decision:
    """Whether to hand over now, with every reason found, their total score and the priority.

    ``events`` are the tracker's events as dicts; ``latest_text`` is the customer's latest
    message (it replaces the text of the last user event, which may be missing in tests).
    """
    window = conversation_window(events)
    turns = customer_turns(window)
    if not turns:
        return Decision(False, 0.0, 0, [])
    if latest_text:
        last = turns[-1]
        turns[-1] = Turn(
            normalise(latest_text).text,
            last.intent,
            last.emotion,
            last.emotion_confidence,
            last.order_ids,
        )
    found = [
        _legal_threat(turns),
        _safety_harm(turns),
        _anger(turns),
        _contested_refusal(window, turns),
        _requested_human(turns),
        _repeated_fallback(window),
        _repeated_request(turns),
    ]
    reasons = [r for r in found if r is not None]
    if not reasons:
        return Decision(False, 0.0, 0, [])
    priority = max(PRIORITIES.get(r.code, 1) for r in reasons)
    # Angry but handed over for another reason (e.g. asked for a person): still an angry
    # customer, so they wait in the anger band of the queue.
    if any(t.angry >= ANGRY_CONFIDENCE for t in turns[-ANGER_LOOKBACK:]):
        priority = max(priority, ANGER_PRIORITY)
    score = round(sum(r.weight for r in reasons), 2)
    return Decision(True, score, priority, reasons)
