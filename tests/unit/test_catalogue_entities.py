"""Catalogue product mentions found by the spaCy EntityRuler over jieba tokens."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.catalogue.index import products
from bot.catalogue.types import ProductSpec
from bot.db.enums import Category
from bot.nlu.catalogue_entities import (
    CatalogueEntityExtractor,
    CatalogueSegmenter,
    build_catalogue_nlp,
    find_catalogue_entities,
    merge_catalogue_entities,
)


@pytest.fixture(scope="module")
def nlp() -> Any:
    return build_catalogue_nlp(products())


def found(nlp: Any, text: str) -> list[tuple[str, str]]:
    return [(e["value"], e["catalogue_id"]) for e in find_catalogue_entities(nlp, text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想买个空气炸锅，哪款好", [("空气炸锅", "空气炸锅")]),
        # jieba alone would happily cut "买空" here; the term must still come out whole.
        ("买空气炸锅送什么", [("空气炸锅", "空气炸锅")]),
        ("这个蓝牙耳机有货吗", [("蓝牙耳机", "蓝牙耳机")]),
        ("请问5L大容量空气炸锅怎么预热", [("5L大容量空气炸锅", "KI001")]),
        ("男款缓震透气跑鞋42码还有吗", [("男款缓震透气跑鞋", "SH001")]),
        ("补水修护面膜(10片装)孕妇能用吗", [("补水修护面膜(10片装)", "SK005")]),
        # What customers call it: the colloquial word stands for the catalogue's type word.
        ("这个耳机有降噪吗", [("耳机", "蓝牙耳机")]),
        ("手表防水吗", [("手表", "智能手表")]),
    ],
)
def test_products_are_found_inside_sentences(nlp: Any, text: str, expected: list[Any]) -> None:
    assert found(nlp, text) == expected


def test_offsets_point_at_the_mention(nlp: Any) -> None:
    text = "您好，蓝牙耳机怎么配对"
    [entity] = find_catalogue_entities(nlp, text)
    assert text[entity["start"] : entity["end"]] == "蓝牙耳机"
    assert entity["entity"] == "product"


def test_every_catalogue_name_is_recognised_as_its_sku(nlp: Any) -> None:
    for spec in products():
        assert found(nlp, f"请问{spec.name}怎么样") == [(spec.name, spec.sku)], spec.sku


def test_brand_and_type_give_the_sku_only_when_one_product_fits(nlp: Any) -> None:
    assert found(nlp, "声悦蓝牙音箱续航多久") == [("声悦蓝牙音箱", "EL007")]
    # 北岭 sells two down jackets: the phrase itself is the key, the service picks between them.
    assert found(nlp, "北岭羽绒服怎么洗") == [("北岭羽绒服", "北岭羽绒服")]


def test_longest_type_word_wins_and_case_does_not_matter(nlp: Any) -> None:
    assert found(nlp, "篮球鞋和篮球一起买") == [("篮球鞋", "篮球鞋"), ("篮球", "篮球")]
    assert found(nlp, "t恤尺码准吗") == [("t恤", "T恤")]


def test_messages_without_products_find_nothing(nlp: Any) -> None:
    assert found(nlp, "你好，我的快递到哪了") == []
    assert found(nlp, "") == []


def test_patterns_come_from_the_given_catalogue() -> None:
    spec = ProductSpec(
        sku="XX001", name="云朵慢回弹枕头", category=Category.APPAREL, product_type="枕头",
        brand="梦乡", price_yuan=99, original_price_yuan=129, material="", care_notes="",
        usage_notes="", selling_points="", colours=("白色",),
    )  # fmt: skip
    small = build_catalogue_nlp([spec])
    assert found(small, "云朵慢回弹枕头有货吗") == [("云朵慢回弹枕头", "XX001")]
    assert found(small, "梦乡的枕头") == [("梦乡", "梦乡"), ("枕头", "枕头")]
    assert found(small, "空气炸锅") == []


def test_segmenter_keeps_terms_whole_and_cuts_the_rest_with_jieba() -> None:
    pieces = CatalogueSegmenter(["空气炸锅"]).cut("我想买空气炸锅")
    assert "空气炸锅" in pieces
    assert "".join(pieces) == "我想买空气炸锅"


def test_diet_product_guesses_overlapping_a_match_are_replaced() -> None:
    predicted = [
        {"entity": "product", "value": "炸锅", "start": 4, "end": 6},  # clipped by DIET
        {"entity": "product_attribute", "value": "usage", "start": 6, "end": 9},
        {"entity": "product", "value": "护膝", "start": 10, "end": 12},
    ]
    catalogue = [
        {"entity": "product", "value": "空气炸锅", "start": 2, "end": 6, "catalogue_id": "空气炸锅"}
    ]
    merged = merge_catalogue_entities(predicted, catalogue)
    assert [(e["entity"], e["value"]) for e in merged] == [
        ("product", "空气炸锅"),
        ("product_attribute", "usage"),
        ("product", "护膝"),
    ]


def test_component_adds_catalogue_entities_to_messages() -> None:
    message = Message(data={TEXT: "这款空气炸锅怎么用", ENTITIES: []})
    [processed] = CatalogueEntityExtractor().process([message])
    [entity] = processed.get(ENTITIES)
    assert entity["value"] == "空气炸锅"
    assert entity["catalogue_id"] == "空气炸锅"
    assert entity["extractor"] == "CatalogueEntityExtractor"
