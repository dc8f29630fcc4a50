"""When the bot hands over to a person: the escalation rules and the Rasa policy around them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff.escalation import (
    CONTESTED_REFUSAL,
    LEGAL_THREAT,
    REPEATED_FALLBACK,
    REPEATED_REQUEST,
    REQUESTED_HUMAN,
    RISING_ANGER,
    SAFETY_HARM,
    STRONG_ANGER,
    assess,
)
from bot.handoff.policy import EscalationPolicy

CALM = ("neutral", 0.8)
ORDER = "260311482905716342"


def user(
    text: str,
    intent: str = "inform",
    emotion: tuple[str, float] = CALM,
    orders: tuple[str, ...] = (),
) -> dict[str, Any]:
    entities = [{"entity": "order_id", "value": o} for o in orders]
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities,
        "emotion": {"name": emotion[0], "confidence": emotion[1]},
    }
    return {"event": "user", "text": text, "parse_data": parse}


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def conversation(*turns: dict[str, Any]) -> list[dict[str, Any]]:
    """Turns separated the way Rasa records them: the bot listens before each message."""
    events: list[dict[str, Any]] = [action("action_session_start"), {"event": "session_started"}]
    for turn in turns:
        if turn["event"] == "user":
            events.append(action("action_listen"))
        events.append(turn)
    return events


def decide(*turns: dict[str, Any]) -> Any:
    return assess(conversation(*turns))


# --- each trigger ------------------------------------------------------------------------------


def test_asking_for_a_person_hands_over_by_intent_or_by_words() -> None:
    by_intent = decide(user("人工", "request_human"))
    assert by_intent.handoff and by_intent.codes == [REQUESTED_HUMAN]
    assert by_intent.priority == 1
    by_words = decide(user("说了半天不懂，帮我转人工", "nlu_fallback"))
    assert REQUESTED_HUMAN in by_words.codes


@pytest.mark.parametrize(
    "text",
    [
        "再不处理我就打12315投诉你们",
        "我要去消费者协会告你们",
        "我已经找了律师，准备起诉",
        "我要把这事发到微博上曝光",
        "假一赔三，这是法律规定的",
        "你们不给解决我就去维权",
        "我要找律師起訴你們",  # traditional script
        "信不信我打１１０报警",  # full-width digits
    ],
)
def test_legal_regulatory_and_media_threats_go_first_in_the_queue(text: str) -> None:
    decision = decide(user(text, "complaint", ("angry", 0.7)))
    assert decision.handoff and LEGAL_THREAT in decision.codes
    assert decision.priority == 3


@pytest.mark.parametrize(
    "text",
    ["工商银行的卡可以付款吗", "烟雾报警器有现货吗", "这件衣服是110元吗", "我在抖音直播间下的单"],
)
def test_shop_talk_that_merely_contains_a_legal_word_is_not_a_threat(text: str) -> None:
    assert not decide(user(text, "ask_product")).handoff


@pytest.mark.parametrize(
    "text",
    [
        "用了你们的面霜脸过敏了，又红又肿",
        "电饭煲漏电，我手被电到了",
        "充电宝充着充着冒烟了，差点起火",
        "孩子被锅烫伤了",
    ],
)
def test_harm_to_health_or_safety_hands_over_with_top_priority(text: str) -> None:
    decision = decide(user(text, "complaint"))
    assert decision.codes == [SAFETY_HARM]
    assert decision.priority == 3


def test_a_question_about_a_risk_is_not_a_report_of_harm() -> None:
    from bot.handoff.wording import harm_reported

    assert harm_reported("敏感肌用这个面霜会不会过敏") is None
    assert harm_reported("这个锅防烫伤吗，能不能给老人用") is None
    assert harm_reported("用了以后过敏了，会不会留疤") == "过敏"
    assert not decide(user("孕妇用这个会过敏吗", "ask_product")).handoff


def test_strong_anger_hands_over_at_once() -> None:
    decision = decide(user("你们这什么垃圾服务，气死我了！！", "complaint", ("angry", 0.93)))
    assert decision.codes == [STRONG_ANGER]
    assert decision.priority == 2


def test_anger_that_persists_after_the_bot_answered_hands_over() -> None:
    decision = decide(
        user("快递一周了还没到，怎么回事", "track_order", ("angry", 0.6)),
        bot("真不好意思让您久等了，包裹还在运输中……"),
        user("你们到底管不管啊", "complaint", ("angry", 0.7)),
    )
    assert decision.codes == [RISING_ANGER]
    assert decision.priority == 2


def test_two_misunderstood_messages_in_a_row_hand_over() -> None:
    decision = decide(
        user("那个东西咋弄", "nlu_fallback"),
        bot("抱歉，小优没太理解您的意思"),
        user("就是那个啊那个", "nlu_fallback"),
    )
    assert decision.codes == [REPEATED_FALLBACK]


def test_the_same_request_three_times_hands_over() -> None:
    ask = user(f"{ORDER} 到哪了", "track_order", orders=(ORDER,))
    decision = decide(ask, bot("物流信息……"), ask, bot("物流信息……"), ask)
    assert decision.codes == [REPEATED_REQUEST]


def test_three_requests_about_three_orders_are_not_a_repeat() -> None:
    turns = [
        user(f"{n} 到哪了", "track_order", orders=(n,))
        for n in ("260311482905716342", "270311482905716342", "280311482905716342")
    ]
    assert not decide(*turns).handoff


def test_suggestions_about_the_same_thing_are_feedback_not_a_repeated_request() -> None:
    tip = user("建议你们物流快一点，发货太慢了", "suggestion")
    assert not decide(tip, bot("谢谢您的建议"), tip, bot("谢谢您的建议"), tip).handoff


def test_a_thank_you_in_between_starts_a_new_request() -> None:
    ask = user("我的快递到哪了", "track_order")
    assert not decide(ask, ask, user("好的谢谢", "thank"), ask).handoff


def refused(code: str | None) -> dict[str, Any]:
    """What the refusing action records: the code in the last_refusal slot."""
    return {"event": "slot", "name": "last_refusal", "value": code}


def test_contesting_a_refused_return_hands_over() -> None:
    decision = decide(
        user("我要退货", "request_return"),
        bot("已经超过签收后 7 天的无理由退货期限，真不好意思，没办法再办理了。"),
        refused("return_window_passed"),
        user("凭什么不给退", "complaint"),
    )
    assert decision.codes == [CONTESTED_REFUSAL]
    assert "七天无理由" in decision.reasons[0].detail  # the agent reads what was refused


def test_reapplying_calmly_after_a_refusal_lets_the_bot_continue() -> None:
    decision = decide(
        user("我要退货", "request_return"),
        bot("真不好意思，护肤品拆封后就不支持七天无理由退货了。"),
        refused("opened_skincare"),
        user("那我按质量问题申请，用了起痘痘", "request_return"),
    )
    assert not decision.handoff


def test_a_refusal_is_known_by_its_code_whatever_the_bot_said() -> None:
    """Rewording a reply must not change escalation: the wording is never read."""
    contest = user("不行，我不接受", "deny")
    reworded = decide(
        user("退差价", "request_refund"), bot("抱歉哦～"), refused("no_price_difference"), contest
    )
    assert reworded.codes == [CONTESTED_REFUSAL]
    # The old refusal wording without the code (e.g. a product answer) is not a refusal.
    facts = bot(
        "这款是定制商品，不支持七天无理由退货。如果您对这个处理结果有不同意见，可以转人工。"
    )
    assert not decide(user("这个能退吗", "ask_product"), facts, contest).handoff


def test_a_later_decision_replaces_the_refusal() -> None:
    decision = decide(
        user("取消订单", "cancel_order"),
        refused("cancel_after_shipment"),
        user("那我退货吧", "request_return"),
        refused(None),
        user("不用了", "deny"),
    )
    assert not decision.handoff


def test_declining_more_help_after_a_refusal_is_not_contesting_it() -> None:
    decision = decide(
        user("改地址", "modify_address"), refused("address_after_shipment"), user("不用了", "deny")
    )
    assert not decision.handoff


def test_several_reasons_add_up_and_the_highest_priority_wins() -> None:
    decision = decide(user("气死了！我要去12315投诉，马上转人工", "request_human", ("angry", 0.95)))
    assert set(decision.codes) == {LEGAL_THREAT, STRONG_ANGER, REQUESTED_HUMAN}
    assert decision.score == 6.0
    assert decision.priority == 3
    assert all(r.detail for r in decision.reasons)


def test_an_angry_customer_who_asks_for_a_person_waits_in_the_anger_band() -> None:
    decision = decide(user("转人工！", "request_human", ("angry", 0.6)))
    assert decision.codes == [REQUESTED_HUMAN]
    assert decision.priority == 2


# --- calm cases the bot handles itself ---------------------------------------------------------


def test_a_single_mild_complaint_is_answered_by_the_bot() -> None:
    decision = decide(user("快递有点慢啊，下次能快点吗", "complaint", ("angry", 0.6)))
    assert not decision.handoff
    assert decision.reasons == [] and decision.score == 0.0


def test_an_urgent_but_calm_customer_is_answered_by_the_bot() -> None:
    text = "我明天就出国了，麻烦今天一定帮我发出去，拜托了"
    assert not decide(user(text, "urge_shipment", ("anxious", 0.95))).handoff


def test_one_misunderstood_message_is_answered_by_the_bot() -> None:
    assert not decide(user("嗯那个就是那个", "nlu_fallback")).handoff


def test_a_rating_after_the_agent_is_not_anger() -> None:
    assert not decide(user("1分，太差了", "rate", ("angry", 0.95))).handoff


def test_what_led_to_the_last_handoff_does_not_count_after_the_agent_gave_the_chat_back() -> None:
    events = conversation(
        user("垃圾店，气死我了", "complaint", ("angry", 0.97)),
        action("action_handoff"),
        {"event": "pause"},
        user("你好，我是客服小王", "greet"),
        {"event": "resume"},
        action("action_ask_satisfaction"),
        user("你们态度还是不太好", "complaint", ("angry", 0.6)),
    )
    assert not assess(events).handoff


def test_no_customer_message_means_no_decision() -> None:
    assert not assess([action("action_session_start"), {"event": "session_started"}]).handoff


# --- the Rasa policy ---------------------------------------------------------------------------

DOMAIN = Domain.from_dict(
    {
        "intents": ["complaint", "request_human", "inform", "track_order"],
        "actions": ["action_handoff", "action_track_order"],
        "responses": {"utter_ok": [{"text": "好的"}]},
    }
)


@pytest.fixture
def policy(tmp_path: Path) -> EscalationPolicy:
    return EscalationPolicy.create(
        EscalationPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("escalation"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def said(text: str, intent: str, emotion: tuple[str, float] = CALM) -> UserUttered:
    parse = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "emotion": {"name": emotion[0], "confidence": emotion[1]},
    }
    return UserUttered(text, parse["intent"], [], parse)


def tracker_of(*events: Event, domain: Domain = DOMAIN) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("customer-1", list(events), domain.slots)


def handoff_index(domain: Domain = DOMAIN) -> int:
    return domain.index_for_action("action_handoff")


def test_policy_predicts_the_handoff_right_after_a_threat(policy: EscalationPolicy) -> None:
    tracker = tracker_of(ActionExecuted("action_listen"), said("我要去12315投诉", "complaint"))
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    assert prediction.max_confidence == 1.0
    assert prediction.max_confidence_index == handoff_index()
    assert prediction.policy_priority == 6
    reasons = prediction.action_metadata["handoff"]["reasons"]
    assert [r["code"] for r in reasons] == [LEGAL_THREAT]


@pytest.mark.parametrize("failed", ["action_session_start", "action_ask_satisfaction"])
def test_policy_hears_the_message_after_a_failed_action_that_listens_itself(
    policy: EscalationPolicy, failed: str
) -> None:
    """With the action server down, these actions run without their events (no action_listen
    follows them); a threat in the customer's next message must still count."""
    tracker = tracker_of(ActionExecuted(failed), said("我要去12315投诉", "complaint"))
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    assert prediction.max_confidence_index == handoff_index()


