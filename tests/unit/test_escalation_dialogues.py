"""Escalation on whole dialogues: every kind of "needs a person" reaches one at the turn it
becomes clear, whatever the intent model said, while calm chats stay with the bot.

The intents given here are deliberately the wrong or unhelpful ones a model may produce
(bot_challenge, nlu_fallback, complaint), and the emotion is calm unless said otherwise: the
decision must not hang on the classifiers alone. Simplified and traditional script alike.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.handoff.escalation import (
    REPEATED_REQUEST,
    REQUESTED_HUMAN,
    RISING_ANGER,
    SAFETY_HARM,
    STRONG_ANGER,
    Decision,
    assess,
)

CALM = ("neutral", 0.8)
ORDER = "526111546224785162"


def user(
    text: str, intent: str = "nlu_fallback", emotion: tuple[str, float] = CALM, **parse: Any
) -> dict[str, Any]:
    data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.6},
        "entities": parse.pop("entities", []),
        "emotion": {"name": emotion[0], "confidence": emotion[1]},
        **parse,
    }
    return {"event": "user", "text": text, "parse_data": data}


def said(text: str, response: str | None = None) -> dict[str, Any]:
    metadata = {"utter_action": response} if response else {}
    return {"event": "bot", "text": text, "metadata": metadata}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def form(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name}


def asks(slot_name: str, response: str) -> list[dict[str, Any]]:
    """A form asking (again) for a slot, as Rasa records it."""
    return [slot("requested_slot", slot_name), said("……", response)]


def run(*steps: dict[str, Any] | list[dict[str, Any]]) -> list[Decision]:
    """The decision after each customer message, as the policy would take it then."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_session_start"}]
    events.append({"event": "session_started"})
    decisions = []
    for step in steps:
        for event in step if isinstance(step, list) else [step]:
            if event["event"] == "user":
                events.append({"event": "action", "name": "action_listen"})
                events.append(event)
                decisions.append(assess(events))
            else:
                events.append(event)
    return decisions


def first_handoff(decisions: list[Decision]) -> int | None:
    """1-based number of the customer message that was handed over, if any."""
    return next((i for i, d in enumerate(decisions, start=1) if d.handoff), None)


# --- asking for a person, in any words -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "别让机器人回了，我要跟活人说",
        "别跟我扯了，我不要机器人，叫个人来",
        "叫你们领导出来",
        "有没有喘气的",
        "换个真人",
        "我不想跟机器人聊了",
        "受够机器人了，给我找个客服小姐姐",
        "能不能换个人跟我说",
        "你们负责人呢",
        "让你们经理来处理",
        "我要找客服",
        "转接人工",
        "机器人闭嘴",
        "不要AI，我要真人",
        "別讓機器人回了，我要跟活人說",
        "叫你們主管出來",
        "有沒有喘氣的",
        "換個真人客服",
        "我不要機器人，找個人來",
        "跟你说不明白，换个会说话的",
        "给我个电话号码，我直接打过去",
        "有客服吗",
        "能打电话给我吗",
        "請幫我轉接客服專員",
        "我要和你们售后的人谈",
        "你不行，让你同事来",
        "客服呢？？？",
        "不想跟机器说话",
        "找个懂的人来",
    ],
)
def test_a_demand_for_a_person_hands_over_that_turn(text: str) -> None:
    decisions = run(
        user("我的快递到哪了", "track_order"),
        said("物流信息……"),
        user(text, "bot_challenge"),
    )
    assert first_handoff(decisions) == 2
    assert REQUESTED_HUMAN in decisions[-1].codes


@pytest.mark.parametrize(
    "text",
    [
        "你是机器人吗",
        "是真人吗",
        "你是真人还是机器人",
        "你是人工吗",
        "你是不是真人啊",
        "你說話跟真人一樣",
        "你是機器人嗎",
        "客服小姐姐，在吗",
        "我要开个人发票",
        "人工皮革的鞋子好打理吗",
        "不用转人工了，我自己看看",
        "快递员没给我打电话",
        "你们有人工智能音箱吗",
    ],
)
def test_a_question_about_the_bot_stays_with_the_bot(text: str) -> None:
    assert first_handoff(run(user(text, "bot_challenge"))) is None


@pytest.mark.parametrize("text", ["不用转人工了，解决了", "不需要人工了，谢谢", "先不用轉人工"])
def test_declining_a_person_stays_with_the_bot_even_when_read_as_a_request(text: str) -> None:
    assert first_handoff(run(user(text, "request_human"))) is None


