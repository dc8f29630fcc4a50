"""WeChat Official Account channel (微信公众号): ``bot.channels.wechat.WeChatInput``."""

from bot.channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]
