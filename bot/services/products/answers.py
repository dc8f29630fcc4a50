"""Answers about one product, composed from its catalogue data (pure: no session, no clock).

Every function returns the reply text, or None when the catalogue has nothing to say: then the
desk says honestly that it is not sure and offers a person (seed 001 四.2: 信息准确性, never
guess). Seed 002 asks for plain words and a next step, so answers end with what to do next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.db.enums import Category
from bot.db.models import Product, ProductVariant
from bot.formatting import yuan_compact
from bot.policy.returns import NO_REASON_WINDOW, QUALITY_WINDOW

LOW_STOCK = 5
_SENTENCE = re.compile(r"[。；;！!？?\n]")


def join_list(items: Sequence[str]) -> str:
    return "、".join(items)


def sentences(text: str) -> list[str]:
    return [s.strip(" ,，") for s in _SENTENCE.split(text or "") if s.strip(" ,，")]


def _has_chart(product: Product) -> bool:
    return bool(product.size_chart)


def size_label(product: Product, size: str) -> str:
    """ "L码" / "42码" for charted sizes; specifications ("5L", "红轴") stay as they are."""
    return f"{size}码" if _has_chart(product) else size


def spec_sizes(product: Product) -> list[str]:
    return list(dict.fromkeys(v.size for v in product.variants if v.size))


def colours(product: Product) -> list[str]:
    return list(dict.fromkeys(v.colour for v in product.variants))


# ---------------------------------------------------------------------------------------------
# Plain facts


def material_answer(product: Product) -> str | None:
    if not product.material:
        return None
    return f"{product.display_name}的材质/参数：{product.material}。"


def care_answer(product: Product) -> str | None:
    if not product.care_notes:
        return None
    return f"{product.display_name}的洗涤保养方法：{product.care_notes}"


def usage_answer(product: Product) -> str | None:
    if not product.usage_notes:
        return None
    return f"{product.display_name}的使用说明：{product.usage_notes}"


def price_answer(product: Product) -> str:
    price, original = product.price_fen, product.original_price_fen
    text = f"{product.display_name}现在售价{yuan_compact(price)}"
    if original and original > price:
        text += f"（划线价{yuan_compact(original)}，立省{yuan_compact(original - price)}）"
    return text + "。下单时如果有可用的优惠券，系统会自动帮您抵扣～"


def colour_answer(product: Product) -> str:
    listed = join_list(colours(product))
    return f"{product.display_name}有这些颜色：{listed}。需要我帮您查某个颜色的库存吗？"


def warranty_answer(product: Product) -> str:
    name = product.display_name
    quality = f"签收后{QUALITY_WINDOW.days}天内出现质量问题可以直接申请退换，运费由我们承担"
    if product.warranty_months:
        months = product.warranty_months
        years = f"（{months // 12}年）" if months % 12 == 0 else ""
        return (
            f"{name}享受{months}个月{years}保修：保修期内非人为损坏的质量问题免费维修；"
            f"另外{quality}。需要报修的话，告诉我订单号就可以帮您登记～"
        )
    if product.return_exempt:
        returns = "这款是定制商品，不支持七天无理由退货"
    elif product.category == Category.SKINCARE:
        returns = f"未拆封可以{NO_REASON_WINDOW.days}天无理由退货，拆封后就不支持无理由退货了"
    else:
        returns = f"签收后{NO_REASON_WINDOW.days}天内、不影响二次销售可以无理由退货"
    return f"{name}没有单独的保修期。{returns}；{quality}，请您放心～"


# ---------------------------------------------------------------------------------------------
# Stock


def _size_list(product: Product, variants: Sequence[ProductVariant]) -> str:
    parts = []
    for v in variants:
        low = f"（仅剩{v.stock}件）" if 0 < v.stock <= LOW_STOCK else ""
        parts.append(f"{v.size}{low}")
    return join_list(parts)


def _colour_line(product: Product, colour: str, variants: list[ProductVariant]) -> str:
    available = [v for v in variants if v.stock > 0]
    sold_out = [v for v in variants if v.stock <= 0]
    if len(variants) == 1 and variants[0].size:
        v = variants[0]
        low = f"（仅剩{v.stock}件）" if 0 < v.stock <= LOW_STOCK else ""
        return f"{colour} {v.size}：" + (f"有货{low}" if v.stock > 0 else "已售罄")
    if all(v.size is None for v in variants):
        if not available:
            return f"{colour}：已售罄"
        low = available[0].stock
        return f"{colour}：有货" + (f"（仅剩{low}件）" if low <= LOW_STOCK else "")
    if not available:
        return f"{colour}：已售罄"
    if not sold_out:
        return f"{colour}：{_size_list(product, available)}都有货"
    return (
        f"{colour}：{_size_list(product, available)}有货，"
        f"{join_list([str(v.size) for v in sold_out])}已售罄"
    )


def stock_answer(
    product: Product,
    colour: str | None = None,
    size: str | None = None,
    asks_restock: bool = False,
) -> str:
    """What is in stock and what is sold out, per colour and size (or for the asked variant)."""
    name = product.display_name
    variants = [
        v
        for v in product.variants
        if (colour is None or v.colour == colour) and (size is None or v.size == size)
    ]
    asked = "".join(x for x in (colour, size and size_label(product, size)) if x)
    restock = (
        "具体补货时间小优这边暂时查不到，您可以先收藏商品，到货会有提醒；也可以说「转人工」帮您问问仓库。"
        if asks_restock
        else ""
    )
    if asked and not variants:
        return f"{name}没有{asked}这个款式哦，可选颜色：{join_list(colours(product))}。"
    if asked and len(variants) == 1:
        v = variants[0]
        if v.stock > 0:
            low = (
                f"，只剩{v.stock}件了，喜欢的话建议尽快下单"
                if v.stock <= LOW_STOCK
                else "，可以放心下单"
            )
            return f"{name}{asked}有货{low}～"
        return f"真不好意思，{name}{asked}暂时售罄了。{restock}"
    by_colour: dict[str, list[ProductVariant]] = {}
    for v in variants:
        by_colour.setdefault(v.colour, []).append(v)
    if all(v.stock <= 0 for v in variants):
        nudge = restock or "可以看看同类的其他款，我帮您推荐～"
        return f"真不好意思，{name}{asked}目前暂时全部售罄了。{nudge}"
    lines = "；".join(_colour_line(product, c, vs) for c, vs in by_colour.items())
    # Each line starts with its colour, so the asked colour is not repeated in front.
    return f"{name}目前的库存：{lines}。{restock}"


def mentioned_variant(product: Product, text: str) -> tuple[str | None, str | None]:
    """The colour and size of this product the text names, if any ("黑色", "XL码", "42码")."""
    colour = None
    for c in sorted(colours(product), key=len, reverse=True):
        stem = c[:-1] if c.endswith("色") and len(c) > 2 else None
        if c in text or (stem and f"{stem}的" in text):
            colour = c
            break
    size = None
    upper = text.upper()
    for s in sorted(spec_sizes(product), key=len, reverse=True):
        if re.search(rf"(?<![A-Z0-9.]){re.escape(s.upper())}(?![A-Z0-9])", upper):
            size = s
            break
    return colour, size