# --- insults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "一群饭桶，什么都办不好！！",
        "垃圾客服",
        "你们是猪吗",
        "一帮废物，问半天没个结果",
        "什么垃圾玩意儿，白痴客服",
        "你们脑子进水了吧",
        "一群飯桶，什麼都辦不好！！",
        "你們是豬嗎？",
        "垃圾客服，滾吧",
        "你们都是吃干饭的吗",
        "一帮蠢蛋",
        "你算个什么东西",
        "这破店，有毛病吧你们",
        "你們都是吃乾飯的嗎",
    ],
)
def test_an_insult_after_a_problem_report_hands_over_that_turn(text: str) -> None:
    decisions = run(
        user("买的锅用了两次就坏了", "complaint"),
        said("真不好意思……", "utter_complaint"),
        user(text, "complaint"),
    )
    assert first_handoff(decisions) == 2
    assert STRONG_ANGER in decisions[-1].codes and decisions[-1].priority >= 2


@pytest.mark.parametrize(
    "text",
    [
        "空气炸锅有黑色的吗",
        "这双鞋内里是猪皮的吗",
        "垃圾桶有几升的",
        "厨房垃圾处理器好用吗",
        "滚筒洗衣机好用吗",
    ],
)
def test_product_words_that_contain_an_insult_are_not_anger(text: str) -> None:
    assert first_handoff(run(user(text, "ask_product"))) is None


# --- harm to health or safety ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("孩子用了你们的奶瓶", "嘴里起泡了！！这事没完！"),
        ("宝宝穿了你们家的连体衣", "身上全是红疹"),
        ("我妈用了那个按摩仪", "现在头晕想吐"),
        ("昨天吃了你们卖的坚果", "拉了一晚上肚子，上吐下泻"),
        ("折叠凳质量太差了", "把孩子的手夹了，肿了一大块"),
        ("孩子用了你們的奶瓶", "嘴裡起泡了！！這事沒完！"),
        ("買的兒童餐具", "孩子嘴巴劃破出血了"),
        ("给我妈买的按摩仪", "用完后背都青了"),
        ("吃了你们的饼干", "肚子疼了一晚上"),
    ],
)
def test_harm_told_over_two_messages_hands_over_at_the_second(first: str, second: str) -> None:
    decisions = run(
        user(first, "inform"),
        said("请问有什么可以帮您？"),
        user(second, "complaint"),
    )
    assert first_handoff(decisions) == 2
    assert decisions[-1].codes[0] == SAFETY_HARM and decisions[-1].priority == 3


@pytest.mark.parametrize(
    "text",
    [
        "用了你们的面霜脸上起疹子了",
        "吹风机把头皮烫伤了",
        "孩子把玩具上的小零件误吞了",
        "水杯盖子崩开把手划破了",
        "饼干发霉了，孩子已经吃了",
        "充电宝鼓包了还发烫",
        "用了眼霜眼睛发炎了",
        "用了这个面霜脸上起红点了",
        "充电的时候冒火星了",
        "插上电还闻到焦味",
        "涂完嘴唇肿得老高",
        "孩子把小零件吞了",
    ],
)
def test_harm_in_any_product_category_hands_over(text: str) -> None:
    assert SAFETY_HARM in run(user(text, "complaint"))[0].codes


@pytest.mark.parametrize(
    "text",
    [
        "洗面奶起泡多吗",
        "这件衬衫可以熨烫吗",
        "这个锅会不会烫手",
        "孩子用这个奶瓶安全吗",
        "用了一个月没有过敏，挺好的",
        "帐篷发霉了怎么处理",
        "这款会不会起痘",
        "鞋子穿久了脚会疼吗",
        "宿舍用什么锅好，不能跳闸的",
    ],
)
def test_questions_about_risks_and_product_features_are_not_harm(text: str) -> None:
    assert first_handoff(run(user(text, "ask_product"))) is None


# --- the same need asked again and again -----------------------------------------------------


@pytest.mark.parametrize(
    "messages",
    [
        (
            ("我的退款呢", "refund_status"),
            ("问你退款呢", "complaint"),
            ("退款到底啥时候到", "track_order"),
        ),
        (
            ("快递到哪了", "track_order"),
            ("我的包裹呢", "nlu_fallback"),
            ("东西到底什么时候到", "faq"),
        ),
        (
            ("怎么还不发货", "urge_shipment"),
            ("到底发不发货", "complaint"),
            ("发货了没有", "inform"),
        ),
        (("我的退款呢", "refund_status"), ("問你退款呢", "complaint"), ("退款到底啥時候到", "faq")),
    ],
)
def test_the_same_need_a_third_time_hands_over(messages: tuple[tuple[str, str], ...]) -> None:
    steps = []
    for text, intent in messages:
        steps += [user(text, intent), said("……")]
    decisions = run(*steps)
    assert first_handoff(decisions) == 3
    assert decisions[-1].codes == [REPEATED_REQUEST]


def test_three_different_policy_questions_are_shopping_not_a_loop() -> None:
    def faq(text: str, topic: str) -> dict[str, Any]:
        selector = {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}}
        return user(text, "faq", response_selector=selector)

    decisions = run(
        faq("退货运费谁出", "return_policy"),
        said("……"),
        faq("退货地址在哪", "return_address"),
        said("……"),
        faq("退货要几天处理", "return_time"),
    )
    assert first_handoff(decisions) is None


