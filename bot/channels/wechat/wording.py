"""What the channel itself says to WeChat users (everything else is the bot's own wording)."""

from __future__ import annotations

UNBIND_COMMANDS = frozenset({"解除绑定", "解绑", "取消绑定"})

UNBOUND = "已解除微信与会员账号的绑定。以后查订单时，小优会再请您验证订单号和手机号后四位。"
NOT_BOUND = "您的微信还没有绑定会员账号哦。验证一次订单号和下单手机号后四位，小优就会记住您。"
BOUND = (
    "小优已把这个微信和您的会员账号绑定，下次查订单不用再验证啦。如需解除，回复「解除绑定」即可。"
)
PICTURE_TICKET = "图片收到啦，已附到售后单{ticket_no}，处理的同事会一并查看。"
PICTURE_ORDER = "图片收到啦，已附到订单{order_no}。需要退换货的话，告诉小优具体遇到了什么问题就好。"
PICTURE_UNLINKED = (
    "图片收到啦。小优还不知道这是哪笔订单的：请先发订单号和下单手机号后四位验证，"
    "再发一次图片就能附到订单上啦。"
)
UNHEARD = "小优没听清这段语音，麻烦打字告诉我吧～"
UNSUPPORTED = "小优暂时只看得懂文字、语音和图片哦，请用文字描述一下您的问题吧～"
TOO_LONG = "消息有点长，小优看不过来啦，请精简到{limit}字以内再发一次～"
CHOOSE = "回复数字即可选择："
# Shown to the agent in the console (and as the API error) once WeChat no longer accepts
# customer-service messages to the customer.
WINDOW_CLOSED = "超过48小时，无法再给该客户发消息"
