"""Pure parsers for what customers write about their measurements and their budget.

Customers give numbers the way they speak: "1米75", "一米七", "130斤", "脚长25.5", "一两百",
"500以内", "一七二", "壹仟". These parsers turn such text into plain numbers for size advice and
recommendations. They never guess wildly: a number without a unit or a cue word is ignored rather
than taken as a height or a budget. Chinese numerals are read by cn2an.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import cn2an

# Digits and units as customers type them, the financial forms (壹贰, 佰仟) included.
_CN_DIGITS = "零〇一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖"
_CN_UNITS = "十拾百佰千仟万"
_CN = _CN_DIGITS + _CN_UNITS
# A number as customers type it: Arabic (with decimals) or Chinese numerals ("一点七五" too).
NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+(?:点[{_CN_DIGITS}]+)?)"


def cn_to_number(text: str) -> float | None:
    """'175' → 175, '一百六十' → 160, '一百六' → 160 (spoken short form), '一七二零' → 1720
    (digit by digit), '壹佰贰拾' → 120, '一点七五' → 1.75, '千' → 1000; None if it is no number."""
    text = text.strip()
    if not text:
        return None
    if text[0] in _CN_UNITS:
        # Spoken "千五" / "百六" / "千元" leave out the leading 一, which cn2an needs.
        text = "一" + text
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):  # cn2an raises KeyError on some malformed numerals ("二十零")
        return None


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass(frozen=True)
class Measurements:
    height_cm: int | None = None
    weight_kg: int | None = None
    foot_length_mm: int | None = None
    # "平时穿42码": a customer's usual shoe size, a fair guide for standard Chinese sizes.
    usual_shoe_size: int | None = None

    @property
    def has_body(self) -> bool:
        return self.height_cm is not None or self.weight_kg is not None


_METRE_SPOKEN = re.compile(rf"([1一壹幺])\s*米\s*([0-9{_CN_DIGITS}]{{1,2}})")
_METRE_DECIMAL = re.compile(r"(?<![\d.])(1\.\d{1,2})\s*(?:米|m)(?![a-z])", re.I)
_HEIGHT_CUE = re.compile(
    rf"(?:身高|个子|高)\s*[:：是为有约大概差不多]*\s*({NUM})\s*(cm|厘米|公分)?"
)
_HEIGHT_UNIT = re.compile(r"(?<![\d.])(\d{3})\s*(?:cm|厘米|公分)", re.I)
_WEIGHT_UNIT = re.compile(rf"({NUM})\s*(kg|公斤|千克|斤)", re.I)
_WEIGHT_CUE = re.compile(
    rf"(?:体重|重)\s*[:：是为有约大概差不多]*\s*({NUM})(?!\s*(?:kg|公斤|千克|斤))"
)
_FOOT_CUE = re.compile(
    rf"(?:脚长|脚的长度|脚掌长)\s*[:：是为有约大概差不多]*\s*({NUM})\s*(mm|毫米|cm|厘米|公分)?",
    re.I,
)
_FOOT_MM = re.compile(r"(?<![\d.])(\d{3})\s*(?:mm|毫米)", re.I)
_FOOT_CM = re.compile(r"(?<![\d.])(\d{2}(?:\.\d)?)\s*(?:cm|厘米|公分)", re.I)
_USUAL_SIZE = re.compile(r"(?:平时|一般|平常|通常)?穿\s*(\d{2})\s*(?:码|号|的|鞋)")


def _height(text: str) -> int | None:
    if (m := _METRE_SPOKEN.search(text)) and (rest := cn_to_number(m.group(2))) is not None:
        # "一米七" is 170 and "一米七五" 175: the digits after 米 are spoken digit by digit.
        spoken = 100 + round(rest) * (10 if len(m.group(2)) == 1 else 1)
        return spoken if 100 <= spoken <= 230 else None
    if m := _METRE_DECIMAL.search(text):
        return round(float(m.group(1)) * 100)
    if m := _HEIGHT_CUE.search(text):
        value = cn_to_number(m.group(1))
        if value is not None:
            cm = value * 100 if value < 3 else value  # "身高1.75" is metres
            if 100 <= cm <= 230:
                return round(cm)
    if m := _HEIGHT_UNIT.search(text):
        whole = int(m.group(1))
        return whole if 100 <= whole <= 230 else None
    return None


def _weight(text: str) -> int | None:
    for m in _WEIGHT_UNIT.finditer(text):
        value = cn_to_number(m.group(1))
        if value is None:
            continue
        kg = value / 2 if m.group(2) == "斤" else value  # 1 斤 = 0.5 kg
        if 25 <= kg <= 200:
            return round(kg)
    if cue := _WEIGHT_CUE.search(text):
        value = cn_to_number(cue.group(1))
        if value is not None:
            # Without a unit, Chinese customers usually count in 斤 above 100 ("体重130").
            kg = value / 2 if value > 100 else value
            if 25 <= kg <= 200:
                return round(kg)
    return None


def _foot_length(text: str) -> int | None:
    if m := _FOOT_CUE.search(text):
        value = cn_to_number(m.group(1))
        unit = (m.group(2) or "").lower()
        if value is not None:
            mm = value if unit in ("mm", "毫米") or (not unit and value > 100) else value * 10
            if 180 <= mm <= 330:
                return round(mm)
    if m := _FOOT_MM.search(text):
        mm = int(m.group(1))
        if 180 <= mm <= 330:
            return mm
    if m := _FOOT_CM.search(text):
        cm = float(m.group(1))
        if 18 <= cm <= 33:
            return round(cm * 10)
    return None


def parse_measurements(text: str) -> Measurements:
    """Height (cm), weight (kg), foot length (mm) and usual shoe size found in the text."""
    usual = _USUAL_SIZE.search(text)
    usual_size = int(usual.group(1)) if usual and 33 <= int(usual.group(1)) <= 48 else None
    return Measurements(
        height_cm=_height(text),
        weight_kg=_weight(text),
        foot_length_mm=_foot_length(text),
        usual_shoe_size=usual_size,
    )


# ---------------------------------------------------------------------------------------------
# Budget


@dataclass(frozen=True)
class Budget:
    max_yuan: int | None
    min_yuan: int | None = None


_MONEY = r"(?:元|块钱|块|rmb)?"
_PRICE = rf"(\d+(?:\.\d+)?k(?![a-z])|{NUM})"
_RANGE = re.compile(rf"{_PRICE}\s*{_MONEY}\s*(?:到|至|-|~|～|—)\s*{_PRICE}\s*{_MONEY}", re.I)
# "一两百", "两三百", "三五千": two neighbouring digits before a unit.
_SPOKEN_RANGE = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])(十|百|千|万)")
_ABOVE_ROUND = re.compile(rf"{_PRICE}\s*多\s*{_MONEY}")
_AROUND = re.compile(rf"{_PRICE}\s*{_MONEY}\s*(?:左右|上下|附近)", re.I)
_UPPER_AFTER = re.compile(rf"{_PRICE}\s*{_MONEY}\s*(?:以内|以下|之内|内|封顶)", re.I)
_UPPER_BEFORE = re.compile(
    rf"(?:不超过|不高于|不到|低于|少于|最多|顶多|控制在|预算|价位|价格)\s*[:：是在为]*\s*{_PRICE}"
    rf"\s*{_MONEY}",
    re.I,
)
_FEW_TENS = re.compile(r"几十\s*(?:元|块)")
_FEW_HUNDREDS = re.compile(r"几百\s*(?:元|块)")


def _amount(token: str) -> int | None:
    token = token.lower()
    if token.endswith("k"):
        value = cn_to_number(token[:-1])
        return round(value * 1000) if value is not None else None
    value = cn_to_number(token)
    return round(value) if value is not None and value > 0 else None


def _magnitude(value: int) -> int:
    """The unit of the leading digit: 300 → 100, 50 → 10."""
    return 10 ** int(math.log10(value)) if value >= 10 else 1


_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:人|码|号|岁|天|个月|个|cm|mm|kg|斤|公斤|千克|l|ml|g|克|米|寸|分钟|小时|w|mah)", re.I
)
_MEASURE_BEFORE = ("身高", "体重", "脚长", "高", "重", "穿", "长", "宽")


def _is_money(text: str, m: re.Match[str]) -> bool:
    """Rejects "3-4人", "身高170左右" and the like: numbers that are not prices."""
    if text[: m.start()].rstrip().endswith(_MEASURE_BEFORE):
        return False
    number_end = m.end(m.lastindex or 0)
    return not _NOT_MONEY_AFTER.match(text, number_end)


def _first_money(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return next((m for m in pattern.finditer(text) if _is_money(text, m)), None)


def parse_budget(text: str) -> Budget | None:
    """The price bounds a customer gave (yuan), or None when the text names no budget."""
    if m := _SPOKEN_RANGE.search(text):
        low, high = (cn_to_number(m.group(i) + m.group(3)) for i in (1, 2))
        if low is not None and high is not None:
            return Budget(max_yuan=round(high), min_yuan=round(low))
    if m := _first_money(_RANGE, text):
        low, high = _amount(m.group(1)), _amount(m.group(2))
        if low and high and 10 <= low < high:
            return Budget(max_yuan=high, min_yuan=low)
    if m := _first_money(_AROUND, text):
        value = _amount(m.group(1))
        if value:
            # "200左右" accepts a little above and a fair bit below.
            return Budget(max_yuan=round(value * 1.2), min_yuan=round(value * 0.5))
    if m := _first_money(_ABOVE_ROUND, text):
        value = _amount(m.group(1))
        if value and value >= 10:
            return Budget(max_yuan=value + _magnitude(value) - 1, min_yuan=value)
    for pattern in (_UPPER_AFTER, _UPPER_BEFORE):
        if m := _first_money(pattern, text):
            value = _amount(m.group(1))
            if value:
                return Budget(max_yuan=value)
    if _FEW_TENS.search(text):
        return Budget(max_yuan=99)
    if _FEW_HUNDREDS.search(text):
        return Budget(max_yuan=999)
    return None
