"""Which of the handbook's complaint categories a complaint belongs to (pure).

The report sorts complaints by category (seed 001 §5.1), so each one gets exactly one: the
category with the most cue words in the customer's words, ties going to the more concrete
problem (a parcel or a product before the price, the price before the service itself).
"""

from __future__ import annotations

from bot.db.enums import ComplaintCategory
from bot.nlu.text import normalise


def _cues(*lines: str) -> tuple[str, ...]:
    return tuple(" ".join(lines).split())


# Cue words in simplified script: the text is normalised first, so 快遞 counts as 快递.
CUES: dict[ComplaintCategory, tuple[str, ...]] = {
    ComplaintCategory.LOGISTICS: _cues(
        "快递 物流 配送 派送 送货 发货 到货 收到货 签收 包裹 运输 丢件",
        "丢了 没收到 还没到 送错 驿站 顺丰 圆通 中通 韵达 极兔 京东物流",
        "转运",
    ),
    ComplaintCategory.QUALITY: _cues(
        "质量 坏了 坏掉 用坏 破了 破损 开线 起球 掉色 褪色 漏 假货",
        "瑕疵 次品 不能用 用不了 故障 过敏 异味 划痕 裂 做工 开胶 断了",
        "不亮 充不进 发霉 变形 缩水 起泡",
    ),
    ComplaintCategory.PRICE: _cues(
        "价格 降价 差价 太贵 贵了 涨价 优惠 券 多收 扣款 乱收 运费 价保 原价 虚标",
    ),
    ComplaintCategory.SERVICE: _cues(
        "客服 态度 回复 不理 服务 机器人 敷衍 推诿 踢皮球 没人管 不回 处理 答复 骗",
    ),
}
# Tie-break order: the first listed wins among equally strong cues.
PRECEDENCE = (
    ComplaintCategory.LOGISTICS,
    ComplaintCategory.QUALITY,
    ComplaintCategory.PRICE,
    ComplaintCategory.SERVICE,
)


def complaint_category(text: str) -> ComplaintCategory:
    """The category of a complaint from its text; 其他 when no cue word matches."""
    plain = normalise(text, max_chars=2000).text.lower()
    best, best_hits = ComplaintCategory.OTHER, 0
    for category in PRECEDENCE:
        hits = sum(plain.count(cue) for cue in CUES[category])
        if hits > best_hits:
            best, best_hits = category, hits
    return best
