"""Size advice from a product's size chart and the customer's measurements (pure).

Apparel is sized by height and weight, shoes by foot length (or the customer's usual size,
since the shoes use standard Chinese sizes); other goods have specifications instead of sizes.
The rule itself is :func:`bot.policy.sizes.recommend_size`; this module words the advice.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.models import Product, SizeChartRow
from bot.policy.sizes import SizeRow, recommend_size
from bot.services.products.answers import join_list, sentences, spec_sizes
from bot.services.products.parsing import Measurements


def chart_rows(rows: Sequence[SizeChartRow]) -> list[SizeRow]:
    """The database's size chart as the policy's SizeRow ranges."""

    def span(low: int | None, high: int | None) -> tuple[int, int] | None:
        return (low, high) if low is not None and high is not None else None

    return [
        SizeRow(
            size=r.size,
            height=span(r.height_min_cm, r.height_max_cm),
            weight=span(r.weight_min_kg, r.weight_max_kg),
            foot_length=span(r.foot_length_min_mm, r.foot_length_max_mm),
        )
        for r in rows
    ]


def chart_text(chart: Sequence[SizeRow]) -> str:
    """The chart in one line: "S码 155-164cm/45-54kg；M码 …" or "36码 脚长226-230mm；…"."""
    parts = []
    for r in chart:
        if r.foot_length:
            parts.append(f"{r.size}码 脚长{r.foot_length[0]}-{r.foot_length[1]}mm")
            continue
        dims = [f"{b[0]}-{b[1]}{unit}" for b, unit in ((r.height, "cm"), (r.weight, "kg")) if b]
        parts.append(f"{r.size}码 {'/'.join(dims)}")
    return "；".join(parts)


def _size_tips(product: Product) -> str:
    tips = [s for s in sentences(product.usage_notes) if "码" in s and "建议" in s]
    return f"小提示：{'；'.join(tips)}。" if tips else ""


def _size_stock(product: Product, size: str) -> str:
    variants = [v for v in product.variants if v.size == size]
    available = [v.colour for v in variants if v.stock > 0]
    sold_out = [v.colour for v in variants if v.stock <= 0]
    if not available:
        return f"不过{size}码目前各颜色都暂时售罄了，真不好意思。"
    note = f"（{join_list(sold_out)}暂时售罄）" if sold_out else ""
    return f"{size}码目前{join_list(available)}有货{note}。"


def size_answer(product: Product, measurements: Measurements) -> str:
    name = product.display_name
    chart = chart_rows(product.size_chart)
    if not chart:
        sizes = spec_sizes(product)
        if sizes:
            return f"{name}可选规格：{join_list(sizes)}。{_size_tips(product)}"
        return f"{name}是统一规格，不用选尺码哦。参数：{product.material}。"
    if any(r.foot_length for r in chart):
        return _shoe_size_answer(product, chart, measurements)
    table = chart_text(chart)
    if not measurements.has_body:
        return (
            f"{name}的尺码表：{table}。方便告诉我您的身高和体重吗（例如：身高170体重65kg）？"
            "我帮您对照推荐尺码～"
        )
    size = recommend_size(chart, height_cm=measurements.height_cm, weight_kg=measurements.weight_kg)
    given = "、".join(
        f"{label}{value}{unit}"
        for label, value, unit in (
            ("身高", measurements.height_cm, "cm"),
            ("体重", measurements.weight_kg, "kg"),
        )
        if value is not None
    )
    if size is None:
        return (
            f"按您{given}，超出了{name}尺码表的范围（{table}），小优不敢乱推荐。"
            "可以说「转人工」让人工客服帮您看看～"
        )
    missing = (
        ""
        if measurements.height_cm and measurements.weight_kg
        else ("再告诉我" + ("体重" if measurements.height_cm else "身高") + "的话推荐会更准。")
    )
    advice = f"{_size_stock(product, size)}{_size_tips(product)}{missing}"
    return f"按您{given}，{name}建议选{size}码。{advice}"


def _shoe_size_answer(product: Product, chart: list[SizeRow], m: Measurements) -> str:
    name = product.display_name
    first, last = chart[0], chart[-1]
    assert first.foot_length and last.foot_length  # checked by the caller
    span = f"{first.size}-{last.size}码（脚长{first.foot_length[0]}-{last.foot_length[1]}mm）"
    if m.foot_length_mm is not None:
        size = recommend_size(chart, foot_length_mm=m.foot_length_mm)
        if size is None:
            return (
                f"您的脚长{m.foot_length_mm}mm不在{name}的尺码范围{span}内，"
                "这款可能不太合适，真不好意思。"
            )
        return (
            f"按您脚长{m.foot_length_mm}mm，{name}建议选{size}码。"
            f"{_size_stock(product, size)}{_size_tips(product)}"
        )
    if m.usual_shoe_size is not None:
        size = str(m.usual_shoe_size)
        if size not in {r.size for r in chart}:
            return f"{name}的尺码范围是{span}，没有{size}码，真不好意思。"
        return (
            f"{name}是标准中国码，您平时穿{size}码的话选{size}码就可以。"
            f"{_size_stock(product, size)}{_size_tips(product)}"
        )
    return (
        f"{name}按脚长选码：{chart_text(chart)}。方便告诉我您的脚长吗（例如：脚长250mm）？"
        "我帮您对照选码～"
    )