def test_policy_stays_silent_for_a_calm_customer(policy: EscalationPolicy) -> None:
    tracker = tracker_of(ActionExecuted("action_listen"), said("我的快递到哪了", "track_order"))
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    assert prediction.max_confidence == 0.0


def test_policy_does_not_hand_over_twice_or_while_paused(policy: EscalationPolicy) -> None:
    angry = said("你们这是欺诈，我要起诉", "complaint")
    listen = DOMAIN.index_for_action("action_listen")
    handed = tracker_of(ActionExecuted("action_listen"), angry, ActionExecuted("action_handoff"))
    after_handoff = policy.predict_action_probabilities(handed, DOMAIN)
    assert after_handoff.probabilities[handoff_index()] == 0.0
    assert after_handoff.probabilities[listen] == 1.0  # the paused chat waits for the agent
    paused = tracker_of(
        ActionExecuted("action_listen"),
        angry,
        ActionExecuted("action_handoff"),
        ConversationPaused(),
        said("还有人吗？我要起诉你们", "complaint"),
    )
    assert policy.predict_action_probabilities(paused, DOMAIN).probabilities[handoff_index()] == 0.0


def test_policy_leaves_the_conversation_to_others_once_resumed(policy: EscalationPolicy) -> None:
    resumed = tracker_of(
        ActionExecuted("action_listen"),
        said("转人工", "request_human"),
        ActionExecuted("action_handoff"),
        ActionExecuted("action_listen"),
        said("满多少包邮", "faq"),
    )
    assert policy.predict_action_probabilities(resumed, DOMAIN).max_confidence == 0.0


