"""Identifiers, numbers and log placeholders become class tokens for the intent classifiers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bot.nlu.identifier_classes import find_class_spans, without_spans


def _classes(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in find_class_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("926111453460400021到哪了", [("926111453460400021", "order_id")]),
        ("手机13812345678收不到", [("13812345678", "phone")]),
        ("SF820364719925这单", [("SF820364719925", "tracking_number")]),
        ("身高175体重70穿什么码", [("175", "body"), ("70", "body")]),
        (
            "175cm 140斤穿M小了 换L",
            [("175cm", "body"), ("140斤", "body"), ("M", "size"), ("L", "size")],
        ),
        ("马丁靴38码有货不", [("38码", "size")]),
        ("说好15号前到的 今天都17了", [("15号", "date"), ("17", "number")]),
        ("2026-11-20签收的", [("2026-11-20", "date")]),
        ("多扣了我20块 ¥299.5的", [("20块", "amount"), ("¥299.5", "amount")]),
        ("满99包邮吗", [("99", "number")]),
        ("138****5678是我的号", [("138****5678", "phone")]),
        ("https://shop.example.com/item/12 这个", [("https://shop.example.com/item/12", "url")]),
    ],
)
def test_spans_get_the_class_of_what_they_are(text: str, expected: list[tuple[str, str]]) -> None:
    assert _classes(text) == expected


@pytest.mark.parametrize(
    ("placeholder", "kind"),
    [
        ("[订单号]", "order_id"),
        ("【订单号】", "order_id"),
        ("<ORDER_ID>", "order_id"),
        ("[ORDERID_123]", "order_id"),
        ("【运单号】", "tracking_number"),
        ("[数字x]", "number"),
        ("[金额2]", "amount"),
        ("[日期1]", "date"),
        ("[电话x]", "phone"),
        ("【手机号】", "phone"),
        ("[地址x]", "address"),
        ("[链接1]", "url"),
        ("[姓名x]", "name"),
        ("【姓名】", "name"),
    ],
)
def test_anonymised_log_placeholders_read_as_what_they_replaced(
    placeholder: str, kind: str
) -> None:
    assert _classes(f"{placeholder}到哪了") == [(placeholder, kind)]


def test_a_masked_log_line_and_the_real_message_look_the_same() -> None:
    real = "订单926111453460400021改地址，电话13812345678"
    masked = "订单[订单号]改地址，电话【手机号】"
    assert [s.kind for s in find_class_spans(real)] == [s.kind for s in find_class_spans(masked)]
    assert without_spans(real) == without_spans(masked) == "订单改地址，电话"


@pytest.mark.parametrize(
    "text", ["溜了溜了 88", "3q啦", "双11有活动不", "iPhone15有货吗", "好的 谢谢"]
)
def test_numbers_that_are_words_or_names_stay(text: str) -> None:
    assert find_class_spans(text) == []


def test_spans_never_overlap_and_come_in_text_order() -> None:
    spans = find_class_spans("2026年11月20日下单 926111453460400021 付了299元 [订单号] 38码")
    assert [s.kind for s in spans] == ["date", "order_id", "amount", "order_id", "size"]
    assert all(a.end <= b.start for a, b in pairwise(spans))
