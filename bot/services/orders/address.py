"""Reading a delivery address the customer typed in free text (pure functions, no database).

Customers paste addresses in many shapes: "浙江省杭州市西湖区文三路100号 张三 13800001234",
"张三，138-0000-1234，浙江 杭州市 西湖区 文三路 100 号", "上海浦东新区张江路88号3栋501室",
"南京市鼓楼区中山路1号". The project's own rules split off the phone and the recipient; jionlp's
location parser, which knows China's administrative divisions, then places the province, city
and district, filling in what the customer left out (南京市 → 江苏省, 杭州西湖区 → 杭州市).
What it cannot place stays in ``detail``.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MIN_LENGTH = 6
MAX_LENGTH = 120

# Characters that mark the street part of an address (seed wording: 路/街/道/号/村/小区/栋/室).
STREET_MARKERS = re.compile(
    r"路|街|道|巷|弄|胡同|号|村|组|镇|乡|小区|苑|园|栋|幢|楼|单元|室|座|层|大厦|公寓|广场|"
    r"中心|屯|院|宿舍|驿站|门"
)
_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|地区|省|市|区|县|旗|盟)$")
# What may stand between the place names of a region ("北京市市辖区朝阳区", "恩施州恩施市").
_REGION_FILLER = re.compile(r"市辖区|[省市区县州盟]")
_HAN = r"\u4e00-\u9fff"

# Mobile number, tolerating +86 and separators: "+86 138-0000-1234".
_MOBILE = re.compile(r"(?<![\d-])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d-])")
# Any other long run of digits is most likely a mistyped phone number.
_LONG_DIGITS = re.compile(r"(?<![\d-])\+?\d[\d-]{6,}\d(?![\d-])")

_LABELS = re.compile(
    r"(?:新的?|详细|收货|收件|邮寄)?地址(?:是|为|改成|改为)?|(?:联系|收货人|收件人)?(?:电话|手机号?码?)"
    r"(?:是|为|改成|改为)?|麻烦|请|帮我|帮忙|(?:改成|改为|改到|换成|更改为|修改为)"
)
_NAME_LABEL = re.compile(
    rf"(?:收货人|收件人|联系人|姓名)(?:是|为|改成|改为|换成)?[:：\s]*([{_HAN}·]{{2,5}})"
)
_SEPARATORS = re.compile(r"[\s,，;；、/|:：]+")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容", "东方", "皇甫", "令狐", "司徒", "尉迟")
# Given names rarely contain these, estate and building names often do ("万科城", "金色港湾").
_NOT_IN_NAMES = set("城苑园区村里院楼座门店站厦场镇乡庄湾府邸寓舍馆心路街道号室栋幢层巷弄")


class AddressProblem(str, enum.Enum):
    BAD_PHONE = "bad_phone"
    INCOMPLETE = "incomplete"
    NO_PROVINCE = "no_province"
    NO_STREET = "no_street"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class ParsedAddress:
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    recipient: str | None = None
    phone: str | None = None

    @property
    def has_address(self) -> bool:
        return bool(self.province or self.city or self.district or self.detail)

    @property
    def address_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


@dataclass(frozen=True)
class AddressCheck:
    parsed: ParsedAddress | None
    problem: AddressProblem | None = None
    # The digits that looked like a phone but are not a valid mobile number.
    bad_phone: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def looks_like_name(token: str) -> bool:
    """A Chinese personal name: a common surname and one or two more characters."""
    if any(ch in _NOT_IN_NAMES for ch in token):
        return False
    for surname in COMPOUND_SURNAMES:
        if token.startswith(surname):
            return 3 <= len(token) <= 4 and re.fullmatch(rf"[{_HAN}]+", token) is not None
    return (
        2 <= len(token) <= 3
        and token[0] in SURNAMES
        and re.fullmatch(rf"[{_HAN}·]+", token) is not None
    )


def find_phone(text: str) -> tuple[str | None, str | None, str]:
    """(valid mobile, mistyped number, text without them)."""
    phone = None
    match = _MOBILE.search(text)
    if match:
        phone = "".join(match.groups())
        text = f"{text[: match.start()]} {text[match.end() :]}"
    bad = _LONG_DIGITS.search(text)
    bad_phone = bad.group(0) if bad else None
    return phone, bad_phone, text


def _split_recipient(text: str) -> tuple[str | None, list[str]]:
    """The recipient's name (labelled, or a name-like first or last token), and the rest."""
    labelled = _NAME_LABEL.search(text)
    if labelled:
        text = f"{text[: labelled.start()]} {text[labelled.end() :]}"
    tokens = [t for t in _SEPARATORS.split(_LABELS.sub(" ", text)) if t]
    if labelled:
        return labelled.group(1), tokens
    if len(tokens) > 1 and looks_like_name(tokens[-1]):
        return tokens[-1], tokens[:-1]
    if len(tokens) > 1 and looks_like_name(tokens[0]):
        return tokens[0], tokens[1:]
    if tokens:
        # A name glued to the end of the address: "…5栋301室张三", "…100号王小明".
        last = tokens[-1]
        for size in (3, 2):
            name, before = last[-size:], last[:-size]
            if before and re.search(r"[\d室号A-Za-z]$", before) and looks_like_name(name):
                return name, [*tokens[:-1], before]
    return None, tokens


