"""Product questions and recommendations as the customer meets them: trackers in, replies out."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.products import ActionAnswerProduct, ActionRecommendProducts
from bot.db.enums import ServiceRecordKind
from bot.db.models import Order, Product, ProductVariant, ServiceRecord
from bot.db.session import dispose_engines, session_scope

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/x"


def product_entity(value: str, catalogue_id: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {"entity": "product", "value": value}
    if catalogue_id:
        entity["catalogue_id"] = catalogue_id
    return entity


def make_tracker(
    text: str,
    *entities: dict[str, Any],
    customer_id: int | None = None,
    slots: dict[str, Any] | None = None,
    intent: str = "ask_product",
) -> Tracker:
    message = {"text": text, "entities": list(entities), "intent": {"name": intent}}
    all_slots = {"customer_id": str(customer_id) if customer_id else None, **(slots or {})}
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": all_slots,
            "events": [{"event": "user", "text": text, "parse_data": message}],
            "latest_message": message,
            "active_loop": {},
        }
    )


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def product_questions(url: str) -> int:
    with session_scope(url) as s:
        query = select(func.count()).select_from(ServiceRecord)
        kind = ServiceRecord.kind == ServiceRecordKind.PRODUCT_QUESTION
        return int(s.execute(query.where(kind)).scalar_one())


# ---------------------------------------------------------------------------------------------
# action_answer_product


def test_size_advice_from_height_and_weight(store_url: str) -> None:
    tracker = make_tracker(
        "身高175体重70，这件羽绒服穿多大",
        product_entity("男款90白鸭绒连帽羽绒服", "AP001"),
        {"entity": "product_attribute", "value": "size"},
    )
    events, messages = run(ActionAnswerProduct(), tracker)
    assert "建议选XL码" in texts(messages)  # 175 cm is XL's band, 70 kg L's: the larger wins
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"product": "男款90白鸭绒连帽羽绒服"}  # follow-ups stay on this jacket


def test_stock_answer_names_the_sold_out_variants(store_url: str) -> None:
    with session_scope(store_url) as s:
        variant = (
            s.execute(
                select(ProductVariant)
                .where(ProductVariant.stock == 0, ProductVariant.size.is_not(None))
                .order_by(ProductVariant.id)
            )
            .scalars()
            .first()
        )
        assert variant is not None
        sku, name, colour, size = (
            variant.product.sku, variant.product.name, variant.colour, variant.size
        )  # fmt: skip
    _, messages = run(
        ActionAnswerProduct(), make_tracker(f"{name}有货吗", product_entity(name, sku))
    )
    reply = texts(messages)
    assert "已售罄" in reply
    line = next(part for part in reply.split("；") if colour in part)
    assert size in line.split("有货")[-1]


def test_asking_for_a_sold_out_variant_says_so(store_url: str) -> None:
    with session_scope(store_url) as s:
        variant = (
            s.execute(
                select(ProductVariant).where(ProductVariant.stock == 0, ProductVariant.size == "XL")
            )
            .scalars()
            .first()
        )
        assert variant is not None
        sku, colour = variant.product.sku, variant.colour
    tracker = make_tracker(f"{colour}XL码还有吗", product_entity(sku, sku))
    _, messages = run(ActionAnswerProduct(), tracker)
    assert f"{colour}XL码暂时售罄" in texts(messages)


def test_unknown_detail_offers_a_person(store_url: str) -> None:
    tracker = make_tracker("这个电水壶能煮中药吗", product_entity("电水壶", "电水壶"))
    _, messages = run(ActionAnswerProduct(), tracker)
    assert "不太确定" in texts(messages)
    assert any(b.get("payload") == "/request_human" for m in messages for b in m["buttons"])


def test_detail_question_is_answered_from_the_catalogue(store_url: str) -> None:
    tracker = make_tracker("20000mAh快充充电宝能带上飞机吗", product_entity("充电宝", "EL003"))
    _, messages = run(ActionAnswerProduct(), tracker)
    assert "可带上飞机" in texts(messages)


def test_several_matches_answer_the_best_and_list_alternatives(store_url: str) -> None:
    tracker = make_tracker(
        "蓝牙耳机保修多久",
        product_entity("蓝牙耳机", "蓝牙耳机"),
        {"entity": "product_attribute", "value": "warranty"},
    )
    _, messages = run(ActionAnswerProduct(), tracker)
    assert "12个月" in messages[0]["text"]
    assert len(messages) == 2 and "同类还有" in messages[1]["text"]


def test_without_a_product_the_latest_order_is_used(store_url: str) -> None:
    with session_scope(store_url) as s:
        latest = (
            s.execute(select(Order).where(Order.customer_id == 2).order_by(Order.created_at.desc()))
            .scalars()
            .first()
        )
        assert latest is not None
        name = latest.items[0].product_name
    _, messages = run(ActionAnswerProduct(), make_tracker("这个怎么洗", customer_id=2))
    assert name in texts(messages) and "洗涤保养" in texts(messages)


def test_anonymous_without_a_product_is_asked_which(store_url: str) -> None:
    _, messages = run(ActionAnswerProduct(), make_tracker("这个怎么洗"))
    assert "哪款商品" in texts(messages)


def test_someone_elses_order_number_reveals_nothing(store_url: str) -> None:
    with session_scope(store_url) as s:
        order = s.execute(select(Order).where(Order.customer_id == 3)).scalars().first()
        assert order is not None
        order_no, name = order.order_no, order.items[0].product_name
    tracker = make_tracker(
        f"订单{order_no}买的这个怎么用", {"entity": "order_id", "value": order_no}, customer_id=1
    )
    _, messages = run(ActionAnswerProduct(), tracker)
    assert name not in texts(messages)


def test_a_verified_visitors_order_is_used(store_url: str) -> None:
    with session_scope(store_url) as s:
        order = s.execute(select(Order).where(Order.customer_id == 4)).scalars().first()
        assert order is not None
        order_no, name = order.order_no, order.items[0].product_name
    tracker = make_tracker("这个怎么用", slots={"verified_order_ids": [order_no]})
    _, messages = run(ActionAnswerProduct(), tracker)
    assert name in texts(messages)


def test_warranty_without_a_product_explains_the_policy_by_category(store_url: str) -> None:
    _, messages = run(ActionAnswerProduct(), make_tracker("你们家电器一般保修多长时间"))
    reply = texts(messages)
    assert "厨房电器保修24个月" in reply and "数码电子保修12个月" in reply
    kitchen = make_tracker("厨电保修几年", {"entity": "category", "value": "kitchen"})
    _, messages = run(ActionAnswerProduct(), kitchen)
    assert "厨房电器保修24个月" in texts(messages) and "数码" not in texts(messages)


def test_follow_up_uses_the_product_talked_about(store_url: str) -> None:
    tracker = make_tracker("那怎么洗呢", slots={"product": "法式碎花雪纺连衣裙"})
    _, messages = run(ActionAnswerProduct(), tracker)
    assert "法式碎花雪纺连衣裙的洗涤保养方法" in texts(messages)


def test_questions_are_recorded_for_signed_in_customers_only_once(store_url: str) -> None:
    before = product_questions(store_url)
    tracker = make_tracker("空气炸锅怎么用", product_entity("空气炸锅", "空气炸锅"), customer_id=1)
    run(ActionAnswerProduct(), tracker)
    run(ActionAnswerProduct(), tracker)  # the same question again
    assert product_questions(store_url) == before + 1
    run(ActionAnswerProduct(), make_tracker("空气炸锅怎么用", product_entity("空气炸锅")))
    assert product_questions(store_url) == before + 1


# ---------------------------------------------------------------------------------------------
# action_recommend_products


def prices(reply: str) -> list[int]:
    return [int(p) for p in re.findall(r"^\d\. .*? ¥(\d+)", reply, flags=re.M)]


def test_recommendation_respects_the_budget(store_url: str) -> None:
    tracker = make_tracker(
        "500以内的鞋子推荐一下",
        {"entity": "category", "value": "shoes"},
        intent="ask_recommendation",
    )
    _, messages = run(ActionRecommendProducts(), tracker)
    found = prices(texts(messages))
    assert len(found) == 3 and all(p <= 500 for p in found)


def test_recommendation_by_type_and_purpose(store_url: str) -> None:
    tracker = make_tracker(
        "帮我挑个充电宝，出差用", product_entity("充电宝", "充电宝"), intent="ask_recommendation"
    )
    _, messages = run(ActionRecommendProducts(), tracker)
    reply = texts(messages)
    assert "20000mAh快充充电宝" in reply  # the one tagged 出差
    assert "磁吸无线充电宝" not in reply


def test_signed_in_customers_get_related_products(store_url: str) -> None:
    tracker = make_tracker(
        "有什么运动装备推荐", {"entity": "category", "value": "sports"}, customer_id=1
    )
    _, messages = run(ActionRecommendProducts(), tracker)
    assert len(messages) == 2 and "的顾客还常买" in messages[1]["text"]


def test_nothing_in_budget_is_said_honestly(store_url: str) -> None:
    tracker = make_tracker("20元以内的厨房电器", {"entity": "category", "value": "kitchen"})
    _, messages = run(ActionRecommendProducts(), tracker)
    reply = texts(messages)
    assert "20元以内有货的厨房电器暂时没有" in reply and len(prices(reply)) == 3


def test_a_bare_request_asks_what_is_wanted(store_url: str) -> None:
    _, messages = run(ActionRecommendProducts(), make_tracker("你好呀"))
    assert messages[0]["response"] == "utter_ask_recommendation"


# ---------------------------------------------------------------------------------------------
# Database down


@pytest.mark.parametrize(
    ("action", "text"),
    [(ActionAnswerProduct(), "空气炸锅怎么用"), (ActionRecommendProducts(), "推荐个蓝牙耳机")],
)
def test_database_down_gets_a_polite_reply(
    monkeypatch: pytest.MonkeyPatch, action: Action, text: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DB)
    try:
        events, messages = run(action, make_tracker(text, product_entity(text[:4])))
    finally:
        dispose_engines()
    assert events == []
    assert [m["response"] for m in messages] == ["utter_service_unavailable"]


def test_products_are_not_changed_by_questions(store_url: str) -> None:
    with session_scope(store_url) as s:
        stock_before = s.execute(select(func.sum(ProductVariant.stock))).scalar_one()
        count_before = s.execute(select(func.count()).select_from(Product)).scalar_one()
    run(ActionAnswerProduct(), make_tracker("空气炸锅有货吗", product_entity("空气炸锅")))
    with session_scope(store_url) as s:
        assert s.execute(select(func.sum(ProductVariant.stock))).scalar_one() == stock_before
        assert s.execute(select(func.count()).select_from(Product)).scalar_one() == count_before
