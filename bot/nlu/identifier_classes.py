"""Identifiers, numbers and anonymisation placeholders in a message, each with its class.

Which order a customer asks about, how tall they are or what they paid never says *what* they
want; the words around the number do. Rasa's featurizers therefore see a class token in place of
each of these spans (``926111453460400021到哪了`` reads as ``__order_id__ 到哪了``, see
bot.nlu.class_tokens), and the intent classifier (bot.nlu.linear_intent) leaves the spans out
altogether: swapping one order number for another, or dropping it, cannot move the intent, and a
digit pattern the model happened to see in training carries no weight of its own. Exact entity
extraction still reads the original text (bot.nlu.identifiers).

Maintainers retrain from exported, anonymised conversation logs. Those contain placeholders
such as ``【订单号】`` (our own, bot.retrain.masking), ``[订单号]``, ``<ORDER_ID>``,
``[ORDERID_123]`` or ``[金额2]``; they get the class token of what they stand for, so a model
trained on masked logs and a model trained on real messages see the same thing.

Pure functions: no Rasa, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ORDER_ID, PHONE, TRACKING_NUMBER = "order_id", "phone", "tracking_number"
AMOUNT, DATE, BODY, SIZE, NUMBER = "amount", "date", "body", "size", "number"
ADDRESS, URL, NAME, EMAIL = "address", "url", "name", "email"
IDENTIFIERS = (ORDER_ID, PHONE, TRACKING_NUMBER)
CLASSES = (*IDENTIFIERS, AMOUNT, DATE, BODY, SIZE, NUMBER, ADDRESS, URL, NAME, EMAIL)


# Order, phone and tracking numbers by their exact shape (also the entities the extractor
# returns). Lookarounds instead of \b: Python counts Chinese characters as word characters, so
# "订单260311..." has no word boundary before the digits.
IDENTIFIER_PATTERNS: dict[str, re.Pattern[str]] = {
    ORDER_ID: re.compile(r"(?<!\d)[2-9]\d{17}(?!\d)"),
    PHONE: re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    TRACKING_NUMBER: re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|ZT|YD|JT|JDX)\d{12}(?!\d)", re.I),
}


def class_token(kind: str) -> str:
    """The token the classifiers see; ASCII with underscores, so no customer word collides with
    it and Rasa's word featurizer (``\\w+``) keeps it whole."""
    return f"__{kind}__"


@dataclass(frozen=True)
class ClassSpan:
    start: int
    end: int
    kind: str

    @property
    def token(self) -> str:
        return class_token(self.kind)


# What a placeholder's label stands for, in the Chinese and English spellings of log
# anonymisers (matched case-insensitively, longest label first).
_PLACEHOLDER_LABELS: dict[str, str] = {
    TRACKING_NUMBER: "运单号 快递单号 物流单号 快递号 tracking_number tracking_no tracking waybill",
    ORDER_ID: "订单编号 订单号 订单 单号 order_id orderid order_no order",
    PHONE: "手机号码 手机号 手机 电话号码 联系电话 电话 phone_number phone mobile tel",
    AMOUNT: "金额 价格 价钱 amount money price",
    DATE: "日期 时间 datetime date time",
    NUMBER: "数字 号码 编号 身份证号 身份证 银行卡号 卡号 number num id_card idcard card id",
    ADDRESS: "收货地址 地址 address addr location",
    URL: "链接 网址 url link",
    NAME: "姓名 名字 人名 收货人 person name",
    EMAIL: "邮箱 email mail",
}
_LABEL_CLASS = {
    label: kind for kind, labels in _PLACEHOLDER_LABELS.items() for label in labels.split()
}
_LABELS = "|".join(sorted(map(re.escape, _LABEL_CLASS), key=len, reverse=True))
# [订单号] 【手机号】 <ORDER_ID> [ORDERID_123] [数字x] {金额2} 《地址》 ...
_PLACEHOLDER = re.compile(
    rf"[\[【<〈《{{(（]\s*(?P<label>{_LABELS})[\s_\-#:：]*[0-9A-Za-z_]{{0,8}}\s*[\]】>〉》}})）]",
    re.IGNORECASE,
)

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Phone numbers as apps and logs show them half hidden: 138****5678.
_MASKED_PHONE = re.compile(r"(?<!\d)1[3-9]\d[*＊xX]{4}\d{4}(?!\d)")

