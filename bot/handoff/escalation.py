"""When the bot should hand the conversation to a person, and why (pure; reads tracker events).

Seed 000 (纠纷处理) asks the desk to respond fast, acknowledge, apologise, propose a remedy and
follow up: the bot does that itself for a single mild complaint or an urgent but calm customer.
It hands over when a person is needed: the customer asks for one (in any words, also as a
remark about the bot), threatens legal, regulatory or media action, reports harm to health or
safety (also across two messages), insults or is strongly or persistently angry, the bot keeps
failing to understand or to settle the request (the customer asks for the same thing a third
time, the bot's forms ask for the same thing a third time, identity checks are locked), or the
customer contests a refusal.

What the bot decided is read from structured facts in the tracker (the ``last_refusal`` slot,
the forms' requested slots, responses by name), never from the wording of its replies. What
the customer wrote is read by the classifiers (intent, emotion) and, because a classifier can
miss, by the literal rules of :mod:`bot.handoff.wording` and :mod:`bot.nlu.emotion_words`.

Only the events since the last hand-over (or resume, or session start) count: after an agent
resolved a case, the anger that led to it must not send the customer straight back to the queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.handoff import signals
from bot.handoff.wording import (
    asks_for_person,
    contests,
    declines_person,
    harm_reported,
    legal_threat_in,
    needs_in,
    pressing,
)
from bot.nlu.emotion_words import (
    DISSATISFIED_CONFIDENCE,
    FURY_CONFIDENCE,
    fury_in,
    negated_praise_in,
)
from bot.nlu.text import normalise
from bot.policy.refusals import LAST_REFUSAL_SLOT, refusal_label

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
# The third time the customer asks for the same thing, or the bot asks for the same thing,
# a person takes over.
REPEAT_THRESHOLD = 3
FALLBACK_THRESHOLD = 2
# actions.order_form.MAX_FAILED_CHECKS: after this many mismatches the bot stops checking
# identity, so only a person can help with the customer's order.
VERIFICATION_LOCKED_AT = 3

# The need behind an intent, shared with the words of wording.needs_in: "我的退款呢" and
# "退款到底啥时候到" are the same need whichever intent the model gives them.
INTENT_NEEDS: dict[str, str] = {
    "request_refund": "refund",
    "refund_status": "refund",
    "track_order": "delivery",
    "urge_shipment": "delivery",
    "request_return": "return",
    "request_exchange": "return",
    "cancel_order": "cancel",
    "modify_address": "address",
}
# Questions answered from the handbook or the catalogue: several different ones are shopping,
# not a request left unresolved; only the same handbook topic again, or pressing, counts.
INFORMATION_INTENTS = frozenset({"faq", "ask_product", "ask_recommendation"})
# Telling the shop how to do better is feedback, not a need left unmet: 「建议物流快一点」 three
# times is a keen customer, not an unresolved delivery request.
FEEDBACK_INTENTS = frozenset({"suggestion"})
# After a refusal, complaining or saying no contests it; asking again only does when angry
# (the refusal itself invites re-applying with the right reason, e.g. a quality problem).
CONTEST_INTENTS = frozenset({"complaint", "deny"})
# Intents that answer whatever a form asked (an order number, a yes, a no).
FORM_ANSWERS = frozenset({"affirm", "deny", "inform"})
# After the verification lock, these are the customer taking note, not asking for more help.
ACKNOWLEDGING = frozenset({"thank", "goodbye", "affirm", "greet", "stop", "rate"})
ORDER_ID = "order_id"
VERIFICATION_FAILURES = "verification_failures"
SLOT_WORDS = {"order_id": "订单号", "phone_tail": "手机号后四位"}


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


NO_HANDOFF = Decision(False, 0.0, 0, [])


@dataclass(frozen=True)
class Turn:
    """One customer message as the escalation rules read it."""

    text: str
    intent: str | None
    emotion: str | None
    emotion_confidence: float
    order_ids: frozenset[str]
    # Sent while a form was asking a question and answered it ("确认取消", an order number):
    # not a new request, even when it reads like one.
    answering_form: bool = False
    # The handbook topic of a faq question ("faq/shipping_fee").
    topic: str | None = None

    @property
    def angry(self) -> float:
        """How angry the message is: the emotion component's confidence when it said angry,
        raised by the literal fury and dissatisfaction words (in case it was not consulted)."""
        scored = self.emotion_confidence if self.emotion == ANGRY else 0.0
        if fury_in(self.text):
            return max(scored, FURY_CONFIDENCE)
        if negated_praise_in(self.text):
            return max(scored, DISSATISFIED_CONFIDENCE)
        return scored

    @property
    def needs(self) -> frozenset[str]:
        """What the message asks for: its intent's need, a handbook topic, and the needs its
        words name (for a plain question only when it presses: "退款到底啥时候到")."""
        found: set[str] = set()
        if self.intent in FEEDBACK_INTENTS:
            return frozenset()
        if self.intent in INTENT_NEEDS:
            found.add(INTENT_NEEDS[self.intent])
        if self.topic:
            found.add(self.topic)
        if self.intent not in INFORMATION_INTENTS or pressing(self.text):
            found |= needs_in(self.text)
        return frozenset(found)


def conversation_window(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Events since the session started, the bot last handed over, or an agent gave it back."""
    start = 0
    for index, event in enumerate(events):
        kind = event.get("event")
        handed = kind == "action" and event.get("name") == HANDOFF_ACTION
        if handed or kind in ("session_started", "resume", "restart"):
            start = index + 1
    return list(events[start:])


