"""Closed vocabularies of the store, as Python enums.

Values are what is stored in the database and what the dialogue layer shows or matches: the
customer-facing states are Chinese words, internal keys (category, ticket type and reason,
record kind) are short ASCII keys with a Chinese label next to them.
"""

from __future__ import annotations

import enum


class Category(str, enum.Enum):
    APPAREL = "apparel"
    SHOES = "shoes"
    SPORTS = "sports"
    KITCHEN = "kitchen"
    SKINCARE = "skincare"
    ELECTRONICS = "electronics"


CATEGORY_LABELS: dict[Category, str] = {
    Category.APPAREL: "服装",
    Category.SHOES: "鞋靴",
    Category.SPORTS: "运动户外",
    Category.KITCHEN: "厨房电器",
    Category.SKINCARE: "美妆护肤",
    Category.ELECTRONICS: "数码电子",
}


class MembershipLevel(str, enum.Enum):
    NORMAL = "普通"
    SILVER = "银卡"
    GOLD = "金卡"
    DIAMOND = "钻石卡"


class OrderStatus(str, enum.Enum):
    """Order life cycle; declaration order is the display order used by reports and the CLI."""

    PENDING_PAYMENT = "待付款"
    PENDING_SHIPMENT = "待发货"
    SHIPPED = "已发货"
    IN_TRANSIT = "运输中"
    OUT_FOR_DELIVERY = "派送中"
    SIGNED = "已签收"
    CANCELLED = "已取消"
    AFTER_SALE = "售后中"
    COMPLETED = "已完成"


# States in which the parcel has left the warehouse but has not been signed for.
IN_FLIGHT_STATUSES = frozenset(
    {OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY}
)
# States whose parcel was delivered and signed for.
DELIVERED_STATUSES = frozenset({OrderStatus.SIGNED, OrderStatus.AFTER_SALE, OrderStatus.COMPLETED})


class PaymentMethod(str, enum.Enum):
    WECHAT = "微信支付"
    ALIPAY = "支付宝"
    BANK_CARD = "银行卡"
    HUABEI = "花呗"


class Carrier(str, enum.Enum):
    SF = "顺丰"
    YTO = "圆通"
    ZTO = "中通"
    YUNDA = "韵达"
    JT = "极兔"
    JD = "京东"


# Tracking numbers are the prefix followed by exactly 12 digits.
CARRIER_PREFIXES: dict[Carrier, str] = {
    Carrier.SF: "SF",
    Carrier.YTO: "YT",
    Carrier.ZTO: "ZT",
    Carrier.YUNDA: "YD",
    Carrier.JT: "JT",
    Carrier.JD: "JDX",
}

CARRIER_FULL_NAMES: dict[Carrier, str] = {
    Carrier.SF: "顺丰速运",
    Carrier.YTO: "圆通速递",
    Carrier.ZTO: "中通快递",
    Carrier.YUNDA: "韵达快递",
    Carrier.JT: "极兔速递",
    Carrier.JD: "京东物流",
}


class EventKind(str, enum.Enum):
    """What a logistics event means, so code never has to parse the Chinese description."""

    PICKED_UP = "已揽收"
    IN_TRANSIT = "运输中"
    OUT_FOR_DELIVERY = "派送中"
    SIGNED = "已签收"
    EXCEPTION = "异常"


class DeliveryException(str, enum.Enum):
    ADDRESS_UNCLEAR = "地址不详"
    NOBODY_HOME = "无人签收"
    DAMAGED = "包裹破损"
    PHONE_UNREACHABLE = "电话无法接通"
    WEATHER_DELAY = "天气原因延误"


class AfterSaleType(str, enum.Enum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"


AFTER_SALE_TYPE_LABELS: dict[AfterSaleType, str] = {
    AfterSaleType.RETURN: "退货退款",
    AfterSaleType.EXCHANGE: "换货",
    AfterSaleType.REFUND: "仅退款",
}


class AfterSaleReason(str, enum.Enum):
    QUALITY = "quality"
    WRONG_ITEM = "wrong_item"
    SIZE = "size"
    NO_REASON = "no_reason"
    NOT_RECEIVED = "not_received"
    MISSING_ITEM = "missing_item"
    PRICE_DIFFERENCE = "price_difference"


AFTER_SALE_REASON_LABELS: dict[AfterSaleReason, str] = {
    AfterSaleReason.QUALITY: "质量问题",
    AfterSaleReason.WRONG_ITEM: "发错货",
    AfterSaleReason.SIZE: "尺码不合适",
    AfterSaleReason.NO_REASON: "七天无理由",
    AfterSaleReason.NOT_RECEIVED: "未收到货",
    AfterSaleReason.MISSING_ITEM: "少件/漏发",
    AfterSaleReason.PRICE_DIFFERENCE: "价格差价",
}


class AfterSaleStatus(str, enum.Enum):
    PENDING_REVIEW = "待审核"
    AWAITING_RETURN = "待寄回"
    REFUNDING = "退款中"
    REFUNDED = "已退款"
    EXCHANGING = "换货中"
    REJECTED = "已拒绝"
    COMPLETED = "已完成"
    WITHDRAWN = "已撤销"


# Tickets in these states are still being worked on; an order with one is 售后中.
OPEN_AFTER_SALE_STATUSES = frozenset(
    {
        AfterSaleStatus.PENDING_REVIEW,
        AfterSaleStatus.AWAITING_RETURN,
        AfterSaleStatus.REFUNDING,
        AfterSaleStatus.EXCHANGING,
    }
)


class ServiceRecordKind(str, enum.Enum):
    """What the service desk (bot or human) did or was asked on an order or for a customer."""

    LOGISTICS_INQUIRY = "logistics_inquiry"
    URGE_SHIPMENT = "urge_shipment"
    ADDRESS_CHANGE = "address_change"
    CANCEL = "cancel"
    AFTER_SALE = "after_sale"
    PRODUCT_QUESTION = "product_question"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    HANDOFF = "handoff"
    NOTE = "note"


SERVICE_RECORD_KIND_LABELS: dict[ServiceRecordKind, str] = {
    ServiceRecordKind.LOGISTICS_INQUIRY: "查询物流",
    ServiceRecordKind.URGE_SHIPMENT: "催发货",
    ServiceRecordKind.ADDRESS_CHANGE: "修改地址",
    ServiceRecordKind.CANCEL: "取消订单",
    ServiceRecordKind.AFTER_SALE: "售后申请",
    ServiceRecordKind.PRODUCT_QUESTION: "商品咨询",
    ServiceRecordKind.COMPLAINT: "投诉",
    ServiceRecordKind.SUGGESTION: "建议",
    ServiceRecordKind.HANDOFF: "转人工",
    ServiceRecordKind.NOTE: "备注",
}


class ComplaintCategory(str, enum.Enum):
    """What a complaint is about; the handbook sorts complaints this way for its reports."""

    LOGISTICS = "物流"
    QUALITY = "质量"
    SERVICE = "服务"
    PRICE = "价格"
    OTHER = "其他"
