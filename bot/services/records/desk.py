"""Writing complaints and suggestions to ``service_records`` with a reference number.

A conversation has at most one complaint a day: what the customer adds later (another message,
or the angry one that makes the bot hand over to a person) goes into the same record, so one
complaint is counted once and keeps one number. Suggestions are recorded each on its own.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from bot.db.enums import ComplaintCategory, ServiceRecordKind
from bot.db.models import Order, ServiceRecord
from bot.services.records.classify import complaint_category
from bot.services.records.replies import complaint_due

TEXT_CHARS = 2000
PREFIXES = {ServiceRecordKind.COMPLAINT: "TS", ServiceRecordKind.SUGGESTION: "JY"}
BOT_OPERATOR = "bot"
# PostgreSQL advisory lock key serialising the numbering ("ts" in ASCII).
NUMBERING_LOCK = 0x7473


def reference_prefix(kind: ServiceRecordKind, day: datetime) -> str:
    """ "TS20261201-" for a complaint recorded on 1 December 2026 (投诉 / 建议: TS / JY)."""
    return f"{PREFIXES[kind]}{day:%Y%m%d}-"


def _next_reference(session: Session, kind: ServiceRecordKind, now: datetime) -> str:
    prefix = reference_prefix(kind, now)
    query = select(func.max(ServiceRecord.reference_no)).where(
        ServiceRecord.reference_no.like(f"{prefix}%")
    )
    latest = session.execute(query).scalar_one_or_none()
    number = int(latest.rsplit("-", 1)[1]) + 1 if latest else 1
    return f"{prefix}{number:04d}"


def _add_numbered(session: Session, record: ServiceRecord, now: datetime) -> ServiceRecord:
    if session.get_bind().dialect.name == "postgresql":
        # Held until commit: two action servers numbering at once would otherwise both read the
        # same latest number (the unique reference would then refuse the second record).
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBERING_LOCK})
    record.reference_no = _next_reference(session, record.kind, now)
    session.add(record)
    session.flush()
    return record


def complaint_today(session: Session, sender_id: str, now: datetime) -> ServiceRecord | None:
    """The complaint this conversation filed today, if any."""
    start = datetime.combine(now.date(), time())
    query = (
        select(ServiceRecord)
        .where(
            ServiceRecord.sender_id == sender_id,
            ServiceRecord.kind == ServiceRecordKind.COMPLAINT,
            ServiceRecord.created_at >= start,
            ServiceRecord.created_at < start + timedelta(days=1),
        )
        .order_by(ServiceRecord.id)
    )
    return session.execute(query).scalars().first()


def record_complaint(
    session: Session,
    *,
    sender_id: str,
    customer_id: int | None,
    order: Order | None,
    text: str,
    now: datetime,
) -> tuple[ServiceRecord, bool]:
    """(record, created): files the complaint, or adds ``text`` to today's one of this chat.

    ``order`` must already be one the person chatting may see (the caller checks ownership).
    """
    existing = complaint_today(session, sender_id, now)
    if existing is not None:
        if text and text not in existing.text:
            existing.text = f"{existing.text}\n补充：{text}"[:TEXT_CHARS]
        if existing.category is ComplaintCategory.OTHER:
            existing.category = complaint_category(existing.text)
        if existing.order_id is None and order is not None:
            existing.order_id = order.id
        session.flush()
        return existing, False
    record = ServiceRecord(
        order_id=order.id if order is not None else None,
        customer_id=order.customer_id if order is not None else customer_id,
        sender_id=sender_id,
        kind=ServiceRecordKind.COMPLAINT,
        category=complaint_category(text),
        text=text[:TEXT_CHARS],
        operator=BOT_OPERATOR,
        created_at=now,
        due_at=complaint_due(now),
    )
    return _add_numbered(session, record, now), True


def record_suggestion(
    session: Session, *, sender_id: str, customer_id: int | None, text: str, now: datetime
) -> ServiceRecord:
    record = ServiceRecord(
        customer_id=customer_id,
        sender_id=sender_id,
        kind=ServiceRecordKind.SUGGESTION,
        text=text[:TEXT_CHARS],
        operator=BOT_OPERATOR,
        created_at=now,
    )
    return _add_numbered(session, record, now)