_N = r"\d+(?:\.\d+)?"
_DATE = re.compile(
    r"(?<!\d)(?:"
    r"\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}[日号]?)?"  # 2026-11-20, 2026年11月
    r"|\d{1,2}月\d{1,2}[日号]?"  # 11月20日
    r"|\d{1,2}[/]\d{1,2}(?!\d)"  # 11/20
    r"|\d{1,2}[:：]\d{2}"  # 14:30
    r"|\d{1,2}(?:号|日)(?![码楼])"  # 15号 (not 38码, not 5号楼)
    r"|\d{1,2}(?:点半?|点钟)"  # 3点
    r")"
)
_AMOUNT = re.compile(rf"[¥￥$]\s*{_N}|(?<![\d.]){_N}\s*(?:元|块钱|块|毛|rmb|RMB|w|万)(?![A-Za-z])")
# Heights and weights, with a unit or right after 身高/体重: 175cm 70kg 140斤 1米75 1.75m.
_BODY = re.compile(
    rf"(?<![\d.])(?:\d{{2,3}}(?:\.\d)?\s*(?:cm|CM|厘米|公分|kg|KG|Kg|公斤|千克|斤)"
    r"|1米\d{1,2}|1\.\d{1,2}\s*(?:米|m|M)(?![A-Za-z]))"
    rf"|(?<=身高)\s*{_N}|(?<=体重)\s*{_N}"
)
# Shoe and clothing sizes: 38码 42.5码 XL XXL 2XL M码; single letters only on their own.
_SIZE = re.compile(
    r"(?<![\d.])\d{2}(?:\.5)?\s*码|(?<![A-Za-z0-9])(?:[2-5]?X{1,4}[LS]|[SML])(?:码|号)?(?![A-Za-z])"
)
_DIGITS = re.compile(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?![A-Za-z0-9])")
# Numbers that are words in chat: 88 / 886 (bye), 666 (well done), 520 (love), 618 and 双11 /
# 双12 (shopping festivals). Masking them would erase what the message says.
_NUMBER_WORDS = re.compile(r"(?<![\d.])(?:88|886|666|520|618)(?![\d.])|双1[12](?!\d)")

# Earlier patterns win where spans overlap: a placeholder or an exact identifier is more
# specific than a date, a date than a bare number.
_ORDERED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (URL, _URL),
    (EMAIL, _EMAIL),
    (TRACKING_NUMBER, IDENTIFIER_PATTERNS[TRACKING_NUMBER]),
    (ORDER_ID, IDENTIFIER_PATTERNS[ORDER_ID]),
    (PHONE, IDENTIFIER_PATTERNS[PHONE]),
    (PHONE, _MASKED_PHONE),
    (DATE, _DATE),
    (AMOUNT, _AMOUNT),
    (BODY, _BODY),
    (SIZE, _SIZE),
)


def find_class_spans(text: str) -> list[ClassSpan]:
    """Every identifier, number and placeholder in ``text``, non-overlapping, in text order."""
    taken: list[ClassSpan] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or s.end <= start for s in taken)

    def add(kind: str, start: int, end: int) -> None:
        # Leading blanks (身高 175) belong to the text around the span.
        while start < end and text[start].isspace():
            start += 1
        if start < end and free(start, end):
            taken.append(ClassSpan(start, end, kind))

    for m in _PLACEHOLDER.finditer(text):
        add(_LABEL_CLASS[m.group("label").lower()], m.start(), m.end())
    for kind, pattern in _ORDERED:
        for m in pattern.finditer(text):
            add(kind, m.start(), m.end())
    words = [(m.start(), m.end()) for m in _NUMBER_WORDS.finditer(text)]
    for m in _DIGITS.finditer(text):
        if not any(m.start() < end and start < m.end() for start, end in words):
            add(NUMBER, m.start(), m.end())
    return sorted(taken, key=lambda s: s.start)


def without_spans(text: str, spans: list[ClassSpan] | None = None) -> str:
    """The text with every span left out, as if the customer had not typed it."""
    out, last = [], 0
    for span in find_class_spans(text) if spans is None else spans:
        out.append(text[last : span.start])
        last = span.end
    out.append(text[last:])
    return "".join(out)