@functools.cache
def _location_parser() -> Callable[[str], Mapping[str, str | None]]:
    """jionlp's ``parse_location``, imported on first use: the import reads its dictionaries
    (about half a second), and jionlp and jiojio print banners that do not belong in our log."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    parse: Callable[[str], Mapping[str, str | None]] = jionlp.parse_location
    return parse


def _is_only_region(text: str, places: tuple[str, ...]) -> bool:
    """Whether the text is nothing but these places, written in full (西湖区), without their
    level (西湖) or by their first two characters (广西壮族自治区 → 广西, 延边朝鲜族自治州 →
    延边)."""
    forms = {f for p in places for f in (p, _ADMIN_SUFFIX.sub("", p), p[:2]) if len(f) >= 2}
    for name in sorted(forms, key=len, reverse=True):
        text = text.replace(name, "")
    return not _REGION_FILLER.sub("", text)


def split_region(address: str) -> tuple[str, str, str, str]:
    """(province, city, district, detail) of an address written without separators.

    The location parser finds place names anywhere in a text; its reading is kept only when the
    address opens with the region, so a place named in a street, a building or a sentence
    ("解放路88号南京大厦", "你们合作的快递员…") is not mistaken for where the parcel goes.
    """
    if not address:
        return "", "", "", ""
    found = _location_parser()(address)
    province, city, district = (found.get(k) or "" for k in ("province", "city", "county"))
    detail = found.get("detail") or ""
    region = address.removesuffix(detail) if detail else address
    if not (province or city or district) or not _is_only_region(
        region, (province, city, district)
    ):
        return "", "", "", address
    return province, city, district, detail


def parse_address(text: str) -> ParsedAddress:
    """Split free text into phone, recipient and the four address levels."""
    phone, _bad, rest = find_phone(text or "")
    recipient, tokens = _split_recipient(rest)
    province, city, district, detail = split_region("".join(tokens))
    return ParsedAddress(province, city, district, detail, recipient, phone)


def with_known_province(parsed: ParsedAddress, province: str, city: str) -> ParsedAddress:
    """Place a district written alone ("西湖区文三路100号") in the order's current city.

    Customers moving within their city often leave the city out, and many district names exist
    in several cities (鼓楼区, 西湖区); the order's current city settles it when it really has a
    district of that name.
    """
    if parsed.province or not parsed.district or not (province and city):
        return parsed
    placed = split_region(province + city + parsed.address_text)
    if placed[:3] != (province, city, parsed.district):
        return parsed
    return ParsedAddress(*placed, parsed.recipient, parsed.phone)


def check_new_address(
    text: str, current_province: str = "", current_city: str = ""
) -> AddressCheck:
    """Whether the text is a usable new delivery address (or just a new phone/recipient)."""
    text = (text or "").strip()
    _phone, bad_phone, _rest = find_phone(text)
    if bad_phone:
        return AddressCheck(None, AddressProblem.BAD_PHONE, bad_phone)
    parsed = with_known_province(parse_address(text), current_province, current_city)
    if not parsed.has_address:
        # Only a new phone and/or recipient: the address itself stays as it is.
        if parsed.phone or parsed.recipient:
            return AddressCheck(parsed)
        return AddressCheck(None, AddressProblem.INCOMPLETE)
    length = len(parsed.address_text)
    if length > MAX_LENGTH:
        return AddressCheck(None, AddressProblem.TOO_LONG)
    if length < MIN_LENGTH or not (parsed.city or parsed.district or parsed.province):
        return AddressCheck(None, AddressProblem.INCOMPLETE)
    if not parsed.province:
        return AddressCheck(None, AddressProblem.NO_PROVINCE)
    if len(parsed.detail) < 3 or not STREET_MARKERS.search(parsed.detail):
        return AddressCheck(None, AddressProblem.NO_STREET)
    return AddressCheck(parsed)