def test_three_product_questions_stay_with_the_bot() -> None:
    decisions = run(
        user("这件羽绒服有M码吗", "ask_product"),
        said("有的"),
        user("什么面料", "ask_product"),
        said("……"),
        user("能机洗吗", "ask_product"),
    )
    assert first_handoff(decisions) is None


def test_tracking_three_different_orders_stays_with_the_bot() -> None:
    steps: list[Any] = []
    for number in ("526111546224785162", "926111453460400021", "426111778535993294"):
        steps += [
            user("查一下这个快递", "track_order"),
            form("track_order_form"),
            asks("order_id", "utter_ask_which_order"),
            user(number, "inform", entities=[{"entity": "order_id", "value": number}]),
            slot("order_id", number),
            form(None),
            said("物流信息……"),
        ]
    assert first_handoff(run(*steps)) is None


# --- the bot asking the same thing again and again -------------------------------------------


def _anonymous_refund_loop(*replies: tuple[str, str]) -> list[Decision]:
    steps: list[Any] = [
        user("我想问下退款", "refund_status"),
        form("refund_status_form"),
        asks("order_id", "utter_ask_order_id_and_phone_tail"),
    ]
    for text, intent in replies:
        steps += [user(text, intent), asks("order_id", "utter_ask_order_id_and_phone_tail")]
    return run(*steps)


def test_an_anonymous_customer_who_cannot_verify_is_offered_a_person_by_the_third_reask() -> None:
    decisions = _anonymous_refund_loop(
        ("我不记得订单号", "deny"),
        ("在手机上找不到啊", "inform"),
        ("那怎么办", "out_of_scope"),
        ("……", "deny"),
    )
    # Asked at messages 1, 2 and 3; message 4 would be asked a fourth time.
    assert first_handoff(decisions) == 4
    assert decisions[3].codes == [REPEATED_REQUEST] and "订单号" in decisions[3].reasons[0].detail


def test_finally_giving_the_order_number_lets_the_bot_go_on() -> None:
    steps: list[Any] = [
        user("我想问下退款", "refund_status"),
        form("refund_status_form"),
        asks("order_id", "utter_ask_order_id_and_phone_tail"),
        user("不记得了", "deny"),
        asks("order_id", "utter_ask_order_id_and_phone_tail"),
        user("稍等我找找", "nlu_fallback"),
        asks("order_id", "utter_ask_order_id_and_phone_tail"),
        user(f"找到了 {ORDER} 1234", "inform", entities=[{"entity": "order_id", "value": ORDER}]),
    ]
    assert first_handoff(run(*steps)) is None


def test_after_identity_checks_lock_the_next_request_goes_to_a_person() -> None:
    steps: list[Any] = [user("退款到哪了", "refund_status"), form("refund_status_form")]
    for failures in (1, 2, 3):
        steps += [
            user(f"{ORDER} 000{failures}", "inform"),
            slot("order_id", None),
            slot("verification_failures", float(failures)),
        ]
    steps += [form(None), said("核对失败次数较多……", "utter_verification_locked")]
    calm = run(*steps, user("好的", "affirm"))
    assert first_handoff(calm) is None
    stuck = run(*steps, user("那我的钱怎么办", "nlu_fallback"))
    assert first_handoff(stuck) == 5 and stuck[-1].codes == [REPEATED_REQUEST]


def test_a_complaint_answered_with_the_same_question_again_and_again_goes_to_a_person() -> None:
    steps: list[Any] = []
    for text in ("东西坏了", "我说了东西坏了", "我没有订单号，东西就是坏的", "你们到底管不管"):
        steps += [user(text, "complaint"), said("麻烦告诉我订单号……", "utter_complaint")]
    assert first_handoff(run(*steps)) == 4


# --- dissatisfaction and calm chats ----------------------------------------------------------


def test_one_negated_praise_stays_two_in_a_row_hand_over() -> None:
    once = run(user("说实话不太满意", "rate"))
    assert first_handoff(once) is None
    twice = run(
        user("这次的处理我不太满意", "complaint"),
        said("真不好意思……"),
        user("一点都不好", "complaint"),
    )
    assert first_handoff(twice) == 2 and twice[-1].codes == [RISING_ANGER]


def test_a_calm_customer_doing_several_things_stays_with_the_bot() -> None:
    decisions = run(
        user("你好", "greet"),
        said("您好"),
        user("你是机器人吗", "bot_challenge"),
        said("我是小优……"),
        user("麻烦帮我催一下发货，比较急", "urge_shipment", ("anxious", 0.9)),
        said("已经帮您催了……"),
        user("快递有点慢啊", "complaint", ("angry", 0.55)),
        said("真不好意思……", "utter_complaint"),
        user("运费怎么算", "faq"),
        said("……"),
        user("好的谢谢", "thank", ("satisfied", 0.9)),
    )
    assert first_handoff(decisions) is None
