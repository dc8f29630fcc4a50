"""Which intents to offer when the classifier could not tell two apart (pure; no Rasa).

FallbackClassifier answers ``nlu_fallback`` for two different reasons: the best intent is below
``threshold`` (the bot has no good guess: ask the customer to rephrase), or the best two intents
are within ``ambiguity_threshold`` of each other (the bot has two good guesses: ask which one).
It records its threshold as the confidence of the ``nlu_fallback`` entry it puts on top of the
ranking, so the reason can be read off the parse data without repeating config.yml here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FALLBACK_INTENT = "nlu_fallback"
FAQ = "faq"
FAQ_TOPIC_ENTITY = "faq_topic"
CHOICES = 2

# What the customer sees on the button for each request a message can be mistaken for. Small
# talk, confirmations and bare identifiers are not offered: "did you mean thanks or goodbye?"
# helps nobody, so a message torn between those is treated as not understood.
INTENT_LABELS: dict[str, str] = {
    "track_order": "查物流/快递到哪了",
    "urge_shipment": "催发货",
    "cancel_order": "取消订单",
    "modify_address": "修改收货地址或电话",
    "request_return": "退货",
    "request_exchange": "换货",
    "request_refund": "申请退款",
    "refund_status": "查退款进度",
    "ask_product": "咨询商品信息",
    "ask_recommendation": "推荐商品",
    "complaint": "投诉/反映问题",
    "suggestion": "给店铺提建议",
    "request_human": "转人工客服",
    FAQ: "店铺政策",
}
FAQ_TOPIC_LABELS: dict[str, str] = {
    "shipping_fee": "运费和包邮",
    "delivery_time": "发货和送达时间",
    "invoice": "开发票",
    "payment": "付款方式",
    "promotion": "优惠活动和会员折扣",
    "return_policy": "退换货政策",
    "warranty": "保修",
}
# Entities of the original message that the chosen intent's form or answer needs again.
CARRIED_ENTITIES = ("order_id", "phone", "tracking_number", "product", "color", "category")


@dataclass(frozen=True)
class Choice:
    intent: str
    title: str
    payload: str  # "/intent" or "/intent{entities}", parsed by Rasa without the NLU model


def _faq_topic(parse_data: Mapping[str, Any]) -> str | None:
    """The faq topic the response selector picked for the message (e.g. "promotion")."""
    selected = (parse_data.get("response_selector") or {}).get(FAQ) or {}
    key = str((selected.get("response") or {}).get("intent_response_key") or "")
    return key.split("/", 1)[1] if key.startswith(f"{FAQ}/") else None


def _payload(intent: str, entities: Mapping[str, str]) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(dict(entities), ensure_ascii=False, separators=(',', ':'))}"


def _choice(intent: str, parse_data: Mapping[str, Any]) -> Choice:
    carried = {
        str(e["entity"]): str(e["value"])
        for e in parse_data.get("entities") or []
        if e.get("entity") in CARRIED_ENTITIES and e.get("value") is not None
    }
    if intent != FAQ:
        return Choice(intent, INTENT_LABELS[intent], _payload(intent, carried))
    topic = _faq_topic(parse_data)
    if topic is None:
        return Choice(intent, INTENT_LABELS[FAQ], _payload(intent, {}))
    title = FAQ_TOPIC_LABELS.get(topic, INTENT_LABELS[FAQ])
    # The button's message skips the NLU model, so no response selector runs on it; the topic
    # travels as an entity and action_answer_faq_topic answers it.
    return Choice(intent, title, _payload(intent, {FAQ_TOPIC_ENTITY: topic}))


def is_ambiguous(ranking: Sequence[Mapping[str, Any]]) -> bool:
    """True when the fallback was for two close intents, not for a low best confidence."""
    if len(ranking) < 3 or ranking[0].get("name") != FALLBACK_INTENT:
        return False
    threshold = float(ranking[0].get("confidence") or 0.0)
    return float(ranking[1].get("confidence") or 0.0) >= threshold


def clarification_choices(parse_data: Mapping[str, Any]) -> list[Choice]:
    """The two intents to ask about, best first; empty when the bot should ask to rephrase."""
    ranking = parse_data.get("intent_ranking") or []
    if not is_ambiguous(ranking):
        return []
    best_two = [str(r.get("name")) for r in ranking[1 : 1 + CHOICES]]
    if any(name not in INTENT_LABELS for name in best_two):
        return []
    return [_choice(name, parse_data) for name in best_two]