def test_policy_only_judges_a_fresh_customer_message(policy: EscalationPolicy) -> None:
    answered = tracker_of(
        ActionExecuted("action_listen"),
        said("我要去12315投诉", "complaint"),
        ActionExecuted("utter_ok"),
        BotUttered("好的"),
    )
    assert policy.predict_action_probabilities(answered, DOMAIN).max_confidence == 0.0


def test_policy_without_the_action_in_the_domain_predicts_nothing(
    policy: EscalationPolicy,
) -> None:
    bare = Domain.from_dict({"intents": ["complaint"], "actions": ["action_track_order"]})
    tracker = tracker_of(
        ActionExecuted("action_listen"), said("我要去12315投诉", "complaint"), domain=bare
    )
    assert policy.predict_action_probabilities(tracker, bare).max_confidence == 0.0


def test_the_handoff_wins_over_a_running_form(policy: EscalationPolicy) -> None:
    tracker = tracker_of(ActionExecuted("action_listen"), said("找律师告你们", "complaint"))
    ours = policy.predict_action_probabilities(tracker, DOMAIN)
    form = [0.0] * DOMAIN.num_actions
    form[DOMAIN.index_for_action("action_track_order")] = 1.0
    # What the RulePolicy returns while a form is active: confidence 1.0, "no user" prediction.
    rule = PolicyPrediction(form, "RulePolicy", 4, is_no_user_prediction=True)
    best = DefaultPolicyPredictionEnsemble._pick_best_policy([rule, ours])
    assert best.policy_name == "EscalationPolicy"
    assert best.max_confidence_index == handoff_index()


def test_answers_to_a_form_question_are_not_repeated_requests() -> None:
    """ "确认取消" answers "确认取消吗？" even though it is classified as another cancel request."""
    from bot.handoff.escalation import REPEATED_REQUEST, assess

    def user(text: str, intent: str) -> dict[str, Any]:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    events = [
        user("帮我取消订单", "cancel_order"),
        {"event": "active_loop", "name": "cancel_order_form"},
        user("确认取消", "cancel_order"),
        {"event": "active_loop", "name": None},
        user("取消订单", "cancel_order"),
    ]
    decision = assess(events, latest_text="取消订单")
    assert REPEATED_REQUEST not in [r.code for r in decision.reasons]
