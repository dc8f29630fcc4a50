"""The real assistant asks instead of guessing: "which one?" with buttons when two intents are
close, "please rephrase" when it has no good guess.

Which messages fall in which case depends on the trained model, so the test asks the model
(Rasa's /model/parse) which of a list of vague or two-sided messages are which, then talks to
the assistant over REST as a customer would, clicking the buttons it offers.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from bot.nlu.clarification import clarification_choices, is_ambiguous
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

CANDIDATES = [
    "不想要了", "鞋子不合适", "耳机坏了", "衣服起球了", "还没发货吗 到哪了", "我要退款 退款到哪了",
    "怎么还没到", "降价了", "东西坏了", "我的订单", "耳机有活动吗", "这件能退吗", "坏了能退吗",
    "快递到哪了 我要退款", "我要换货 还是退货吧", "取消订单 退款多久到", "算了", "那个", "这个",
    "随便", "什么意思", "你说啥", "看不懂", "我不懂", "还行吧", "一般般", "东西不错", "包装破了",
    "衣服色差", "运费险怎么退", "退货运费谁出", "换货运费", "价格保护吗", "这个能便宜点吗",
    "改一下地址 顺便问下什么时候发", "物流好几天不动了", "保修期内坏了怎么办", "面膜过敏了",
    "哦哦", "？？", "zzz", "hmm", "123abc",
]  # fmt: skip
REPHRASE = "换个说法"
WHICH = "哪一项"


def _parse(assistant: Assistant, text: str) -> dict[str, Any]:
    response = requests.post(
        f"{assistant.url}/model/parse",
        params={"token": assistant.token},
        json={"text": text},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


@pytest.fixture(scope="module")
def parsed(assistant: Assistant) -> dict[str, dict[str, Any]]:
    return {text: _parse(assistant, text) for text in CANDIDATES}


def _texts(replies: list[dict]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def test_two_close_intents_are_offered_as_buttons_and_a_click_is_handled(
    assistant: Assistant, parsed: dict[str, dict[str, Any]]
) -> None:
    torn = [(t, clarification_choices(p)) for t, p in parsed.items()]
    torn = [(t, choices) for t, choices in torn if choices]
    assert torn, "none of the candidates is between two intents for this model"
    text, choices = torn[0]
    replies = assistant.say("e2e-which-one", text)
    assert WHICH in _texts(replies)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert [(b["title"], b["payload"]) for b in buttons] == [(c.title, c.payload) for c in choices]
    assistant.say("e2e-which-one", buttons[0]["payload"])
    events = assistant.tracker("e2e-which-one")["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    assert events[last]["parse_data"]["intent"]["name"] == choices[0].intent
    actions = [e["name"] for e in events[last + 1 :] if e["event"] == "action"]
    assert "action_rephrase_or_offer_human" not in actions and len(actions) > 1, actions


def test_no_good_guess_gets_a_request_to_rephrase(
    assistant: Assistant, parsed: dict[str, dict[str, Any]]
) -> None:
    lost = [
        t
        for t, p in parsed.items()
        if p["intent"]["name"] == "nlu_fallback" and not is_ambiguous(p["intent_ranking"])
    ]
    assert lost, "none of the candidates is below the fallback threshold for this model"
    replies = assistant.say("e2e-rephrase", lost[0])
    assert REPHRASE in _texts(replies)
    assert not any(r.get("buttons") for r in replies)
