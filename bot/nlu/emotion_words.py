"""Words that settle a message's emotion whatever the classifier says (pure; normalised text).

A few hundred training sentences cannot cover every variant of profanity, insults or negated
praise, and two mistakes cost more than the others: a furious customer scored calm is left
alone with the bot, and "不太满意" read as praise hides an unhappy one. So these are matched
literally. Words that also occur in product talk are fenced off with lookarounds (滚筒, 报警器,
空气炸锅, 垃圾桶, 猪皮, 废物利用): a product question must never read as fury.
"""

from __future__ import annotations

import re

# How angry the overrides make a message: fury at least this (above the escalation policy's
# "strong anger" level), negated praise this (an angry turn, but not strong on its own).
FURY_CONFIDENCE = 0.9
DISSATISFIED_CONFIDENCE = 0.6

# Unmistakable fury: profanity, insults aimed at the shop or the bot, explicit statements of
# being fed up. Any one of them is strong anger.
ANGER_MARKERS = re.compile(
    # profanity
    r"他妈|(?<![我他她咱俺家])妈的|你妈|尼玛|tmd|cnm|草泥马|操你|日了狗|狗日|傻逼|煞笔|傻b|傻x|傻叉|(?<![a-z])sb(?![a-z])|"
    # insults
    r"脑残|智障|弱智|白痴|蠢货|蠢猪|蠢材|饭桶|废柴|窝囊废|(?<!可回收)废物(?!利用|回收|处理)|"
    r"二百五|混蛋|王八|狗东西|人渣|败类|奸商|骗子(?!电话|短信)|黑店|黑心|无良|不要脸|无耻|神经病|"
    r"(你|你们|客服|机器人)[^，。！？,.!?]{0,3}有病|脑子(有病|进水|有坑|被驴踢)|没长?脑子|"
    r"(?:是|像|跟|和|一群|一帮|都是)猪(?=吗|啊|呀|吧|么|嘛|[?？!！。，,~]|$|一样|似的|脑|头(?!肉))|"
    r"猪脑子?|猪队友|去死|吃屎|放屁|狗屁|屁用|有个屁|扯淡|人工智障|蠢蛋|笨蛋|笨死|"
    r"吃(?:干|白)饭|算(?:个)?什么东西|是不是傻|你们?(?:真|就)?傻(?:吗|啊|了吧)|去你的|他喵|坑爹|"
    r"有毛病吧|被门夹|骗钱|恶心死|破店|气得我|^滚[！!。~～]*$|"
    r"滚蛋|给我滚|滚开|滚吧|滚出去|滚远点|"
    # 垃圾 as an insult, not the rubbish bin, bag or kitchen waste disposer someone shops for
    r"(?<![扔倒丢捡收装当])垃圾(?!桶|袋|篓|箱|筐|分类|处理|车|站|场|清理|短信|邮件|食品|电话|扔|丢)|"
    # fury stated outright
    r"气死|(?<!空)气炸(?!锅)|忍无可忍|受够了|😡|🤬|💢|👿",
    re.IGNORECASE,
)

# Praise turned round by a negation: "不太满意", "一点都不好", "没觉得好", "不怎么样". The
# negation may be softened (太, 怎么, 是很) or stressed (一点都, 一点也, 根本, 并); 不好意思
# ("sorry") and 好不好 ("OK?") are not praise. Only verdicts on the service or the goods: "不合适"
# or "不喜欢这个颜色" is a calm reason to exchange, not dissatisfaction with the shop.
_NEGATION = (
    r"(?:不|没|没有|并不|并没有?|根本不|根本没|一点(?:都|也|儿都|儿也)?不|从来不|完全不|毫不)"
)
_SOFTENER = r"(?:太|怎么|是很|很|大|算|那么|咋|觉得|感觉|看出|发现|见得|哪里|哪儿|有多|多么?){0,2}"
# A bare "不好" is too common outside verdicts ("心情不好", "膝盖不好", "还没好"): 好 alone
# counts only softened or stressed ("不太好", "一点都不好", "没觉得好"), and not as 好看 or 好吃,
# which judge taste (a calm reason to exchange).
_STRESSED = (
    r"(?:一点(?:都|也|儿都|儿也)?不|并不|并没有?|根本不|根本没|完全不|"
    r"(?:不|没|没有)(?:太|怎么|是很|那么|咋|算|觉得|感觉|看出|发现)\S{0,2})"
)
NEGATED_PRAISE = re.compile(
    rf"(?<![好有]){_NEGATION}{_SOFTENER}(?:满意|好用|值得|靠谱|专业|给力|怎么样|咋样)|"
    rf"(?<![好有]){_STRESSED}好(?!意思|说|像|几|多|久|的话|看|听|闻|穿|吃|喝)|"
    r"(?:好|满意|值)什么(?:好|满意|值)|谈不上(?:满意|好)|算不上(?:满意|好)|称不上(?:满意|好)|"
    r"(?:满意|好评)个屁|差强人意",
)
# "如果不满意能退吗" asks about a case; it is not a verdict.
_HYPOTHETICAL = re.compile(r"如果|万一|要是|假如|假设|的话|会不会|能不能退|可以退吗|能退吗")


def fury_in(text: str) -> str | None:
    """The fury marker in the (normalised) text, if any."""
    match = ANGER_MARKERS.search(text)
    return match.group(0) if match else None


def negated_praise_in(text: str) -> str | None:
    """Negated praise stating dissatisfaction ("不太满意"), not a conditional question."""
    match = NEGATED_PRAISE.search(text)
    if match is None or _HYPOTHETICAL.search(text):
        return None
    return match.group(0)
