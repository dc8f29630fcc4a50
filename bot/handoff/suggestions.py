"""Reply suggestions for the agent console (pure: no database, no Rasa).

An agent taking over a chat should not start from a blank box. The suggestions follow the
dispute steps of the store's service rules (seed 000): respond at once and acknowledge the
problem, apologise sincerely, propose a concrete remedy, and promise to follow up; always with
您 and "我们", warm and professional. Which ones are offered depends on why the bot escalated
(the escalation reason codes) and what the customer asked for (the intents seen so far).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_SUGGESTIONS = 4


@dataclass(frozen=True)
class Reply:
    """A ready-made reply: a short label for the button and the full text the agent sends."""

    key: str
    title: str
    text: str


def _greeting(agent_name: str | None) -> str:
    who = f"人工客服{agent_name}" if agent_name else "人工客服"
    return f"您好，我是{who}，让您久等了！接下来由我为您处理，请问具体遇到了什么问题呢？"


# Reason codes of bot.handoff.escalation, most serious first: the order in which suggestions
# appear when several reasons apply.
_BY_REASON: dict[str, Reply] = {
    "safety_harm": Reply(
        "safety_harm",
        "安全问题优先",
        "听到这个情况真的非常抱歉，您的安全最重要！请您先停止使用这件商品，如有不适请及时就医。"
        "麻烦您拍几张商品和受影响部位的照片发给我们，我们会优先为您处理，"
        "由此产生的退换货运费由我们承担，今天之内一定给您答复。",
    ),
    "legal_threat": Reply(
        "legal_threat",
        "重视并承诺处理",
        "非常理解您的心情，真不好意思给您添麻烦了。您反映的问题我们非常重视，"
        "我现在就为您核实，处理方案和进度都会第一时间告诉您，也请您给我们一个为您解决的机会。",
    ),
    "contested_refusal": Reply(
        "contested_refusal",
        "重新核实售后",
        "真不好意思，之前的答复让您不满意了。我来重新帮您核实这笔售后："
        "麻烦您拍几张商品和包装的照片发给我们，我们核实后会尽快给您一个明确的处理方案。",
    ),
    "strong_anger": Reply(
        "strong_anger",
        "安抚致歉",
        "真的非常抱歉，给您带来这么不好的体验，换作是我也会着急。"
        "请您放心，接下来由我全程跟进，我们一起把问题处理好。",
    ),
    "rising_anger": Reply(
        "rising_anger",
        "安抚致歉",
        "真的非常抱歉，让您反复说明还没有解决，换作是我也会着急。"
        "请您放心，接下来由我全程跟进，我们一起把问题处理好。",
    ),
    "repeated_fallback": Reply(
        "repeated_fallback",
        "重新了解问题",
        "真不好意思，刚才智能客服没能理解您的意思，让您多说了几遍。"
        "麻烦您再简单说一下需要帮您处理什么，我马上为您处理。",
    ),
    "repeated_request": Reply(
        "repeated_request",
        "直接处理",
        "真不好意思，让您重复问了好几次。我已经看到您前面的留言了，我现在就直接为您处理。",
    ),
}

# What the customer was asking about, as Rasa intents (domain.yml): a concrete next step.
_BY_INTENT: dict[str, Reply] = {
    "track_order": Reply(
        "track_order",
        "核实物流",
        "我这就帮您联系快递核实包裹的最新位置，查到结果后马上告诉您，请您稍等一下。",
    ),
    "urge_shipment": Reply(
        "urge_shipment",
        "催促发货",
        "我已经帮您联系仓库加急处理了，发货后物流单号会第一时间同步给您。",
    ),
    "request_return": Reply(
        "request_return",
        "退货说明",
        "退货我们可以帮您办理：一般情况下退货运费由您承担；如果是商品质量问题或我们发错货，"
        "运费由我们承担。麻烦您先拍几张商品照片发给我们确认一下。",
    ),
    "request_exchange": Reply(
        "request_exchange",
        "换货说明",
        "换货我们可以帮您办理：一般情况下换货运费由双方各承担一半；如果是商品质量问题或我们"
        "发错货，运费由我们承担。麻烦您告诉我想换的尺码或颜色。",
    ),
    "request_refund": Reply(
        "request_refund",
        "退款处理",
        "退款这边我来帮您跟进，我先核实一下订单和售后的状态，稍后把处理结果和预计到账时间告诉您。",
    ),
    "refund_status": Reply(
        "refund_status",
        "退款进度",
        "我帮您查一下退款进度。退款会原路退回，到账时间以支付渠道为准，有结果我马上告诉您。",
    ),
    "cancel_order": Reply(
        "cancel_order",
        "取消订单",
        "我来帮您看一下这笔订单现在能不能取消，如果已经发货，我们也可以帮您安排拒收或退货。",
    ),
    "modify_address": Reply(
        "modify_address",
        "修改地址",
        "麻烦您把新的收货地址发给我，我马上联系仓库帮您修改，改好后告诉您。",
    ),
    "complaint": Reply(
        "complaint",
        "诚恳致歉",
        "真不好意思，给您添麻烦了，请先不要着急，我来帮您处理。"
        "麻烦您详细说一下情况，我们一起看看问题出在哪里。",
    ),
}

_FOLLOW_UP = Reply(
    "follow_up",
    "承诺跟进",
    "您的问题我已经记录下来了，处理进展我们会第一时间通知您。请问还有其他可以帮您的吗？",
)

CANNED_REPLIES: tuple[Reply, ...] = (
    Reply("greeting", "开场问候", _greeting(None)),
    Reply(
        "apology",
        "诚恳致歉",
        "您好，真不好意思，给您添麻烦了，请先不要着急，我来帮您处理。",
    ),
    Reply(
        "please_wait",
        "请稍等",
        "好的，我这边马上为您查询，大概需要两三分钟，请您稍等一下。",
    ),
    Reply(
        "ask_photos",
        "请拍照",
        "麻烦您拍几张商品和外包装的照片发给我们，方便我们尽快核实并给您处理方案。",
    ),
    Reply(
        "freight_rules",
        "运费规则",
        "退货运费一般由您承担，换货运费双方各承担一半；如果是商品质量问题或我们发错货，"
        "来回运费都由我们承担。",
    ),
    Reply(
        "refund_arrival",
        "退款到账",
        "退款会原路退回您的支付账户，一般 1-3 个工作日到账，具体以支付渠道为准。",
    ),
    Reply(
        "callback",
        "稍后回电",
        "这个问题需要和仓库进一步核实，我们会在今天之内给您回电话，请您保持电话畅通。",
    ),
    _FOLLOW_UP,
    Reply(
        "closing",
        "结束语",
        "感谢您的耐心，问题已经为您处理好了。接下来会请您为本次服务打个分，祝您生活愉快！",
    ),
)


def suggested_replies(
    reason_codes: Iterable[str],
    intents: Iterable[str] = (),
    *,
    agent_name: str | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> list[Reply]:
    """Up to ``limit`` replies for a case: greet, calm the reasons, act on the request, follow up.

    Reasons come first in their order of seriousness (a safety problem before anger), then the
    customer's latest requests (most recent intent first); unknown codes and intents are
    ignored, so a new escalation reason never breaks the console.
    """
    codes = set(reason_codes)
    chosen: list[Reply] = [Reply("greeting", "开场问候", _greeting(agent_name))]
    # Strong and rising anger share a title: one calming reply is enough.
    seen_titles: set[str] = set()
    for code, reply in _BY_REASON.items():
        if code in codes and reply.title not in seen_titles:
            chosen.append(reply)
            seen_titles.add(reply.title)
    seen_intents: set[str] = set()
    for intent in reversed(list(intents)):
        reply_for_intent = _BY_INTENT.get(intent)
        if reply_for_intent is not None and intent not in seen_intents:
            chosen.append(reply_for_intent)
            seen_intents.add(intent)
    # The follow-up promise is the last step of every dispute; keep room for it.
    return [*chosen[: max(limit - 1, 0)], _FOLLOW_UP][:limit]
