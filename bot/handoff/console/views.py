"""What the console shows, as JSON-ready dicts (pure: cases and tracker events in, dicts out).

Everything here is data for ``textContent`` in the page; nothing is ever marked up as HTML, so
customer text (names, messages, addresses) reaches the agent's screen exactly as typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.desk_labels import FAQ_LABELS, INTENT_LABELS

PRIORITY_LABELS = {3: "紧急", 2: "优先", 1: "普通"}
REASON_LABELS = {
    "requested_human": "顾客要求转人工",
    "legal_threat": "投诉维权 / 媒体曝光",
    "strong_anger": "情绪强烈",
    "rising_anger": "情绪持续升级",
    "repeated_fallback": "机器人连续未理解",
    "repeated_request": "同一诉求多次未解决",
    "contested_refusal": "对售后拒绝有异议",
    "safety_harm": "人身安全 / 健康问题",
}
EMOTION_LABELS = {"angry": "生气", "anxious": "焦急", "neutral": "平静", "satisfied": "满意"}
STATUS_LABELS = {"waiting": "排队中", "active": "处理中", "resolved": "已解决"}
# The actions and events that mark the hand-over in the transcript.
SYSTEM_NOTES = {
    "action_handoff": "机器人转接人工",
    "pause": "机器人已暂停，等待人工客服",
    "resume": "对话已交回机器人",
    "session_started": "新的会话开始",
}


def value_of(member: Any) -> Any:
    """An enum member's value, or the value itself (the models may use either)."""
    return getattr(member, "value", member)


def _loaded(raw: Any, default: Any) -> Any:
    # JSON columns come back as Python objects, Text columns as strings: accept both.
    if isinstance(raw, (str, bytes)):
        try:
            return json.loads(raw)
        except ValueError:
            return default
    return default if raw is None else raw


def reasons_of(raw: Any) -> list[dict[str, Any]]:
    """The escalation reasons as [{code, label, detail, weight}] (objects, dicts or JSON)."""
    found = _loaded(raw, [])
    reasons: list[dict[str, Any]] = []
    for item in found if isinstance(found, list) else []:
        get = item.get if isinstance(item, Mapping) else lambda k, i=item: getattr(i, k, None)
        code = str(get("code") or "")
        if not code:
            continue
        weight = get("weight")
        reasons.append(
            {
                "code": code,
                "label": REASON_LABELS.get(code, code),
                "detail": str(get("detail") or ""),
                "weight": float(weight) if isinstance(weight, (int, float)) else None,
            }
        )
    return reasons


def summary_of(raw: Any) -> dict[str, Any]:
    found = _loaded(raw, {})
    return found if isinstance(found, dict) else {}


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def customer_name(summary: Mapping[str, Any]) -> str | None:
    customer = summary.get("customer")
    if isinstance(customer, Mapping):
        name = customer.get("name")
        return str(name) if name else None
    return None


def case_brief(case: Any, agent_names: Mapping[int, str], now: datetime) -> dict[str, Any]:
    """One row of the queue, of "my chats" and of the supervisor's table."""
    status = str(value_of(case.status))
    priority = int(case.priority or 1)
    reasons = reasons_of(case.reasons)
    summary = summary_of(case.summary)
    created_at: datetime | None = case.created_at
    claimed_at: datetime | None = case.claimed_at
    waited_until = claimed_at if status != "waiting" and claimed_at else now
    return {
        "id": int(case.id),
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "priority": priority,
        "priority_label": PRIORITY_LABELS.get(priority, PRIORITY_LABELS[1]),
        "score": round(float(case.score or 0.0), 2),
        "reasons": reasons,
        "customer_id": case.customer_id,
        "customer_name": customer_name(summary) or ("访客" if case.customer_id is None else None),
        "agent_id": case.agent_id,
        "agent_name": agent_names.get(case.agent_id) if case.agent_id else None,
        "created_at": _iso(created_at),
        "claimed_at": _iso(claimed_at),
        # How long the customer waited for a person (until now while still waiting), and how
        # long the case has been open in all.
        "wait_seconds": seconds_between(created_at, waited_until),
        "open_seconds": seconds_between(created_at, now),
        "after_hours": bool(getattr(case, "after_hours", False)),
        "callback_by": _iso(getattr(case, "callback_by", None)),
    }


def _buttons(data: Any) -> list[str]:
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    if not isinstance(buttons, list):
        return []
    return [str(b.get("title")) for b in buttons if isinstance(b, Mapping) and b.get("title")]