def _topic(parse: Mapping[str, Any]) -> str | None:
    selected = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = selected.get("intent_response_key")
    return str(key) if key else None


def _turn(event: Mapping[str, Any]) -> Turn:
    parse = event.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    emotion = parse.get("emotion") or {}
    entities = parse.get("entities") or []
    orders = frozenset(
        str(e.get("value")) for e in entities if e.get("entity") == ORDER_ID and e.get("value")
    )
    return Turn(
        text=normalise(str(event.get("text") or parse.get("text") or "")).text,
        intent=intent,
        emotion=emotion.get("name"),
        emotion_confidence=float(emotion.get("confidence") or 0.0),
        order_ids=orders,
        topic=_topic(parse) if intent == "faq" else None,
    )


def customer_turns(events: Sequence[Mapping[str, Any]]) -> list[Turn]:
    """The customer's messages, each marked whether it answered a form's question.

    A message sent during a form answered it when the bot turn after it filled a slot or
    finished the form; the latest one, not acted on yet, also when it gives an order number
    or a yes or no.
    """
    sent_in_form: list[bool] = []
    form: str | None = None
    for event in events:
        if event.get("event") == "active_loop":
            form = event.get("name") or None
        elif event.get("event") == "user":
            sent_in_form.append(form is not None)
    users = [e for e in events if e.get("event") == "user"]
    replies = signals.bot_turns(events)
    turns = []
    for position, (event, in_form, reply) in enumerate(
        zip(users, sent_in_form, replies, strict=True)
    ):
        turn = _turn(event)
        if in_form:
            answered = signals.answered_form(reply)
            if position == len(users) - 1:
                answered = answered or bool(turn.order_ids) or turn.intent in FORM_ANSWERS
            turn = replace(turn, answering_form=answered)
        turns.append(turn)
    return turns


def _requested_human(turns: list[Turn]) -> Reason | None:
    last = turns[-1]
    # The words count even when the model read them as "are you a robot?" (bot_challenge).
    if asks_for_person(last.text) or (
        last.intent == "request_human" and not declines_person(last.text)
    ):
        return requested_human_reason()
    return None


def requested_human_reason() -> Reason:
    """The reason recorded when the customer asks for a person (the one spelling of it)."""
    return Reason(REQUESTED_HUMAN, "客户要求人工服务", WEIGHTS[REQUESTED_HUMAN])


def _legal_threat(turns: list[Turn]) -> Reason | None:
    for turn in reversed(turns):
        words = legal_threat_in(turn.text)
        if words:
            detail = f"提到「{words}」：{turn.text[:60]}"
            return Reason(LEGAL_THREAT, detail, WEIGHTS[LEGAL_THREAT])
    return None


def _safety_harm(turns: list[Turn]) -> Reason | None:
    """Harm reported in one message, or told over two ("孩子用了奶瓶" + "嘴里起泡了")."""
    texts = [t.text for t in turns]
    candidates = []
    for index in reversed(range(len(texts))):
        candidates.append(texts[index])
        if index > 0:
            candidates.append(f"{texts[index - 1]}。{texts[index]}")
    for text in candidates:
        words = harm_reported(text)
        if words:
            detail = f"反映健康或安全问题「{words}」：{text[-80:]}"
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
    misses = signals.trailing_fallbacks(events)
    if misses >= FALLBACK_THRESHOLD:
        detail = f"机器人连续 {misses} 次没能理解客户的问题"
        return Reason(REPEATED_FALLBACK, detail, WEIGHTS[REPEATED_FALLBACK])
    return None


def _orders_discussed(window: Sequence[Mapping[str, Any]]) -> set[str]:
    """Order numbers the customer named or the forms settled on."""
    found: set[str] = set()
    for event in window:
        if event.get("event") == "slot" and event.get("name") == ORDER_ID and event.get("value"):
            found.add(str(event["value"]))
        elif event.get("event") == "user":
            entities = (event.get("parse_data") or {}).get("entities") or []
            found |= {str(e["value"]) for e in entities if e.get("entity") == ORDER_ID}
    return found


def _repeated_request(window: Sequence[Mapping[str, Any]], turns: list[Turn]) -> Reason | None:
    """The customer asked for the same thing a third time, in whatever words."""
    last = turns[-1]
    if last.answering_form or last.intent in signals.RESOLVED_INTENTS:
        return None
    for need in sorted(last.needs):
        same: list[Turn] = []
        for turn in reversed(turns):
            if turn.intent in signals.RESOLVED_INTENTS:
                break
            if need in turn.needs and not turn.answering_form:
                same.append(turn)
        # Three questions about three different orders are three requests, not one unresolved.
        if len(same) >= REPEAT_THRESHOLD and len(_orders_discussed(window)) <= 1:
            detail = f"客户第 {len(same)} 次提出同一个诉求（{need}），仍未解决：{last.text[:60]}"
            return Reason(REPEATED_REQUEST, detail, WEIGHTS[REPEATED_REQUEST])
    return None


