"""Catalogue rows (products, variants with stock, size charts) from :mod:`bot.catalogue.index`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue.index import ProductSpec, products
from bot.demo.context import Row, SeedContext


@dataclass(frozen=True)
class StockedProduct:
    spec: ProductSpec
    product: Row
    variants: tuple[Row, ...]


def _stock(ctx: SeedContext) -> int:
    # About one variant in eight is sold out, so "有货吗" has both answers in the demo.
    if ctx.rng.random() < 0.12:
        return 0
    return ctx.rng.choice((3, 5, 8, 12, 20, 35, 60, 120))


def build_products(ctx: SeedContext) -> dict[str, StockedProduct]:
    """Insert every catalogue product; returns them by SKU."""
    stocked: dict[str, StockedProduct] = {}
    for spec in products():
        product = ctx.add(
            "products",
            sku=spec.sku,
            name=spec.name,
            category=spec.category.value,
            product_type=spec.product_type,
            brand=spec.brand,
            price_fen=spec.price_fen,
            original_price_fen=spec.original_price_fen,
            material=spec.material,
            care_notes=spec.care_notes,
            usage_notes=spec.usage_notes,
            selling_points=spec.selling_points,
            tags=",".join(spec.tags),
            warranty_months=spec.warranty_months,
            return_exempt=spec.return_exempt,
            rating=round(ctx.rng.uniform(4.5, 5.0), 1),
            sales_count=ctx.rng.randint(50, 20000),
            on_sale=True,
        )
        variants = []
        sizes: tuple[str | None, ...] = spec.sizes or (None,)
        for ci, colour in enumerate(spec.colours, start=1):
            for si, size in enumerate(sizes, start=1):
                variants.append(
                    ctx.add(
                        "product_variants",
                        product_id=product["id"],
                        sku=f"{spec.sku}-{ci:02d}{si:02d}",
                        colour=colour,
                        size=size,
                        stock=_stock(ctx),
                    )
                )
        for order, row in enumerate(spec.size_chart):
            ctx.add(
                "size_chart_rows",
                product_id=product["id"],
                size=row.size,
                sort_order=order,
                height_min_cm=row.height_min_cm,
                height_max_cm=row.height_max_cm,
                weight_min_kg=row.weight_min_kg,
                weight_max_kg=row.weight_max_kg,
                foot_length_min_mm=row.foot_length_min_mm,
                foot_length_max_mm=row.foot_length_max_mm,
            )
        stocked[spec.sku] = StockedProduct(spec, product, tuple(variants))
    return stocked