def _customer_entry(event: Mapping[str, Any], at: float) -> dict[str, Any] | None:
    text = str(event.get("text") or "")
    if not text.strip():
        return None
    if text.startswith("/"):
        # A button click or the widget's opening "/greet": the customer typed nothing; show
        # what was chosen rather than the raw payload.
        if text.split("{", 1)[0] in ("/greet", "/session_start"):
            return None
        parse = event.get("parse_data") or {}
        entities = [str(e.get("value")) for e in parse.get("entities") or [] if e.get("value")]
        intent = (parse.get("intent") or {}).get("name") or text[1:].split("{", 1)[0]
        text = "（点选）" + ("、".join(entities) if entities else str(intent))
        return {"kind": "customer", "text": text, "at": at, "choice": True}
    # A typed message is what an agent may correct: it carries the bot's reading of it, and
    # ``at`` is the tracker event's exact timestamp, which identifies it to the corrections API.
    entry: dict[str, Any] = {"kind": "customer", "text": text, "at": at}
    entry["intent"] = predicted_intent(event)
    emotion = (event.get("parse_data") or {}).get("emotion")
    if isinstance(emotion, Mapping) and emotion.get("name"):
        name = str(emotion["name"])
        entry["emotion"] = EMOTION_LABELS.get(name, name)
    return entry


def predicted_intent(event: Mapping[str, Any]) -> str | None:
    """The intent the bot read in a user event: ``faq/<topic>`` for a retrieval answer."""
    parse = event.get("parse_data") or {}
    name = (parse.get("intent") or {}).get("name")
    if not name:
        return None
    selector = parse.get("response_selector") or {}
    picked = selector.get(name) if isinstance(selector, Mapping) else None
    response = picked.get("response") if isinstance(picked, Mapping) else None
    full = response.get("intent_response_key") if isinstance(response, Mapping) else None
    return str(full) if full and str(full).startswith(f"{name}/") else str(name)


def correctable(event: Mapping[str, Any]) -> bool:
    """A user event the console shows as a typed message (not a button or the widget's hello)."""
    text = str(event.get("text") or "")
    return event.get("event") == "user" and bool(text.strip()) and not text.startswith("/")


def intent_label(name: str) -> str:
    base, _, topic = name.partition("/")
    label = INTENT_LABELS.get(base, base)
    return f"{label}·{FAQ_LABELS.get(topic, topic)}" if topic else label


def transcript(
    events: Iterable[Mapping[str, Any]], corrections: Mapping[float, str] | None = None
) -> list[dict[str, Any]]:
    """Customer, bot and agent messages and hand-over notes, in order, with unix timestamps.

    ``corrections`` (message timestamp -> corrected intent) marks the customer messages an
    agent has corrected already.
    """
    entries: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        at = float(event.get("timestamp") or 0.0)
        if kind == "user":
            entry = _customer_entry(event, at)
            if entry:
                if corrections and "intent" in entry and at in corrections:
                    corrected = corrections[at]
                    entry["correction"] = {"intent": corrected, "label": intent_label(corrected)}
                if entry.get("intent"):
                    entry["intent_label"] = intent_label(entry["intent"])
                entries.append(entry)
        elif kind == "bot":
            text = str(event.get("text") or "")
            buttons = _buttons(event.get("data"))
            if not text and not buttons:
                continue
            metadata = event.get("metadata") or {}
            agent = metadata.get("agent") if isinstance(metadata, Mapping) else None
            entry = {"kind": "agent" if agent else "bot", "text": text, "at": at}
            if agent:
                entry["agent"] = str(agent)
            if buttons:
                entry["buttons"] = buttons
            entries.append(entry)
        elif kind == "action" and event.get("name") in SYSTEM_NOTES:
            entries.append({"kind": "system", "text": SYSTEM_NOTES[event["name"]], "at": at})
        elif kind in ("pause", "resume") and isinstance(kind, str):
            entries.append({"kind": "system", "text": SYSTEM_NOTES[kind], "at": at})
    return entries


def intent_labels(intents: Iterable[str]) -> list[dict[str, str]]:
    return [{"name": name, "label": intent_label(name)} for name in intents]


def intents_of(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The customer's intents in order (for the suggestions), without fallbacks and repeats."""
    found: list[str] = []
    for event in events:
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name != "nlu_fallback" and (not found or found[-1] != name):
            found.append(str(name))
    return found
