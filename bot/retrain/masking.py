"""Masking of personal data in exported customer messages (pure; no database, no Rasa).

Exported turns leave the production database for a maintainer's laptop and, once labelled, end
up in the training data under version control. Identifiers, phone numbers, addresses and names
are therefore replaced by placeholders before they are written anywhere. Over-masking is the
safe side of every trade-off here: a placeholder too many costs a labeller a moment of context,
a leaked address cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

ORDER = "【订单号】"
TRACKING = "【运单号】"
PHONE = "【手机号】"
NUMBER = "【号码】"
ADDRESS = "【地址】"
NAME = "【姓名】"
PLACEHOLDERS = (ORDER, TRACKING, PHONE, NUMBER, ADDRESS, NAME)

# Digits may be full-width (Python's \d matches them) and phone numbers are often typed in
# groups: 138-1234-5678, 138 1234 5678.
_D = r"\d"
_TRACKING = re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|ZT|YD|JT|JDX)[\s-]?\d{10,15}(?!\d)", re.I)
_ORDER = re.compile(r"(?<!\d)\d{18}(?!\d)")
_PHONE = re.compile(rf"(?<!\d)(?:\+?86[\s-]?)?1[3-9]{_D}(?:[\s-]?{_D}{{4}}){{2}}(?!\d)")
# Any other long digit run (landlines, ID and bank card numbers, order numbers typed short).
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s-]?\d){6,}(?!\d)")

_HAN = "\u4e00-\u9fff"
# Characters that never occur in a place name but often right before one (我寄到..., 送去...):
# excluding them keeps the leftmost match from swallowing the words in front of an address.
_STOP = (
    "我你您他她它在到寄的了是要去往发送给买想问请帮吗呢吧啊呀"
    "这们就还也把被让住收下查看说过哪怎能没改换"
)
_PLACE = rf"(?:(?![{_STOP}])[{_HAN}])"
_PROVINCE = (
    r"(?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川"
    r"|贵州|云南|陕西|甘肃|青海|台湾)省?"
    r"|(?:内蒙古|广西|西藏|宁夏|新疆)(?:壮族|回族|维吾尔)?(?:自治区)?"
    r"|(?:北京|天津|上海|重庆)市?|(?:香港|澳门)(?:特别行政区)?"
)
# A name starting right after 改/换 would swallow the 成 of "改成杭州市" (成 itself starts 成都).
_START = r"(?<![改换])"
_CITY = rf"{_START}{_PLACE}{{2,4}}?(?:市|自治州|地区|盟)"
_DISTRICT = rf"{_START}{_PLACE}{{1,4}}?(?:区|县|旗)"
_REGION = rf"(?:{_PROVINCE})?(?:{_CITY})?(?:{_DISTRICT})?"
_NUM = r"[0-9０-９一二三四五六七八九十百零〇]+"
_UNIT = r"(?:号楼|栋|幢|座|单元|楼|层|室|号|户)"
# An optional sub-district (望京街道), a street with a house number, then building parts.
_STREET = (
    rf"(?:{_START}{_PLACE}{{1,4}}?(?:街道|镇|乡))?"
    rf"{_START}{_PLACE}{{1,6}}?(?:大道|大街|路|街|巷|弄|胡同|道|村){_NUM}(?:号|弄|巷)?"
    rf"(?:[{_HAN}A-Za-z0-9#\-]{{0,12}}?{_NUM}{_UNIT})*"
)
# A residential compound with building/room numbers but no street: 翠湖苑3栋2单元501室.
_COMPOUND = (
    rf"{_START}{_PLACE}{{1,8}}?(?:小区|花园|家园|公寓|大厦|苑|园|城|广场|中心)"
    rf"(?:[A-Za-z0-9#\-]{{0,3}}?{_NUM}{_UNIT})+"
)
_ADDRESS = re.compile(
    rf"{_REGION}{_STREET}"
    rf"|{_REGION}{_COMPOUND}"
    # Two or more divisions together (浙江省杭州市, 杭州市西湖区) identify a place even alone.
    rf"|(?:{_PROVINCE})(?:{_CITY})(?:{_DISTRICT})?"
    rf"|(?:{_PROVINCE}|{_CITY})(?:{_DISTRICT})"
)

# "我叫X", "收货人X", "收件人改成X" ...: the name follows a cue. Names are two or three Han
# characters; particles and the words that typically follow a name end it early.
_NAME_CUE = re.compile(
    r"(?:我叫|我的名字是|名字叫|名字是|收货人|收件人|联系人|签收人|姓名)"
    r"(?:的名字)?(?:是|叫|为|改成|改为|换成|写成|写的是|[:：\s])*"
    rf"([{_HAN}·](?:(?![的了吗呢吧啊呀嘛哦电手地收寄改换是在和跟与我你您要想])[{_HAN}·]){{1,3}})"
)
# Full-width digits and letters from Chinese input methods (１３８…, ＳＦ…) are folded first so
# one set of patterns sees them.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code).isalnum()}

# A name may occur inside a longer word by chance (张伟 in 张伟大); masking it is harmless.
_MIN_NAME_CHARS = 2


@dataclass(frozen=True)
class Masker:
    """Masks one text at a time; ``names`` are the people the shop knows (customers, recipients).

    Longer names are replaced first so 欧阳娜娜 is not masked as 欧阳 + 娜娜 leftovers.
    """

    names: tuple[str, ...] = ()
    _names_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, names: Iterable[str] = ()) -> Masker:
        kept = sorted(
            {n.strip() for n in names if len(n.strip()) >= _MIN_NAME_CHARS},
            key=lambda n: (-len(n), n),
        )
        pattern = re.compile("|".join(re.escape(n) for n in kept)) if kept else None
        return cls(tuple(kept), pattern)

    def __call__(self, text: str) -> str:
        return mask_text(text, self._names_re)


def mask_text(text: str, names: re.Pattern[str] | None = None) -> str:
    """The text with identifiers, phone numbers, addresses and names replaced by placeholders.

    Order matters: tracking numbers before bare digit runs, addresses before names (a street
    named after a person stays one address), and the known names last.
    """
    out = text.translate(_HALF_WIDTH)
    out = _TRACKING.sub(TRACKING, out)
    out = _ORDER.sub(ORDER, out)
    out = _PHONE.sub(PHONE, out)
    out = _LONG_NUMBER.sub(NUMBER, out)
    out = _ADDRESS.sub(ADDRESS, out)
    out = _NAME_CUE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + NAME, out)
    if names is not None:
        out = names.sub(NAME, out)
    return out


def has_placeholder(text: str) -> bool:
    return any(p in text for p in PLACEHOLDERS)
