"""Reading a delivery address the customer typed in free text (pure functions, no database).

Customers paste addresses in many shapes: "浙江省杭州市西湖区文三路100号 张三 13800001234",
"张三，138-0000-1234，浙江 杭州市 西湖区 文三路 100 号", "上海浦东新区张江路88号3栋501室".
The parser splits off the phone and the recipient, then the province, city and district; what
it cannot place stays in ``detail``, so the concatenation always reads as the customer wrote it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

MIN_LENGTH = 6
MAX_LENGTH = 120

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)  # fmt: skip
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
_SHORT_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
# Short name → full name ("浙江" → "浙江省"), longest first so "黑龙江" wins over shorter names.
_SHORT_NAMES = sorted(
    ((_SHORT_SUFFIX.sub("", p), p) for p in PROVINCES), key=lambda pair: -len(pair[0])
)

# Characters that mark the street part of an address (seed wording: 路/街/道/号/村/小区/栋/室).
STREET_MARKERS = re.compile(
    r"路|街|道|巷|弄|胡同|号|村|组|镇|乡|小区|苑|园|栋|幢|楼|单元|室|座|层|大厦|公寓|广场|"
    r"中心|屯|院|宿舍|驿站|门"
)
_STREET_CHARS = "路街道巷弄号村栋幢楼室座层院门"
_HAN = r"\u4e00-\u9fff"
_CITY = re.compile(rf"^([{_HAN}]{{1,10}}?(?:自治州|地区|市|盟))")
_DISTRICT = re.compile(rf"^([{_HAN}]{{1,8}}?(?:区|县|市|旗))")
# A "district" ending like these is a housing estate or campus, which belongs to the detail.
_NOT_DISTRICT = ("小区", "社区", "校区", "厂区", "景区", "营区")

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


def _take_province(text: str) -> tuple[str, str]:
    for full in PROVINCES:
        if text.startswith(full):
            return full, text[len(full) :]
    for short, full in _SHORT_NAMES:
        if text.startswith(short):
            return full, text[len(short) :]
    return "", text


def split_region(address: str) -> tuple[str, str, str, str]:
    """(province, city, district, detail) of an address written without separators."""
    province, rest = _take_province(address)
    city = ""
    if province in MUNICIPALITIES:
        city = province
        short = province.removesuffix("市")
        # "上海市上海市浦东新区", "北京市市辖区朝阳区": the city level repeats the name.
        rest = re.sub(rf"^(?:{short}市?|市辖区)", "", rest)
    else:
        match = _CITY.match(rest)
        if match and not any(ch in _STREET_CHARS for ch in match.group(1)):
            city, rest = match.group(1), rest[match.end() :]
    district = ""
    match = _DISTRICT.match(rest)
    if match:
        candidate = match.group(1)
        plausible = not any(ch in _STREET_CHARS for ch in candidate) and not candidate.endswith(
            _NOT_DISTRICT
        )
        if plausible:
            district, rest = candidate, rest[match.end() :]
    return province, city, district, rest


def parse_address(text: str) -> ParsedAddress:
    """Split free text into phone, recipient and the four address levels; never loses text."""
    phone, _bad, rest = find_phone(text or "")
    recipient, tokens = _split_recipient(rest)
    province, city, district, detail = split_region("".join(tokens))
    return ParsedAddress(province, city, district, detail, recipient, phone)


def with_known_province(parsed: ParsedAddress, province: str, city: str) -> ParsedAddress:
    """Fill a missing province when the customer moves within the order's current city."""
    if parsed.province or not parsed.has_address:
        return parsed
    short_city = city.removesuffix("市")
    written = parsed.address_text
    if not short_city or not written.startswith(short_city):
        return parsed
    rest = written[len(city) :] if written.startswith(city) else written[len(short_city) :]
    _p, new_city, district, detail = split_region(province + city + rest)
    return ParsedAddress(province, new_city, district, detail, parsed.recipient, parsed.phone)


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
