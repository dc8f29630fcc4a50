"""Plain, immutable description of catalogue entries and the size-chart templates they use.

Kept free of SQLAlchemy so the NLU, the tests and the seed can all read the catalogue as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.db.enums import Category


@dataclass(frozen=True)
class SizeRow:
    """One size in a chart; ranges are inclusive, None where the dimension does not apply."""

    size: str
    height_min_cm: int | None = None
    height_max_cm: int | None = None
    weight_min_kg: int | None = None
    weight_max_kg: int | None = None
    foot_length_min_mm: int | None = None
    foot_length_max_mm: int | None = None


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: Category
    product_type: str
    brand: str
    price_yuan: float
    original_price_yuan: float
    material: str
    care_notes: str
    usage_notes: str
    selling_points: str
    colours: tuple[str, ...]
    # Sizes or specifications; empty for one-size goods.
    sizes: tuple[str, ...] = ()
    size_chart: tuple[SizeRow, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    warranty_months: int = 0
    return_exempt: bool = False

    @property
    def price_fen(self) -> int:
        return round(self.price_yuan * 100)

    @property
    def original_price_fen(self) -> int:
        return round(self.original_price_yuan * 100)


APPAREL_SIZES = ("S", "M", "L", "XL", "XXL")


def _apparel_chart(rows: list[tuple[str, int, int, int, int]]) -> tuple[SizeRow, ...]:
    return tuple(
        SizeRow(size, height_min_cm=h0, height_max_cm=h1, weight_min_kg=w0, weight_max_kg=w1)
        for size, h0, h1, w0, w1 in rows
    )


# Regular (men's / unisex) fit.
APPAREL_REGULAR = _apparel_chart(
    [
        ("S", 155, 164, 45, 54),
        ("M", 165, 169, 55, 62),
        ("L", 170, 174, 63, 70),
        ("XL", 175, 179, 71, 80),
        ("XXL", 180, 190, 81, 95),
    ]
)
APPAREL_WOMEN = _apparel_chart(
    [
        ("S", 150, 157, 40, 47),
        ("M", 158, 162, 48, 54),
        ("L", 163, 167, 55, 61),
        ("XL", 168, 172, 62, 68),
        ("XXL", 173, 180, 69, 77),
    ]
)
# Oversize cut: each size fits a larger person, i.e. "选小一码".
APPAREL_LOOSE = _apparel_chart(
    [
        ("S", 160, 167, 50, 59),
        ("M", 168, 173, 60, 68),
        ("L", 174, 178, 69, 77),
        ("XL", 179, 184, 78, 88),
        ("XXL", 185, 195, 89, 100),
    ]
)
# Slim cut: each size fits a smaller person, i.e. "选大一码".
APPAREL_SLIM = _apparel_chart(
    [
        ("S", 150, 159, 42, 50),
        ("M", 160, 166, 51, 58),
        ("L", 167, 172, 59, 66),
        ("XL", 173, 177, 67, 75),
        ("XXL", 178, 185, 76, 88),
    ]
)


def shoe_sizes(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1))


def shoe_chart(first: int = 36, last: int = 45) -> tuple[SizeRow, ...]:
    """Chinese shoe sizes by foot length: size 36 is a 230 mm last, +5 mm per size."""
    rows = []
    for n in range(first, last + 1):
        last_mm = 230 + (n - 36) * 5
        rows.append(SizeRow(str(n), foot_length_min_mm=last_mm - 4, foot_length_max_mm=last_mm))
    return tuple(rows)
