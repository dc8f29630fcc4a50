"""The console's 售后审核 tab: pending after-sale tickets, approve or reject with a reason.

Each card shows what the reviewer needs (seed 001 §3.2): the request, the order and customer
facts, whether photos came, the handbook rule that applies and the ticket's history. Decisions
go through bot.services.aftersales.review, which records the ticket event and tells the
customer (live if connected, else on their next visit).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import (
    AFTER_SALE_REASON_LABELS,
    AFTER_SALE_TYPE_LABELS,
    ServiceRecordKind,
)
from bot.db.models import AfterSaleTicket, ServiceRecord
from bot.db.models_followup import TicketEvent
from bot.formatting import mask_phone, yuan
from bot.handoff.console.access import CaseRoutes
from bot.handoff.console.auth import console_now
from bot.handoff.console.http import ApiError, json_body, ok
from bot.policy.returns import SHOP_FAULT_REASONS
from bot.services.aftersales.review import (
    BadReason,
    ReviewError,
    approve,
    handbook_rule,
    pending_review,
    reject,
)
from bot.services.clock import store_now

TICKET_NO = re.compile(r"AS\d{8,16}")
NO_PHOTO_NOTE = "暂未上传凭证照片"
EVENT_LABELS = {
    "approved": "审核通过",
    "rejected": "审核拒绝",
    "return_shipped": "客户寄回",
    "return_received": "仓库签收",
    "refunded": "已退款",
    "reshipped": "换货发出",
}


def _stamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else None


def _photos(session: Session, ticket: AfterSaleTicket) -> str:
    """What the desk knows of the customer's photos (the bot's record of the request)."""
    if ticket.reason not in SHOP_FAULT_REASONS:
        return "无需照片"
    query = select(ServiceRecord.text).where(
        ServiceRecord.order_id == ticket.order_id,
        ServiceRecord.kind == ServiceRecordKind.AFTER_SALE,
        ServiceRecord.text.contains(ticket.ticket_no),
    )
    notes = session.execute(query).scalars().all()
    if any(NO_PHOTO_NOTE in note for note in notes):
        return "客户暂未上传照片，请先请客户补传问题部位和外包装照片"
    return "客户已上传问题部位照片（订单详情-售后凭证）"


def _events(session: Session, ticket: AfterSaleTicket) -> list[dict[str, Any]]:
    query = (
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.created_at, TicketEvent.id)
    )
    return [
        {
            "kind": e.kind,
            "label": EVENT_LABELS[e.kind],
            "actor": e.actor,
            "detail": e.detail,
            "at": _stamp(e.created_at),
        }
        for e in session.execute(query).scalars()
    ]


def ticket_card(session: Session, ticket: AfterSaleTicket, now: datetime) -> dict[str, Any]:
    order, item = ticket.order, ticket.item
    customer = order.customer
    signed_days = (now - order.signed_at).days if order.signed_at is not None else None
    return {
        "ticket_no": ticket.ticket_no,
        "type": AFTER_SALE_TYPE_LABELS[ticket.type],
        "reason": AFTER_SALE_REASON_LABELS[ticket.reason],
        "status": ticket.status.value,
        "description": ticket.description,
        "refund": yuan(ticket.refund_amount_fen),
        "created_at": _stamp(ticket.created_at),
        "item": (
            {
                "name": item.product_name,
                "spec": item.spec,
                "qty": item.qty,
                "price": yuan(item.unit_price_fen),
            }
            if item is not None
            else None
        ),
        "order": {
            "order_no": order.order_no,
            "status": order.status.value,
            "paid": yuan(order.paid_amount_fen),
            "payment_method": order.payment_method.value if order.payment_method else None,
            "signed_at": _stamp(order.signed_at),
            "signed_days": signed_days,
        },
        "customer": {
            "name": customer.name,
            "phone": mask_phone(customer.phone),
            "level": customer.level.value,
        },
        "photos": _photos(session, ticket),
        "rule": handbook_rule(ticket.type, ticket.reason),
        "events": _events(session, ticket),
    }


def _ticket_no(raw: str) -> str:
    value = raw.strip().upper()
    if not TICKET_NO.fullmatch(value):
        raise ApiError(404, "not_found", "没有这个售后单。")
    return value


class TicketRoutes(CaseRoutes):
    """Any signed-in agent reviews (the handbook asks a supervisor only when in doubt)."""

    async def pending(self, request: Request) -> HTTPResponse:
        await self.signed_in(request)

        def work(session: Session) -> list[dict[str, Any]]:
            now = store_now(session)
            return [ticket_card(session, t, now) for t in pending_review(session)]

        return ok({"tickets": await self.db(work)})

    async def decide(self, request: Request, ticket_no: str) -> HTTPResponse:
        me = await self.signed_in(request)
        number = _ticket_no(ticket_no)
        body = json_body(request)
        decision = body.get("decision")
        text = body.get("reason")
        if decision not in ("approve", "reject"):
            raise ApiError(400, "bad_request", "请选择通过或拒绝。")
        if text is not None and not isinstance(text, str):
            raise ApiError(400, "bad_request", "理由必须是文字。")

        def work(session: Session) -> dict[str, Any]:
            now = console_now(session)
            try:
                if decision == "approve":
                    step = approve(session, number, actor=me.username, note=text or "", now=now)
                else:
                    step = reject(session, number, actor=me.username, reason=text or "", now=now)
            except LookupError as exc:
                raise ApiError(404, "not_found", "没有这个售后单。") from exc
            except BadReason as exc:
                raise ApiError(400, "bad_request", str(exc)) from exc
            except ReviewError as exc:
                raise ApiError(409, "conflict", str(exc)) from exc
            return {
                "ticket_no": step.ticket_no,
                "status": step.status.value,
                "customer_text": step.customer_text,
            }

        return ok(await self.db(work))
