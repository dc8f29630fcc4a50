"""Product services: parsers, lookups, answers and recommendations on a real seeded store."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.enums import Category, OrderStatus, ServiceRecordKind
from bot.db.models import Customer, Order, Product, ProductVariant, ServiceRecord
from bot.db.session import session_scope
from bot.formatting import yuan_compact
from bot.services.clock import store_now
from bot.services.products.answers import stock_answer, warranty_answer
from bot.services.products.lookup import (
    find_products,
    known_tags,
    product_from_recent_order,
    purchased_products,
    recommend,
    record_product_question,
    warranty_by_category,
)
from bot.services.products.parsing import Budget, cn_to_number, parse_budget, parse_measurements
from bot.services.products.related import complements_for, related_for_customer
from bot.services.products.replies import (
    detail_reply,
    recommendation_reply,
    warranty_policy_reply,
)
from bot.services.products.sizes import size_answer
from bot.services.products.vocab import (
    COMPLEMENTARY_TYPES,
    Attribute,
    infer_attribute,
    purpose_words,
)


def product(session: Session, sku: str) -> Product:
    return session.execute(select(Product).where(Product.sku == sku)).scalar_one()


# ---------------------------------------------------------------------------------------------
# Parsers


@pytest.mark.parametrize(
    ("text", "height", "weight"),
    [
        ("身高170体重65kg", 170, 65),
        ("170cm 130斤", 170, 65),
        ("我1米7，65公斤", 170, 65),
        ("一米七，一百三十斤", 170, 65),
        ("1.70m 65千克", 170, 65),
        ("一米七五，体重一百六十斤左右", 175, 80),
        ("身高1米75", 175, None),
        ("体重130", None, 65),  # without a unit, above 100 means 斤
        ("体重65", None, 65),
        # Read by cn2an: financial numerals, digit by digit, decimals in words.
        ("身高壹柒伍，体重壹佰肆拾斤", 175, 70),
        ("一米七五 一百四十斤", 175, 70),
        ("身高一七二 体重六十公斤", 172, 60),
        ("身高一点六八，体重九十八斤", 168, 49),
        ("我壹米捌，七十五公斤", 180, 75),
    ],
)
def test_height_and_weight_in_every_usual_wording(
    text: str, height: int | None, weight: int | None
) -> None:
    m = parse_measurements(text)
    assert (m.height_cm, m.weight_kg) == (height, weight)


@pytest.mark.parametrize(
    ("text", "foot"),
    [
        ("脚长250mm", 250),
        ("脚长25cm", 250),
        ("25.5厘米", 255),
        ("脚长25.5", 255),
        ("脚长24", 240),
        ("脚长二五五", 255),
        ("脚长贰佰伍拾毫米", 250),
    ],
)
def test_foot_length_in_mm_or_cm(text: str, foot: int) -> None:
    assert parse_measurements(text).foot_length_mm == foot


def test_no_measurements_are_invented() -> None:
    m = parse_measurements("这件衣服穿多大合适")
    assert (m.height_cm, m.weight_kg, m.foot_length_mm, m.usual_shoe_size) == (None,) * 4
    assert parse_measurements("平时穿42码的").usual_shoe_size == 42


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("500以内的鞋子", Budget(500)),
        ("500元以下", Budget(500)),
        ("不超过300", Budget(300)),
        ("三百以内的电子产品", Budget(300)),
        ("千元以内", Budget(1000)),
        ("2k以内", Budget(2000)),
        ("预算200，买啥鞋子", Budget(200)),
        ("预算200左右", Budget(240, 100)),
        ("一两百的", Budget(200, 100)),
        ("两三百的有啥推荐", Budget(300, 200)),
        ("200到300块", Budget(300, 200)),
        ("一百多块", Budget(199, 100)),
        ("几十块的小东西", Budget(99)),
        ("预算一七二零", Budget(1720)),
        ("壹仟伍佰元以内", Budget(1500)),
        ("千五以内", Budget(1500)),
        ("两万以内的电脑", Budget(20000)),
        ("预算十万", Budget(100000)),
        ("三五千的", Budget(5000, 3000)),
    ],
)
def test_budget_wordings(text: str, budget: Budget) -> None:
    assert parse_budget(text) == budget


@pytest.mark.parametrize("text", ["推荐个蓝牙耳机", "帐篷3-4人的", "身高170左右", "42码的跑鞋"])
def test_numbers_that_are_not_prices_are_no_budget(text: str) -> None:
    assert parse_budget(text) is None


def test_chinese_numerals() -> None:
    assert cn_to_number("一百六十") == 160
    assert cn_to_number("一百六") == 160
    assert cn_to_number("一百零五") == 105
    assert cn_to_number("十五") == 15
    assert cn_to_number("一七五") == 175
    assert cn_to_number("一七二零") == 1720
    assert cn_to_number("壹佰贰拾") == 120
    assert cn_to_number("壹贰") == 12
    assert cn_to_number("两百万") == 2_000_000
    assert cn_to_number("一点七五") == 1.75
    assert cn_to_number("千") == 1000
    assert cn_to_number("abc") is None
    assert cn_to_number("二十零") is None


def test_attribute_and_purpose_words() -> None:
    assert infer_attribute("L码还有吗") is Attribute.STOCK
    assert infer_attribute("能机洗吗") is Attribute.CARE
    assert infer_attribute("穿多大") is Attribute.SIZE
    assert infer_attribute("能煮中药吗") is None
    assert set(purpose_words("送男朋友，冬天穿", {"通勤"})) == {
        "男款",
        "礼物",
        "冬季",
        "秋冬",
        "保暖",
    }
    assert purpose_words("上班通勤用", {"通勤", "户外"}) == ["通勤", "商务"]


# ---------------------------------------------------------------------------------------------
# Finding products


def test_products_by_sku_name_brand_type_and_type(seeded_session: Session) -> None:
    s = seeded_session
    assert [p.sku for p in find_products(s, "ap001")] == ["AP001"]
    assert [p.sku for p in find_products(s, "5L大容量空气炸锅怎么用")] == ["KI001"]
    assert {p.sku for p in find_products(s, "北岭羽绒服")} == {"AP001", "AP002"}
    assert {p.product_type for p in find_products(s, "篮球鞋")} == {"篮球鞋"}
    assert find_products(s, "不存在的东西") == []
    assert find_products(s, "") == []


def test_generic_words_rank_by_the_customers_wording_then_sales(seeded_session: Session) -> None:
    s = seeded_session
    assert find_products(s, "蓝牙耳机", hint="降噪的蓝牙耳机")[0].sku == "EL001"
    assert find_products(s, "蓝牙耳机", hint="跑步用的运动蓝牙耳机")[0].sku == "EL002"
    # Without distinguishing words: what can be bought now first, then the best seller.
    ranked = find_products(s, "空气炸锅")
    keys = [(not any(v.stock > 0 for v in p.variants), -p.sales_count) for p in ranked]
    assert len(ranked) > 1 and keys == sorted(keys)


def test_colloquial_type_words_find_the_catalogue_type(seeded_session: Session) -> None:
    s = seeded_session
    # 「这个耳机有降噪吗」 is about the noise-cancelling earphones, not a membership FAQ.
    assert find_products(s, "耳机", hint="这个耳机有降噪吗")[0].sku == "EL001"
    assert {p.product_type for p in find_products(s, "手表防水吗")} == {"智能手表"}
    # The alias only adds its type: a product named outright still wins.
    assert find_products(s, "声悦便携防水蓝牙音箱")[0].sku == "EL007"


def test_product_of_the_latest_order(seeded_session: Session) -> None:
    latest = seeded_session.execute(
        select(Order).where(Order.customer_id == 1).order_by(Order.created_at.desc()).limit(1)
    ).scalar_one()
    found = product_from_recent_order(seeded_session, 1)
    assert found is not None
    assert found.name == latest.items[0].product_name
    assert product_from_recent_order(seeded_session, 999_999) is None


# ---------------------------------------------------------------------------------------------
# Answers


def test_size_advice_follows_the_size_chart(seeded_session: Session) -> None:
    jacket = product(seeded_session, "AP001")
    by_height = next(r.size for r in jacket.size_chart if r.height_min_cm <= 175 <= r.height_max_cm)
    by_weight = next(r.size for r in jacket.size_chart if r.weight_min_kg <= 70 <= r.weight_max_kg)
    order = [r.size for r in jacket.size_chart]
    expected = max(by_height, by_weight, key=order.index)  # the larger one wins
    answer = size_answer(jacket, parse_measurements("身高175体重70"))
    assert f"建议选{expected}码" in answer
    assert "身高175cm" in answer and "体重70kg" in answer


def test_size_advice_without_measurements_shows_the_chart_and_asks(seeded_session: Session) -> None:
    answer = size_answer(product(seeded_session, "AP001"), parse_measurements("穿多大"))
    assert all(f"{size}码" in answer for size in ("S", "M", "L", "XL", "XXL"))
    assert "身高" in answer and "体重" in answer and "建议选" not in answer


def test_shoe_size_from_foot_length(seeded_session: Session) -> None:
    shoes = product(seeded_session, "SH004")
    assert "建议选40码" in size_answer(shoes, parse_measurements("脚长250mm"))
    assert "选42码" in size_answer(shoes, parse_measurements("平时穿42码"))
    outside = size_answer(shoes, parse_measurements("脚长20cm"))
    assert "建议选" not in outside and "不在" in outside


def test_out_of_chart_measurements_are_not_forced_into_a_size(seeded_session: Session) -> None:
    answer = size_answer(product(seeded_session, "AP001"), parse_measurements("身高210"))
    assert "建议选" not in answer and "转人工" in answer


def test_stock_answer_lists_sold_out_variants(seeded_session: Session) -> None:
    sold_out = seeded_session.execute(
        select(ProductVariant)
        .where(ProductVariant.stock == 0, ProductVariant.size.is_not(None))
        .order_by(ProductVariant.id)
    ).scalars()
    variant = next(v for v in sold_out if any(o.stock > 0 for o in v.product.variants))
    answer = stock_answer(variant.product)
    line = next(part for part in answer.split("；") if variant.colour in part)
    assert variant.size in line.split("有货")[-1] and "已售罄" in line
    asked = stock_answer(variant.product, variant.colour, variant.size)
    assert "售罄" in asked


def test_warranty_follows_the_category(seeded_session: Session) -> None:
    assert "24个月" in warranty_answer(product(seeded_session, "KI001"))
    assert "没有单独的保修期" in warranty_answer(product(seeded_session, "AP001"))
    assert "不支持七天无理由" in warranty_answer(product(seeded_session, "AP005"))  # custom-made


def test_restock_questions_admit_the_date_is_unknown(seeded_session: Session) -> None:
    variant = (
        seeded_session.execute(
            select(ProductVariant).where(ProductVariant.stock == 0).order_by(ProductVariant.id)
        )
        .scalars()
        .first()
    )
    assert variant is not None
    answer = stock_answer(variant.product, variant.colour, variant.size, asks_restock=True)
    assert "售罄" in answer and "补货时间" in answer and "查不到" in answer


def test_warranty_policy_by_category(seeded_session: Session) -> None:
    months = warranty_by_category(seeded_session)
    assert months[Category.KITCHEN] == 24 and months[Category.APPAREL] == 0
    everything = warranty_policy_reply(months, None)
    assert "厨房电器保修24个月" in everything and "服装" in everything
    assert "没有单独的保修期" in everything
    assert "服装" not in warranty_policy_reply(months, Category.ELECTRONICS)


def test_detail_questions_quote_the_catalogue_or_admit_not_knowing(
    seeded_session: Session,
) -> None:
    answer = detail_reply(product(seeded_session, "EL003"), "充电宝能带上飞机吗")
    assert answer is not None and "飞机" in answer
    assert detail_reply(product(seeded_session, "KI005"), "电水壶能煮中药吗") is None


# ---------------------------------------------------------------------------------------------
# Recommendations


def test_recommendations_respect_category_budget_and_stock(seeded_session: Session) -> None:
    result = recommend(seeded_session, Category.SHOES, 300, [], None)
    assert result.widened == ()
    assert 0 < len(result.products) <= 3
    for p in result.products:
        assert p.category is Category.SHOES and p.price_fen <= 300_00
        assert any(v.stock > 0 for v in p.variants)


def test_recommendations_use_purpose_tags(seeded_session: Session) -> None:
    purposes = purpose_words("爬山穿的", known_tags(seeded_session))
    result = recommend(seeded_session, Category.SHOES, None, purposes, None)
    assert result.products and all("登山" in p.tags for p in result.products)


def test_nothing_in_budget_widens_honestly(seeded_session: Session) -> None:
    result = recommend(seeded_session, Category.KITCHEN, 20, [], None)
    assert result.widened == ("budget",)
    prices = [p.price_fen for p in result.products]
    assert prices == sorted(prices)  # the closest to the budget first
    reply = recommendation_reply(
        result.products, result.widened, category=Category.KITCHEN, product_type=None,
        budget_max_yuan=20,
    )  # fmt: skip
    assert "20元以内有货的厨房电器暂时没有" in reply
    assert yuan_compact(result.products[0].price_fen) in reply


def test_a_budget_range_without_products_offers_the_closest_prices(
    seeded_session: Session,
) -> None:
    result = recommend(
        seeded_session, Category.SKINCARE, 20, [], None, budget_min_yuan=10
    )  # fmt: skip
    assert result.widened == ("budget",)
    cheapest = min(
        p.price_fen
        for p in seeded_session.execute(
            select(Product).where(Product.category == Category.SKINCARE)
        ).scalars()
        if any(v.stock > 0 for v in p.variants)
    )
    assert result.products[0].price_fen == cheapest


def test_related_products_follow_the_purchase_history(seeded_session: Session) -> None:
    customer = seeded_session.execute(select(Customer).where(Customer.id == 1)).scalar_one()
    owned = purchased_products(seeded_session, customer.id)
    related = related_for_customer(seeded_session, customer.id)
    assert related is not None and related.bought in owned
    assert {p.product_type for p in related.products} <= set(
        COMPLEMENTARY_TYPES[related.bought.product_type]
    )
    assert not {p.id for p in related.products} & {p.id for p in owned}


def test_running_shoes_lead_to_bottles_and_knee_pads(seeded_session: Session) -> None:

    types = [
        p.product_type for p in complements_for(seeded_session, product(seeded_session, "SH001"))
    ]
    assert types[:2] == ["运动水壶", "护膝"]


def test_purchase_history_leaves_out_cancelled_and_unpaid_orders(seeded_session: Session) -> None:
    customer = seeded_session.execute(select(Customer).where(Customer.id == 1)).scalar_one()
    paid = {OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT}
    expected = {
        item.variant.product_id
        for order in customer.orders
        if order.status not in paid
        for item in order.items
    }
    never_paid = {
        item.variant.product_id for o in customer.orders if o.status in paid for item in o.items
    }
    bought = {p.id for p in purchased_products(seeded_session, customer.id)}
    assert bought == expected
    assert never_paid - expected, "the demo customer has a cancelled or unpaid product"
    assert not (never_paid - expected) & bought


# ---------------------------------------------------------------------------------------------
# Records


def _questions(session: Session, customer_id: int) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(ServiceRecord)
            .where(
                ServiceRecord.customer_id == customer_id,
                ServiceRecord.kind == ServiceRecordKind.PRODUCT_QUESTION,
            )
        ).scalar_one()
    )


def test_product_questions_are_recorded_once_for_signed_in_customers(store_url: str) -> None:
    with session_scope(store_url) as s:
        before = _questions(s, 1)
        now = store_now(s)
        assert record_product_question(s, 1, "AP001｜尺码｜穿多大", now) is True
        assert record_product_question(s, 1, "AP001｜尺码｜穿多大", now) is False
        assert record_product_question(s, None, "AP001｜尺码｜穿多大", now) is False
        assert record_product_question(s, 999_999, "AP001｜尺码｜穿多大", now) is False
    with session_scope(store_url) as s:
        assert _questions(s, 1) == before + 1
