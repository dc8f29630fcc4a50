"""The customer's side of an after-sale review: the return parcel's tracking number.

The approval notice asks for it (bot.services.aftersales.review.approve); the customer may send
it then or any time later: 「退货单号 SF1234567890」.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    customer_id_of,
    database_guard,
    entity_values,
    latest_text,
    verified_orders_of,
)
from bot.db.session import session_scope
from bot.services.aftersales.review import (
    awaiting_tracking,
    record_return_tracking,
    return_tracking_in,
)
from bot.services.clock import store_now

ASK_NUMBER = (
    "好的～麻烦把退货快递的单号发给小优，例如「退货单号 SF1234567890」，我帮您登记到售后单上。"
)
NOTHING_TO_SEND = (
    "小优没有查到需要您寄回商品的售后单哦。如果售后申请还在审核中，审核通过后小优会第一时间通知您；"
    "如果是用其他账号申请的，请登录对应账号后再把单号发给我～"
)


class ActionRecordReturnTracking(Action):
    def name(self) -> str:
        return "action_record_return_tracking"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        candidates = [*entity_values(tracker, "tracking_number"), latest_text(tracker)]
        number = next((n for n in map(return_tracking_in, candidates) if n), None)
        with session_scope() as session:
            tickets = awaiting_tracking(
                session,
                customer_id=customer_id_of(tracker),
                order_nos=verified_orders_of(tracker),
            )
            if not tickets:
                dispatcher.utter_message(text=NOTHING_TO_SEND)
                return []
            if number is None:
                dispatcher.utter_message(text=ASK_NUMBER)
                return []
            # The newest approval is the one the customer was just asked about.
            step = record_return_tracking(session, tickets[0], number, store_now(session))
        dispatcher.utter_message(text=step.customer_text)
        return []
