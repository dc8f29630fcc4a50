"""WeChat users: when they last wrote, which shop customer they are, their pending choices.

Touches the table ``wechat_users`` only (customers and orders are read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Order
from bot.db.models_wechat import WeChatUser
from bot.services.customers.identity import order_by_phone_tail

# WeChat accepts customer-service messages to a user for 48 hours after their last message,
# menu click or subscription (errcode 45015 after that).
SERVICE_WINDOW = timedelta(hours=48)
_TAIL = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def touch(session: Session, openid: str, now: datetime) -> WeChatUser:
    """The user, created on first contact, with the service window opened at `now`."""
    user = session.get(WeChatUser, openid)
    if user is None:
        user = WeChatUser(openid=openid, created_at=now, last_interaction_at=now)
        session.add(user)
    user.last_interaction_at = now
    session.flush()
    return user


def bound_customer(session: Session, openid: str) -> int | None:
    user = session.get(WeChatUser, openid)
    return int(user.customer_id) if user is not None and user.customer_id is not None else None


def window_open(last_interaction_at: datetime | None, now: datetime) -> bool:
    return last_interaction_at is not None and now - last_interaction_at < SERVICE_WINDOW


def can_message(session: Session, openid: str, now: datetime) -> bool:
    """Whether WeChat still accepts a customer-service message to this user."""
    user = session.get(WeChatUser, openid)
    return user is not None and window_open(user.last_interaction_at, now)


def buyer_of_verified_order(
    session: Session, verified_orders: Iterable[str], text: str
) -> int | None:
    """The buyer a verification proves the user to be, or None.

    Verification accepts the tail of the recipient's phone too (a parcel for someone else), but
    only the buyer's own phone may bind the WeChat account to the buyer: a recipient must not
    see the buyer's other orders. `text` is the message that completed the verification.
    """
    tails = _TAIL.findall(text)
    for order_no in verified_orders:
        for tail in tails:
            order: Order | None = order_by_phone_tail(session, order_no, tail)
            if order is not None and str(order.customer.phone).endswith(tail):
                return int(order.customer_id)
    return None


def bind(session: Session, openid: str, customer_id: int, now: datetime) -> bool:
    """Binds the user to the customer; True when this is new (not already bound to them)."""
    user = touch(session, openid, now)
    if user.customer_id == customer_id:
        return False
    user.customer_id, user.bound_at = customer_id, now
    return True


def unbind(session: Session, openid: str) -> bool:
    """Removes the binding; True when there was one."""
    user = session.get(WeChatUser, openid)
    if user is None or user.customer_id is None:
        return False
    user.customer_id, user.bound_at = None, None
    return True


def remember_choices(session: Session, openid: str, payloads: list[str]) -> None:
    user = session.get(WeChatUser, openid)
    if user is not None:
        user.choices = json.dumps(payloads, ensure_ascii=False) if payloads else None


def chosen_payload(session: Session, openid: str, text: str) -> str | None:
    """The payload of choice number `text` of the bot's latest reply, if it is one."""
    user = session.get(WeChatUser, openid)
    if user is None or not user.choices or not text.strip().isdigit():
        return None
    payloads = json.loads(user.choices)
    number = int(text.strip())
    return str(payloads[number - 1]) if 1 <= number <= len(payloads) else None


def last_interaction(session: Session, openid: str) -> datetime | None:
    query = select(WeChatUser.last_interaction_at).where(WeChatUser.openid == openid)
    value: datetime | None = session.execute(query).scalar_one_or_none()
    return value
