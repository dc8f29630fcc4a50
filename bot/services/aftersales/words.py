"""Keyword readers for the after-sales forms: pure functions on the customer's latest words.

The NLU extracts these as entities or intents most of the time; these catch the plain answers
it does not ("传好了", "还没拆", "少了一件"), so the customer is never asked the same thing twice.
Negations are checked first: "没拍" must not read as "拍了".
"""

from __future__ import annotations

import re

from bot.db.enums import AfterSaleReason

_RETURN_REASONS: tuple[tuple[AfterSaleReason, re.Pattern[str]], ...] = (
    (
        AfterSaleReason.WRONG_ITEM,
        re.compile(r"发错|错发|不是我[要买订]的|颜色不对|型号不对|货不对"),
    ),
    (
        AfterSaleReason.QUALITY,
        re.compile(r"质量|坏了|破了|破损|瑕疵|开线|起球|掉色|不能用|用不了|故障|漏|脏|划痕|过敏"),
    ),
    (AfterSaleReason.SIZE, re.compile(r"尺码|码数|大了|小了|太大|太小|不合身|偏大|偏小|穿不上")),
    (AfterSaleReason.NO_REASON, re.compile(r"无理由|不想要|不喜欢|不要了|买多了|拍错")),
)
# Checked in this order: "降价了" and "少了一件" are more specific than a bare "没到".
_REFUND_REASONS: tuple[tuple[AfterSaleReason, re.Pattern[str]], ...] = (
    (AfterSaleReason.PRICE_DIFFERENCE, re.compile(r"降价|差价|便宜了|价保|保价|降了")),
    (AfterSaleReason.MISSING_ITEM, re.compile(r"少了|漏发|少件|少发|缺|漏了")),
    (
        AfterSaleReason.NOT_RECEIVED,
        re.compile(r"没收到|没到|未收到|丢件|丢了|没拿到|收不到|没送到|没有收到"),
    ),
)
_NOT_OPENED = re.compile(r"没拆|未拆|没开|没有拆|没用|没有用|未使用|全新|没动")
_OPENED = re.compile(r"拆了|拆开|拆封|用过|用了|开了|试用|试了|打开")
_NO_PHOTO = re.compile(r"还没|没拍|没传|没上传|拍不了|传不了|没法|不方便|没有照片|不会传|稍后|等会")
_PHOTO = re.compile(r"已上传|上传了|传好了|传了|发了|拍了|拍好了|发过|已发|已拍|好了|弄好了")


def _first(
    text: str, table: tuple[tuple[AfterSaleReason, re.Pattern[str]], ...]
) -> AfterSaleReason | None:
    for reason, pattern in table:
        if pattern.search(text or ""):
            return reason
    return None


def classify_return_reason(text: str) -> AfterSaleReason | None:
    """quality / wrong_item / size / no_reason from the customer's words, or None."""
    return _first(text, _RETURN_REASONS)


def classify_refund_reason(text: str) -> AfterSaleReason | None:
    """not_received / missing_item / price_difference from the customer's words, or None."""
    return _first(text, _REFUND_REASONS)


def opened_in(text: str) -> bool | None:
    """Whether the customer says the item was opened or used; None when they do not say."""
    if _NOT_OPENED.search(text or ""):
        return False
    if _OPENED.search(text or ""):
        return True
    return None


def photo_answer(text: str) -> bool | None:
    """True for "已上传/传好了/拍了", False for "还没拍/拍不了", None for anything else."""
    if _NO_PHOTO.search(text or ""):
        return False
    if _PHOTO.search(text or ""):
        return True
    return None
