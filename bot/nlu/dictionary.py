"""Builds the jieba user dictionary from the catalogue and the service desk's vocabulary.

Without it jieba splits shop words it has never seen ("空气炸锅" -> "空气/炸锅", "七天无理由"
-> "七天/无/理由"), and the classifier loses the single token that carries the meaning.
The file is generated, committed, and checked for freshness by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.catalogue.index import brand_names, product_type_words
from bot.settings import REPO_ROOT

DICTIONARY_PATH = REPO_ROOT / "data" / "dictionaries" / "userdict.txt"

# High enough that jieba prefers these words over splitting them, the usual value for user words.
WORD_FREQUENCY = 2000

SERVICE_VOCABULARY = (
    # order and logistics
    "订单号",
    "快递单号",
    "物流单号",
    "运单号",
    "查物流",
    "催发货",
    "催单",
    "发货",
    "没发货",
    "派送中",
    "运输中",
    "已签收",
    "待发货",
    "待付款",
    "中转站",
    "快递员",
    "驿站",
    "菜鸟驿站",
    "顺丰",
    "圆通",
    "中通",
    "韵达",
    "极兔",
    "京东快递",
    "改地址",
    "收货地址",
    "收货人",
    "拒收",
    "签收",
    "漏发",
    "少件",
    "错发",
    "发错货",
    # after-sales
    "退货",
    "换货",
    "退款",
    "退换货",
    "退运费",
    "运费险",
    "七天无理由",
    "7天无理由",
    "无理由退货",
    "退货地址",
    "寄回",
    "售后",
    "售后单",
    "工单",
    "差价",
    "补差价",
    "价保",
    "原路退回",
    "到账",
    "保修",
    "质保",
    "三包",
    "维修",
    "开线",
    "起球",
    "掉色",
    "色差",
    # payment, invoices and promotions
    "花呗",
    "花呗分期",
    "微信支付",
    "支付宝",
    "银行卡",
    "信用卡",
    "电子发票",
    "增值税发票",
    "开发票",
    "优惠券",
    "满减",
    "包邮",
    "运费",
    "会员",
    "银卡",
    "金卡",
    "钻石卡",
    "积分",
    # service and escalation
    "人工客服",
    "转人工",
    "真人",
    "客服",
    "投诉",
    "差评",
    "12315",
    "消协",
    "消费者协会",
    "市场监管局",
    "律师",
    "起诉",
    "曝光",
    "退一赔三",
    "假一赔三",
    "假货",
    # product attributes
    "尺码",
    "码数",
    "尺码表",
    "面料",
    "材质",
    "纯棉",
    "洗涤",
    "机洗",
    "手洗",
    "干洗",
    "有货",
    "库存",
    "缺货",
    "补货",
    "使用方法",
    "说明书",
)


def dictionary_lines(words: Iterable[str]) -> list[str]:
    """One `word frequency` line per distinct word, sorted so the file diffs cleanly."""
    unique = sorted({w.strip() for w in words if w and w.strip() and " " not in w.strip()})
    return [f"{word} {WORD_FREQUENCY}" for word in unique]


def build_dictionary() -> str:
    words = [*product_type_words(), *brand_names(), *SERVICE_VOCABULARY]
    return "\n".join(dictionary_lines(words)) + "\n"


def write_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_dictionary(), encoding="utf-8")
    return path