def _going_round(window: Sequence[Mapping[str, Any]], turns: list[Turn]) -> Reason | None:
    """The bot asked for the same thing three times and is about to ask again."""
    last = turns[-1]
    if last.intent in signals.RESOLVED_INTENTS or last.order_ids:
        return None  # thanked, or finally gave the order number: let the bot go on
    asked = signals.open_questions(window[: _last_user_index(window)])
    for key, times in asked.most_common(1):
        if times >= REPEAT_THRESHOLD:
            what = SLOT_WORDS.get(key.removeprefix("slot:"), key)
            detail = f"机器人已经 {times} 次向客户询问同一信息（{what}），客户仍无法提供"
            return Reason(REPEATED_REQUEST, detail, WEIGHTS[REPEATED_REQUEST])
    return None


def _locked_out(window: Sequence[Mapping[str, Any]], turns: list[Turn]) -> Reason | None:
    """Identity checks are locked for the session and the customer still needs help."""
    _, failures = signals.latest_slot_value(window, VERIFICATION_FAILURES)
    if int(failures or 0) < VERIFICATION_LOCKED_AT or turns[-1].intent in ACKNOWLEDGING:
        return None
    detail = f"客户身份核对失败 {int(failures)} 次已锁定，仍需要处理订单问题"
    return Reason(REPEATED_REQUEST, detail, WEIGHTS[REPEATED_REQUEST])


def _last_user_index(window: Sequence[Mapping[str, Any]]) -> int:
    indices = [i for i, e in enumerate(window) if e.get("event") == "user"]
    return indices[-1] if indices else len(window)


# "不用了", "算了": declining more help after a "no" is not contesting it.
_ACCEPTS = ("不用", "不需要", "没有了", "没了", "算了", "没事", "好吧")


def _contested_refusal(window: Sequence[Mapping[str, Any]], turns: list[Turn]) -> Reason | None:
    """The bot's latest decision was a refusal (its code in the slot) and the customer objects."""
    refused_at, code = None, None
    for index, event in enumerate(window):
        if event.get("event") == "slot" and event.get("name") == LAST_REFUSAL_SLOT:
            refused_at, code = index, event.get("value")
    if refused_at is None or not code:
        return None
    if not any(e.get("event") == "user" for e in window[refused_at + 1 :]):
        return None
    last = turns[-1]
    if last.answering_form:
        return None
    declined = last.intent == "deny" and any(word in last.text for word in _ACCEPTS)
    contested = (
        (last.intent in CONTEST_INTENTS and not declined)
        or last.angry >= ANGRY_CONFIDENCE
        or contests(last.text)
    )
    if not contested:
        return None
    detail = f"机器人已拒绝（{refusal_label(str(code))}），客户不认可：{last.text[:60]}"
    return Reason(CONTESTED_REFUSAL, detail, WEIGHTS[CONTESTED_REFUSAL])


def assess(events: Sequence[Mapping[str, Any]], *, latest_text: str = "") -> Decision:
    """Whether to hand over now, with every reason found, their total score and the priority.

    ``events`` are the tracker's events as dicts; ``latest_text`` is the customer's latest
    message (it replaces the text of the last user event, which may be missing in tests).
    """
    window = conversation_window(events)
    turns = customer_turns(window)
    if not turns:
        return NO_HANDOFF
    if latest_text:
        turns[-1] = replace(turns[-1], text=normalise(latest_text).text)
    found = [
        _legal_threat(turns),
        _safety_harm(turns),
        _anger(turns),
        _contested_refusal(window, turns),
        _requested_human(turns),
        _repeated_fallback(window),
        _repeated_request(window, turns)
        or _going_round(window, turns)
        or _locked_out(window, turns),
    ]
    reasons = [r for r in found if r is not None]
    if not reasons:
        return NO_HANDOFF
    priority = max(PRIORITIES.get(r.code, 1) for r in reasons)
    # Angry but handed over for another reason (e.g. asked for a person): still an angry
    # customer, so they wait in the anger band of the queue.
    if any(t.angry >= ANGRY_CONFIDENCE for t in turns[-ANGER_LOOKBACK:]):
        priority = max(priority, ANGER_PRIORITY)
    score = round(sum(r.weight for r in reasons), 2)
    return Decision(True, score, priority, reasons)


def handoff_decision(events: Sequence[Mapping[str, Any]], *, latest_text: str = "") -> Decision:
    """What the hand-over records: the escalation reasons, or, when it was reached by the
    customer's request alone (the request_human rule), that request."""
    decision = assess(events, latest_text=latest_text)
    if decision.handoff:
        return decision
    reason = requested_human_reason()
    return Decision(True, reason.weight, PRIORITIES.get(reason.code, 1), [reason])
