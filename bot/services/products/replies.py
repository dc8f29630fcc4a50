"""The desk's replies to product questions and recommendation requests (pure formatting).

Kept apart from the lookups so every sentence a customer reads can be unit-tested without a
database: the functions take ORM objects (or plain values) and return text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.db.enums import CATEGORY_LABELS, Category
from bot.db.models import Product
from bot.formatting import yuan_compact
from bot.policy.returns import QUALITY_WINDOW
from bot.services.products.answers import (
    care_answer,
    colour_answer,
    join_list,
    material_answer,
    mentioned_variant,
    price_answer,
    sentences,
    stock_answer,
    usage_answer,
    warranty_answer,
)
from bot.services.products.parsing import parse_measurements
from bot.services.products.sizes import size_answer
from bot.services.products.vocab import Attribute

HANDOFF_BUTTON = {"title": "转人工", "payload": "/request_human"}

ASK_WHICH_PRODUCT = (
    "请问您想了解哪款商品呢？可以发商品名称（例如「空气炸锅」「北岭羽绒服」）给我，"
    "材质、尺码、洗涤保养、使用方法、库存、保修我都可以帮您查～"
)


def unsure_reply(product: Product | None = None) -> str:
    """Honest "I do not know" plus the offer of a person (seed 001 四.4: escalate, never guess)."""
    about = f"关于{product.display_name}的" if product is not None else ""
    return (
        f"{about}这个问题小优不太确定，怕说错了误导您 🙏 "
        "我可以帮您转人工客服确认，需要的话说「转人工」或点下面的按钮就好～"
    )


def answer_attribute(product: Product, attribute: Attribute, text: str) -> str | None:
    """The answer to one attribute question, or None when the catalogue has no data for it."""
    if attribute is Attribute.SIZE:
        return size_answer(product, parse_measurements(text))
    if attribute is Attribute.STOCK:
        colour, size = mentioned_variant(product, text)
        return stock_answer(product, colour, size, asks_restock="补货" in text)
    answers = {
        Attribute.MATERIAL: material_answer,
        Attribute.CARE: care_answer,
        Attribute.USAGE: usage_answer,
        Attribute.WARRANTY: warranty_answer,
        Attribute.PRICE: price_answer,
        Attribute.COLOUR: colour_answer,
    }
    return answers[attribute](product)


def warranty_policy_reply(months: dict[Category, int], category: Category | None) -> str:
    """Warranty by category, for "电器保修多久" asked without naming a product."""
    if category is not None:
        months = {category: months.get(category, 0)}
    covered = [f"{CATEGORY_LABELS[c]}保修{m}个月" for c, m in months.items() if m]
    uncovered = [CATEGORY_LABELS[c] for c, m in months.items() if not m]
    parts = []
    if covered:
        parts.append("，".join(covered) + "，保修期内非人为损坏的质量问题免费维修")
    if uncovered:
        parts.append(f"{'、'.join(uncovered)}没有单独的保修期")
    return (
        "；".join(parts)
        + f"。所有商品签收后{QUALITY_WINDOW.days}天内出现质量问题都可以申请退换，运费由我们承担。"
        "告诉我具体是哪款商品或订单号，我帮您确认～"
    )


def _stock_summary(product: Product) -> str:
    total = sum(max(v.stock, 0) for v in product.variants)
    if total == 0:
        return "暂时售罄"
    if any(v.stock <= 0 for v in product.variants):
        sized = len({v.size for v in product.variants}) > 1
        return "部分颜色尺码已售罄" if sized else "部分颜色已售罄"
    return "现货充足" if total > 20 else "有货，库存不多"


def selling_point(product: Product) -> str:
    return re.split(r"[,，;；]", product.selling_points or "")[0].strip()


def overview_reply(product: Product) -> str:
    """What the shop would say first about a product the customer only named."""
    parts = [f"{product.display_name}，售价{yuan_compact(product.price_fen)}"]
    if product.selling_points:
        parts.append(f"卖点：{product.selling_points}")
    parts.append(f"颜色：{join_list(list(dict.fromkeys(v.colour for v in product.variants)))}")
    parts.append(f"库存：{_stock_summary(product)}")
    return "；".join(parts) + "。想了解材质、尺码、洗涤保养、使用方法、库存还是保修，直接问我就行～"


# Characters of question words and particles: bigrams made of them carry no product meaning.
_FUNCTION_CHARS = set(
    "吗呢吧啊呀嘛的了是这那个款件台双能可以不会么什怎样多少有没用请问下一还和与在我你"
)
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def _question_keys(question: str, product: Product) -> set[str]:
    for word in (product.name, product.product_type, product.brand):
        question = question.replace(word, " ")
    keys = {
        question[i : i + 2]
        for i in range(len(question) - 1)
        if not (set(question[i : i + 2]) & (_FUNCTION_CHARS | set(" ，,。？?！!")))
    }
    return keys | {w.lower() for w in _ASCII_WORD.findall(question)}


def detail_reply(product: Product, question: str) -> str | None:
    """A detail question ("防水吗", "能带上飞机吗") answered from the product's own texts.

    Quotes the catalogue sentences that share words with the question; None when none do, so
    the caller can say it is not sure instead of inventing an answer.
    """
    keys = _question_keys(question, product)
    if not keys:
        return None
    facts = [
        *sentences(product.material),
        *sentences(product.selling_points),
        *sentences(product.usage_notes),
        *sentences(product.care_notes),
        product.name,
        *(v.size for v in product.variants if v.size),
    ]
    scored = [(sum(1 for k in keys if k in fact.lower()), fact) for fact in dict.fromkeys(facts)]
    best = [fact for score, fact in sorted(scored, key=lambda x: -x[0]) if score][:2]
    if not best:
        return None
    quoted = "；".join(best)
    return (
        f"{product.display_name}的商品详情里是这样写的：「{quoted}」。"
        "如果还没解答您的疑问，可以说「转人工」让人工客服帮您确认～"
    )


def alternatives_reply(products: Sequence[Product]) -> str:
    names = "、".join(f"{p.display_name}（{yuan_compact(p.price_fen)}）" for p in products[:3])
    return f"如果您问的是别的款，同类还有：{names}，告诉我是哪一款就行～"


# ---------------------------------------------------------------------------------------------
# Recommendations


def _what(category: Category | None, product_type: str | None) -> str:
    if product_type:
        return product_type
    return CATEGORY_LABELS[category] if category is not None else "商品"


def recommendation_reply(
    products: Sequence[Product],
    widened: Sequence[str],
    *,
    category: Category | None,
    product_type: str | None,
    budget_max_yuan: int | None,
) -> str:
    what = _what(category, product_type)
    if not products:
        return (
            f"真不好意思，店里暂时没有有货的{what}，"
            "您可以换个品类看看，或者说「转人工」问问近期上新～"
        )
    notes = {
        "purpose": "完全符合您需求的暂时没有，小优放宽了用途条件",
        "budget": (
            f"{budget_max_yuan}元以内有货的{what}暂时没有，下面按价格从低到高列出最接近预算的"
            if budget_max_yuan is not None
            else f"这个价位有货的{what}暂时没有，小优放宽了价格范围"
        ),
        "type": f"有货的{product_type}暂时没有，小优为您找了同类的其他商品",
    }
    intro = "；".join(notes[w] for w in widened if w in notes)
    intro = f"{intro}：" if intro else f"为您挑了{len(products)}款{what}："
    lines = []
    for i, p in enumerate(products, start=1):
        point = selling_point(p)
        lines.append(
            f"{i}. {p.display_name} {yuan_compact(p.price_fen)}"
            + (f"｜{point}" if point else "")
            + f"｜{_stock_summary(p)}"
        )
    return intro + "\n" + "\n".join(lines) + "\n想详细了解哪一款，把名称发给我就行～"


def related_reply(bought: Product, products: Sequence[Product]) -> str:
    names = "、".join(f"{p.display_name}（{yuan_compact(p.price_fen)}）" for p in products)
    return f"另外，买过{bought.name}的顾客还常买：{names}，需要的话可以一起看看～"
