"""Masking of personal data in exported customer messages (pure)."""

from __future__ import annotations

import pytest

from bot.retrain.masking import ADDRESS, NAME, NUMBER, ORDER, PHONE, TRACKING, Masker, mask_text

SHOP_NAMES = ["王晓明", "李芳", "欧阳娜娜"]


@pytest.fixture(scope="module")
def mask() -> Masker:
    return Masker.of(SHOP_NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订单260415738821096453到哪了", f"订单{ORDER}到哪了"),
        ("我的订单号是２６０４１５７３８８２１０９６４５３", f"我的订单号是{ORDER}"),
        ("SF304918275561这个单号到哪了", f"{TRACKING}这个单号到哪了"),
        ("单号jdx005215722266查不到", f"单号{TRACKING}查不到"),
        ("电话13812345678", f"电话{PHONE}"),
        ("手机 138-1234-5678 打不通", f"手机 {PHONE} 打不通"),
        ("电话１３８１２３４５６７８", f"电话{PHONE}"),
        ("+86 13812345678", PHONE),
        ("座机0571-88886666", f"座机{NUMBER}"),
    ],
)
def test_identifiers_and_phone_numbers_are_masked(mask: Masker, text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寄到上海市浦东新区张江路88号翠湖苑3栋2单元501室", f"寄到{ADDRESS}"),
        ("改成北京市朝阳区望京街道阜通东大街6号方恒国际中心B座1203室吧", f"改成{ADDRESS}吧"),
        ("地址换成杭州市西湖区文三路158号嘉绿苑12幢1单元302室", f"地址换成{ADDRESS}"),
        ("我想问下文化路387号绿地世纪城28栋1单元2601室能到吗", f"我想问下{ADDRESS}能到吗"),
        ("改到成都市武侯区", f"改到{ADDRESS}"),
        ("寄到浙江杭州西湖区要几天", f"寄到{ADDRESS}要几天"),
        ("我住翠湖苑3栋2单元501室", f"我住{ADDRESS}"),
    ],
)
def test_addresses_are_masked_without_eating_the_words_around_them(
    mask: Masker, text: str, expected: str
) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我叫王晓明我要退货", f"我叫{NAME}我要退货"),
        ("我叫赵大海，想查订单", f"我叫{NAME}，想查订单"),
        ("收货人改成李四吧", f"收货人改成{NAME}吧"),
        ("收件人：司马光，电话13812345678", f"收件人：{NAME}，电话{PHONE}"),
        ("你好李芳在吗", f"你好{NAME}在吗"),
        ("帮欧阳娜娜查一下", f"帮{NAME}查一下"),
    ],
)
def test_names_of_the_shop_and_after_a_cue_are_masked(
    mask: Masker, text: str, expected: str
) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "运费怎么算",
        "新疆包邮吗",
        "帮我查查杭州市的快递",
        "我去超市了",
        "尾号1234",  # a phone tail identifies no one and is how anonymous customers verify
        "身高175体重70穿什么码",
        "500以内的跑鞋推荐一下",
        "我要退货😡",
    ],
)
def test_ordinary_messages_are_left_alone(mask: Masker, text: str) -> None:
    assert mask(text) == text


def test_masking_is_idempotent_and_needs_no_names() -> None:
    text = "我叫王晓明，电话13812345678，寄到上海市浦东新区张江路88号"
    once = mask_text(text)
    assert "13812345678" not in once and "张江路" not in once and "王晓明" not in once
    assert mask_text(once) == once


def test_short_names_are_not_used_for_masking() -> None:
    # a one-character "name" would mask that character everywhere
    assert Masker.of(["王", " "]).names == ()
    assert Masker.of(["王"])("王先生的快递") == "王先生的快递"
