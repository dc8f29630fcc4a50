"""The demo catalogue as plain data.

Other layers read it without a database: the NLU builds its jieba dictionary from
:func:`product_type_words` and :func:`brand_names`, the seed turns it into rows.
"""

from __future__ import annotations

from functools import cache

from bot.catalogue.data import apparel, electronics, kitchen, shoes, skincare, sports
from bot.catalogue.types import ProductSpec, SizeRow
from bot.db.enums import Category

__all__ = [
    "CATEGORY_TYPE_WORDS",
    "TYPE_ALIASES",
    "ProductSpec",
    "SizeRow",
    "brand_names",
    "product_type_words",
    "products",
    "products_by_category",
]

# The type words the NLU extracts as product entities, per category. Every one of them names at
# least one catalogue product (a test enforces it).
CATEGORY_TYPE_WORDS: dict[Category, tuple[str, ...]] = {
    Category.APPAREL: (
        "羽绒服",
        "卫衣",
        "T恤",
        "牛仔裤",
        "连衣裙",
        "冲锋衣",
        "衬衫",
        "毛衣",
        "运动裤",
        "夹克",
    ),
    Category.SHOES: ("跑鞋", "篮球鞋", "板鞋", "帆布鞋", "登山鞋", "拖鞋", "马丁靴"),
    Category.SPORTS: (
        "瑜伽垫",
        "羽毛球拍",
        "哑铃",
        "跳绳",
        "篮球",
        "护膝",
        "运动水壶",
        "帐篷",
    ),
    Category.KITCHEN: (
        "空气炸锅",
        "电饭煲",
        "破壁机",
        "电水壶",
        "微波炉",
        "榨汁机",
        "电压力锅",
        "咖啡机",
    ),
    Category.SKINCARE: ("面霜", "精华液", "洗面奶", "防晒霜", "面膜", "爽肤水", "眼霜"),
    Category.ELECTRONICS: (
        "蓝牙耳机",
        "充电宝",
        "智能手表",
        "数据线",
        "蓝牙音箱",
        "电动牙刷",
        "机械键盘",
    ),
}

# What customers actually call a product type: 「这个耳机有降噪吗」 means the 蓝牙耳机,
# 「手表防水吗」 the 智能手表. Only words that name exactly one type word of this catalogue;
# "水壶" (电水壶 or 运动水壶) is deliberately missing, the customer is asked instead.
TYPE_ALIASES: dict[str, str] = {
    "耳机": "蓝牙耳机",
    "手表": "智能手表",
    "音箱": "蓝牙音箱",
    "牙刷": "电动牙刷",
    "键盘": "机械键盘",
    "炸锅": "空气炸锅",
    "压力锅": "电压力锅",
    "料理机": "破壁机",
    "洗面乳": "洗面奶",
    "靴子": "马丁靴",
}


@cache
def products() -> tuple[ProductSpec, ...]:
    """Every catalogue entry, in a stable order (category, then SKU)."""
    modules = (apparel, shoes, sports, kitchen, skincare, electronics)
    return tuple(spec for module in modules for spec in module.PRODUCTS)


def products_by_category() -> dict[Category, list[ProductSpec]]:
    grouped: dict[Category, list[ProductSpec]] = {category: [] for category in Category}
    for spec in products():
        grouped[spec.category].append(spec)
    return grouped


def product_type_words() -> list[str]:
    """Distinct product type words of the catalogue, in catalogue order."""
    return list(dict.fromkeys(spec.product_type for spec in products()))


def brand_names() -> list[str]:
    """Distinct brand names of the catalogue, in catalogue order."""
    return list(dict.fromkeys(spec.brand for spec in products()))
