"""Customers and their address books for the demo store."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.enums import MembershipLevel
from bot.demo.context import Row, SeedContext

RANDOM_CUSTOMERS = 236

# The first customers are hand-written so the README and the chat page's picker can tell a story
# with them; the order scenarios in seed_scenarios.py are keyed by their position here.
DEMO_PEOPLE: tuple[tuple[str, str, MembershipLevel, str, str, str, str], ...] = (
    (
        "王晓明",
        "13812341234",
        MembershipLevel.DIAMOND,
        "上海市",
        "上海市",
        "浦东新区",
        "张江路88号翠湖苑3栋2单元501室",
    ),
    (
        "李芳",
        "13957685432",
        MembershipLevel.GOLD,
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路158号嘉绿苑12幢1单元302室",
    ),
    (
        "张伟",
        "18611112222",
        MembershipLevel.SILVER,
        "北京市",
        "北京市",
        "朝阳区",
        "望京街道阜通东大街6号方恒国际中心B座1203室",
    ),
    (
        "刘洋",
        "15098765432",
        MembershipLevel.NORMAL,
        "广东省",
        "深圳市",
        "南山区",
        "科技园南区高新南七道18号深圳湾科技生态园9栋A座808室",
    ),
    (
        "陈静",
        "17766668888",
        MembershipLevel.GOLD,
        "四川省",
        "成都市",
        "武侯区",
        "天府大道北段1700号环球中心W3区2栋1806室",
    ),
    (
        "赵磊",
        "19912345678",
        MembershipLevel.NORMAL,
        "湖北省",
        "武汉市",
        "洪山区",
        "珞喻路1037号华科紫菘公寓7栋405室",
    ),
)

# (province, city, districts): municipalities repeat their name as the city, as the national
# address format does.
REGIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京市", ("朝阳区", "海淀区", "丰台区", "东城区", "通州区")),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区")),
    ("天津市", "天津市", ("南开区", "河西区", "滨海新区")),
    ("重庆市", "重庆市", ("渝北区", "江北区", "沙坪坝区")),
    ("广东省", "广州市", ("天河区", "海珠区", "番禺区", "白云区")),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区")),
    ("广东省", "东莞市", ("南城街道", "松山湖")),
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区", "拱墅区")),
    ("浙江省", "宁波市", ("鄞州区", "海曙区")),
    ("江苏省", "南京市", ("鼓楼区", "江宁区", "玄武区")),
    ("江苏省", "苏州市", ("工业园区", "姑苏区", "吴中区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区", "双流区")),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区")),
    ("湖南省", "长沙市", ("岳麓区", "天心区", "雨花区")),
    ("河南省", "郑州市", ("金水区", "二七区", "郑东新区")),
    ("山东省", "济南市", ("历下区", "市中区")),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区")),
    ("福建省", "厦门市", ("思明区", "湖里区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区")),
    ("辽宁省", "沈阳市", ("和平区", "浑南区")),
    ("黑龙江省", "哈尔滨市", ("南岗区", "道里区")),
    ("云南省", "昆明市", ("五华区", "盘龙区")),
    ("安徽省", "合肥市", ("蜀山区", "包河区")),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区", "新市区")),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
    "郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    "玉兰萍红鹏辉玲建国宇浩然子涵梓轩欣怡雨婷佳琪思远博文俊杰晨曦嘉怡"
)
ROADS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "长江路",
    "和平路",
    "新华路",
    "文化路",
    "科技路",
    "学府路",
)
COMMUNITIES = (
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "幸福里",
    "金色港湾",
    "绿地世纪城",
    "万科城",
    "碧桂园",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
LEVEL_WEIGHTS = (
    (MembershipLevel.NORMAL, 50),
    (MembershipLevel.SILVER, 25),
    (MembershipLevel.GOLD, 17),
    (MembershipLevel.DIAMOND, 8),
)


@dataclass(frozen=True)
class PersonRows:
    customer: Row
    addresses: tuple[Row, ...]

    @property
    def default_address(self) -> Row:
        return self.addresses[0]


def _name(ctx: SeedContext) -> str:
    given = "".join(ctx.rng.choice(GIVEN_CHARS) for _ in range(ctx.rng.choice((1, 2, 2))))
    return ctx.rng.choice(SURNAMES) + given


def _phone(ctx: SeedContext) -> str:
    while True:
        phone = ctx.rng.choice(MOBILE_PREFIXES) + ctx.digits(8)
        if phone not in ctx.phones:
            ctx.phones.add(phone)
            return phone


def _detail(ctx: SeedContext) -> str:
    rng = ctx.rng
    return (
        f"{rng.choice(ROADS)}{rng.randint(1, 999)}号{rng.choice(COMMUNITIES)}"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元"
        f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    )


def _add_customer(ctx: SeedContext, name: str, phone: str, level: MembershipLevel) -> Row:
    created = ctx.ago(days=ctx.rng.uniform(400, 1500))
    return ctx.add("customers", name=name, phone=phone, level=level.value, created_at=created)


def _add_address(
    ctx: SeedContext, customer: Row, region: tuple[str, str, str], detail: str, default: bool
) -> Row:
    province, city, district = region
    # A second address is sometimes for a family member, who has their own name and phone.
    family = not default and ctx.rng.random() < 0.4
    return ctx.add(
        "addresses",
        customer_id=customer["id"],
        recipient=_name(ctx) if family else customer["name"],
        phone=_phone(ctx) if family else customer["phone"],
        province=province,
        city=city,
        district=district,
        detail=detail,
        is_default=default,
    )


def _random_region(ctx: SeedContext) -> tuple[str, str, str]:
    province, city, districts = ctx.rng.choice(REGIONS)
    return province, city, ctx.rng.choice(districts)


def build_people(ctx: SeedContext) -> tuple[list[PersonRows], list[PersonRows]]:
    """Create the demo customers, then the random ones; returns (demo, others)."""
    ctx.phones.update(phone for _, phone, *_ in DEMO_PEOPLE)
    demo: list[PersonRows] = []
    for name, phone, level, province, city, district, detail in DEMO_PEOPLE:
        customer = _add_customer(ctx, name, phone, level)
        home = _add_address(ctx, customer, (province, city, district), detail, default=True)
        office = _add_address(ctx, customer, _random_region(ctx), _detail(ctx), default=False)
        demo.append(PersonRows(customer, (home, office)))

    levels = [level for level, _ in LEVEL_WEIGHTS]
    weights = [weight for _, weight in LEVEL_WEIGHTS]
    others: list[PersonRows] = []
    for _ in range(RANDOM_CUSTOMERS):
        level = ctx.rng.choices(levels, weights)[0]
        customer = _add_customer(ctx, _name(ctx), _phone(ctx), level)
        count = ctx.rng.choices((1, 2, 3), (60, 30, 10))[0]
        addresses = tuple(
            _add_address(ctx, customer, _random_region(ctx), _detail(ctx), default=i == 0)
            for i in range(count)
        )
        others.append(PersonRows(customer, addresses))
    return demo, others
