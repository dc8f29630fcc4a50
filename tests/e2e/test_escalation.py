"""Escalation on the real pipeline: emotion, threats and requests hand the chat over.

Each dialogue is sent message by message over REST to the running assistant (trained model,
emotion component, action server, anonymous visitor) and must reach a person at the message
shown, or never when the chat is calm.
"""

from __future__ import annotations

import itertools

import pytest

from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

_senders = itertools.count(1)


def _events(assistant: Assistant, sender: str) -> list[str]:
    names = []
    for event in assistant.tracker(sender)["events"]:
        if event["event"] == "action":
            names.append(event["name"])
        elif event["event"] == "pause":
            names.append("pause")
    return names


def _handed_over(assistant: Assistant, sender: str) -> bool:
    names = [n for n in _events(assistant, sender) if n != "action_listen"]
    return "action_handoff" in names and names[names.index("action_handoff") + 1] == "pause"


def handed_over_at(assistant: Assistant, *messages: str) -> int | None:
    """The 1-based message after which a person took over (None: the bot kept the chat).

    Nothing is sent after the hand-over: from then on the customer talks to the agent.
    """
    sender = f"e2e-escalation-{next(_senders)}"
    for number, text in enumerate(messages, start=1):
        replies = assistant.say(sender, text)
        if _handed_over(assistant, sender):
            assert any("人工" in str(r.get("text")) for r in replies)
            return number
        assert replies, f"the bot said nothing to {text!r}"
    return None


def test_a_furious_customer_is_handed_to_a_person(assistant: Assistant) -> None:
    replies = assistant.say("e2e-furious", "你们这什么垃圾服务！！气死我了😡😡 东西坏了没人管")
    assert _handed_over(assistant, "e2e-furious")
    assert any("人工" in str(r.get("text")) for r in replies)


def test_while_handed_over_the_bot_stays_silent(assistant: Assistant) -> None:
    assistant.say("e2e-silent", "转人工")
    assert _handed_over(assistant, "e2e-silent")
    assert assistant.say("e2e-silent", "满多少包邮") == []


def test_a_calm_urgent_customer_stays_with_the_bot(assistant: Assistant) -> None:
    replies = assistant.say("e2e-calm", "麻烦帮我催一下发货，比较急，周末要用")
    assert "action_handoff" not in _events(assistant, "e2e-calm")
    assert replies


@pytest.mark.parametrize(
    "text",
    [
        "别让机器人回了，我要跟活人说",
        "别跟我扯了，我不要机器人，叫个人来",
        "叫你们领导出来",
        "有没有喘气的",
        "换个真人",
        "別讓機器人回了，我要跟活人說",
        "叫你們主管出來",
    ],
)
def test_a_demand_for_a_person_in_any_words_is_met_at_once(assistant: Assistant, text: str) -> None:
    assert handed_over_at(assistant, "我的快递到哪了", text) == 2


@pytest.mark.parametrize("text", ["你是机器人吗", "是真人吗", "你是真人還是機器人"])
def test_asking_whether_the_bot_is_a_person_stays_with_the_bot(
    assistant: Assistant, text: str
) -> None:
    assert handed_over_at(assistant, text) is None


@pytest.mark.parametrize(
    "insult", ["一群饭桶，什么都办不好！！", "垃圾客服", "你们是猪吗", "一群飯桶，什麼都辦不好！！"]
)
def test_an_insult_after_a_problem_report_is_met_at_once(assistant: Assistant, insult: str) -> None:
    assert handed_over_at(assistant, "买的电饭煲用了两次就坏了", insult) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("孩子用了你们的奶瓶", "嘴里起泡了！！这事没完！"),
        ("宝宝穿了你们家的连体衣", "身上全是红疹"),
        ("孩子用了你們的奶瓶", "嘴裡起泡了！！這事沒完！"),
    ],
)
def test_harm_told_over_two_messages_is_met_at_the_second(
    assistant: Assistant, first: str, second: str
) -> None:
    assert handed_over_at(assistant, first, second) == 2


def test_the_same_need_asked_a_third_time_is_met(assistant: Assistant) -> None:
    at = handed_over_at(assistant, "我的退款呢", "问你退款呢", "退款到底啥时候到")
    assert at is not None and at <= 3


def test_an_anonymous_customer_who_cannot_verify_is_not_trapped(assistant: Assistant) -> None:
    at = handed_over_at(
        assistant, "帮我查下物流", "我不记得订单号", "手机上也找不到", "那怎么办", "还是不知道"
    )
    assert at is not None and at <= 4


def test_dissatisfaction_said_twice_is_met_once_stays_with_the_bot(
    assistant: Assistant,
) -> None:
    sender = "e2e-dissatisfied"
    assistant.say(sender, "说实话这次不太满意")
    said = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert said[-1]["parse_data"]["emotion"]["name"] == "angry"
    assert not _handed_over(assistant, sender)
    assert handed_over_at(assistant, "这次的处理我不太满意", "一点都不好") == 2


def test_calm_chats_stay_with_the_bot(assistant: Assistant) -> None:
    assert handed_over_at(assistant, "你好", "你是机器人吗", "快递有点慢啊", "运费怎么算") is None
