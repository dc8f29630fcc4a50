"""What the service desk calls each intent: the console's transcript and menus, and the reports.

Agent- and supervisor-facing words; the customer-facing button titles of a clarification
question are in bot/nlu/clarification.py.
"""

from __future__ import annotations

# domain.yml's intents, as the desk calls them.
INTENT_LABELS = {
    "greet": "打招呼",
    "goodbye": "告别",
    "thank": "致谢",
    "affirm": "确认",
    "deny": "否认",
    "bot_challenge": "问是不是机器人",
    "request_human": "要求人工",
    "track_order": "查物流",
    "urge_shipment": "催发货",
    "cancel_order": "取消订单",
    "modify_address": "改地址",
    "request_return": "退货",
    "request_exchange": "换货",
    "request_refund": "退款",
    "refund_status": "退款进度",
    "ask_product": "商品咨询",
    "ask_recommendation": "求推荐",
    "faq": "常见问题",
    "complaint": "投诉",
    "suggestion": "建议",
    "give_return_tracking": "提供退货单号",
    "inform": "提供信息",
    "out_of_scope": "其他问题",
    "stop": "不想继续",
    "rate": "评价",
}
# The faq retrieval sub-intents (data/nlu/faq.yml), for the console's correction menu.
FAQ_LABELS = {
    "shipping_fee": "运费",
    "delivery_time": "配送时效",
    "invoice": "发票",
    "payment": "支付方式",
    "promotion": "优惠活动",
    "return_policy": "退货政策",
    "warranty": "保修",
}
