"""The words customers use for product attributes, categories and purposes (pure data).

The NLU extracts ``product_attribute`` and ``category`` entities with canonical values; these
keyword lists are the fallback when it did not, and they map purposes ("送男朋友", "爬山") onto
the catalogue's tags so recommendations can use them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bot.db.enums import Category


class Attribute(str, enum.Enum):
    MATERIAL = "material"
    SIZE = "size"
    CARE = "care"
    USAGE = "usage"
    STOCK = "stock"
    WARRANTY = "warranty"
    PRICE = "price"
    COLOUR = "colour"


ATTRIBUTE_LABELS: dict[Attribute, str] = {
    Attribute.MATERIAL: "材质",
    Attribute.SIZE: "尺码",
    Attribute.CARE: "洗涤保养",
    Attribute.USAGE: "使用方法",
    Attribute.STOCK: "库存",
    Attribute.WARRANTY: "保修",
    Attribute.PRICE: "价格",
    Attribute.COLOUR: "颜色",
}

# Checked in this order: "有L码吗" is about stock, not about choosing a size.
ATTRIBUTE_KEYWORDS: tuple[tuple[Attribute, tuple[str, ...]], ...] = (
    (
        Attribute.STOCK,
        (
            "有货",
            "库存",
            "没货",
            "缺货",
            "售罄",
            "卖完",
            "补货",
            "还有吗",
            "还有没有",
            "断货",
            "现货",
            "有没有货",
        ),
    ),
    (Attribute.WARRANTY, ("保修", "质保", "三包", "保多久", "维修", "保固")),
    (
        Attribute.CARE,
        (
            "洗涤",
            "怎么洗",
            "清洗",
            "清洁",
            "机洗",
            "手洗",
            "干洗",
            "保养",
            "晾",
            "熨",
            "缩水",
            "掉色",
            "洗吗",
        ),
    ),
    (
        Attribute.SIZE,
        (
            "尺码",
            "码数",
            "尺寸",
            "大小",
            "多大",
            "穿多大",
            "什么码",
            "哪个码",
            "几码",
            "偏大",
            "偏小",
            "身高",
            "体重",
            "脚长",
            "拍多大",
            "选码",
            "规格",
            "多厚",
            "几号",
            "几个人",
            "几人",
            "容量",
            "多少升",
        ),
    ),
    (Attribute.MATERIAL, ("材质", "面料", "料子", "成分", "什么做的", "含绒量", "充绒", "材料")),
    (
        Attribute.USAGE,
        (
            "怎么用",
            "使用方法",
            "用法",
            "使用",
            "说明书",
            "怎么操作",
            "怎么连接",
            "配对",
            "预热",
            "怎么开",
            "第一次用",
        ),
    ),
    (Attribute.PRICE, ("多少钱", "价格", "价钱", "几块", "优惠", "打折", "便宜点", "原价", "售价")),
    (Attribute.COLOUR, ("颜色", "什么色", "几个色", "配色")),
)


def attribute_from_value(value: str | None) -> Attribute | None:
    """A canonical entity value ("size") or a Chinese attribute word ("尺码")."""
    if not value:
        return None
    try:
        return Attribute(value.strip().lower())
    except ValueError:
        return infer_attribute(value)


def infer_attribute(text: str) -> Attribute | None:
    for attribute, keywords in ATTRIBUTE_KEYWORDS:
        if any(k in text for k in keywords):
            return attribute
    return None


CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.APPAREL: ("衣服", "服装", "穿搭", "外套", "上衣", "裤子", "裙子", "衣物"),
    Category.SHOES: ("鞋", "靴"),
    Category.SPORTS: ("运动装备", "健身器材", "运动用品", "户外装备", "健身", "运动器材"),
    # Not "家电": in "你们家电器" it is "你们家" + "电器", which covers electronics too.
    Category.KITCHEN: ("厨房电器", "厨电", "厨房", "小家电"),
    Category.SKINCARE: ("护肤", "化妆品", "美妆", "保养品"),
    Category.ELECTRONICS: ("数码", "电子产品", "电子", "3c"),
}


def category_from_value(value: str | None) -> Category | None:
    if not value:
        return None
    try:
        return Category(value.strip().lower())
    except ValueError:
        return category_from_text(value)


def category_from_text(text: str) -> Category | None:
    lowered = text.lower()
    for category, words in CATEGORY_WORDS.items():
        if any(w in lowered for w in words):
            return category
    return None


# Everyday words → catalogue tags (see the tags in bot/catalogue/data).
PURPOSE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "冬天": ("冬季", "秋冬", "保暖"), "冬季": ("冬季", "秋冬"), "保暖": ("保暖", "冬季"),
    "夏天": ("夏季", "春夏"), "春天": ("春秋", "春夏"), "秋天": ("春秋", "秋冬"),
    "上班": ("通勤", "商务"), "通勤": ("通勤",), "商务": ("商务",), "办公": ("办公", "办公室"),
    "送礼": ("礼物",), "礼物": ("礼物",), "生日": ("礼物",), "情人节": ("礼物", "情侣"),
    "男朋友": ("男款", "礼物"), "老公": ("男款",), "爸": ("男款",), "男士": ("男款", "男士"),
    "女朋友": ("女款", "礼物"), "老婆": ("女款",), "妈": ("女款",), "闺蜜": ("女款", "礼物"),
    "女生": ("女款",), "男生": ("男款",),
    "爬山": ("登山", "户外"), "徒步": ("登山", "户外"), "登山": ("登山",), "户外": ("户外",),
    "露营": ("露营", "户外"), "跑步": ("跑步",), "打球": ("篮球",), "篮球": ("篮球",),
    "健身": ("健身",), "瑜伽": ("瑜伽",), "减肥": ("减脂", "健身"), "减脂": ("减脂",),
    "学生": ("学生",), "宿舍": ("宿舍",), "出差": ("出差", "旅行"), "旅行": ("旅行", "度假"),
    "旅游": ("旅行", "度假"), "约会": ("约会",), "家用": ("家庭", "居家"), "家里": ("家庭", "居家"),
    "新家": ("家庭",), "干皮": ("干皮", "保湿"), "油皮": ("油皮", "控油"),
    "敏感肌": ("敏感肌", "温和"), "美白": ("美白", "提亮"), "熬夜": ("熬夜",), "防晒": ("防晒",),
    "防水": ("防水",), "降噪": ("降噪",), "游戏": ("游戏",), "早餐": ("早餐",), "咖啡": ("咖啡",),
    "宝宝": ("母婴",), "老人": ("家庭",), "孩子": ("学生",), "入门": ("入门", "基础款"),
}  # fmt: skip


def purpose_words(text: str, known_tags: Iterable[str] = ()) -> list[str]:
    """Catalogue tags the text asks for, directly ("通勤") or by an everyday word ("上班")."""
    found: dict[str, None] = {}
    for tag in known_tags:
        if len(tag) >= 2 and tag in text:
            found[tag] = None
    for word, tags in PURPOSE_SYNONYMS.items():
        if word in text:
            found.update(dict.fromkeys(tags))
    return list(found)


# What goes with what: the desk's suggestions after a purchase (seed 001 4.2, 根据购买记录推荐).
# Types only; which product of each type is picked from what customers actually bought together.
COMPLEMENTARY_TYPES: dict[str, tuple[str, ...]] = {
    "跑鞋": ("运动水壶", "护膝", "运动裤"),
    "篮球鞋": ("篮球", "护膝", "运动水壶"),
    "登山鞋": ("冲锋衣", "帐篷", "运动水壶"),
    "板鞋": ("T恤", "牛仔裤"),
    "帆布鞋": ("T恤", "牛仔裤"),
    "马丁靴": ("牛仔裤", "夹克"),
    "羽绒服": ("毛衣", "牛仔裤"),
    "冲锋衣": ("登山鞋", "帐篷", "运动水壶"),
    "卫衣": ("运动裤", "板鞋"),
    "T恤": ("牛仔裤", "帆布鞋"),
    "牛仔裤": ("T恤", "卫衣", "板鞋"),
    "衬衫": ("毛衣", "夹克"),
    "毛衣": ("衬衫", "牛仔裤"),
    "运动裤": ("跑鞋", "T恤"),
    "瑜伽垫": ("运动水壶", "跳绳", "运动裤"),
    "哑铃": ("瑜伽垫", "运动水壶"),
    "羽毛球拍": ("运动水壶", "护膝"),
    "篮球": ("篮球鞋", "护膝"),
    "帐篷": ("冲锋衣", "蓝牙音箱", "运动水壶"),
    "空气炸锅": ("电饭煲", "破壁机"),
    "电饭煲": ("电压力锅", "空气炸锅"),
    "破壁机": ("榨汁机", "电水壶"),
    "咖啡机": ("电水壶",),
    "面霜": ("眼霜", "精华液", "爽肤水"),
    "精华液": ("面霜", "爽肤水"),
    "洗面奶": ("爽肤水", "面膜"),
    "防晒霜": ("洗面奶", "爽肤水"),
    "面膜": ("精华液", "面霜"),
    "蓝牙耳机": ("充电宝", "数据线"),
    "智能手表": ("数据线", "蓝牙耳机"),
    "充电宝": ("数据线",),
    "机械键盘": ("数据线",),
}
