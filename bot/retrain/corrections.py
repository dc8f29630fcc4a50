"""Intent corrections by service-desk agents: recorded from the console, read by the inbox.

An agent reading a handed-over conversation sees what the assistant thought each message meant
and can correct it. Those verdicts are the cheapest high-quality labels the shop gets, so
:mod:`bot.retrain.inbox` puts them first in the maintainer's labelling queue.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_retrain import IntentCorrection

# An intent, optionally with a retrieval sub-intent: track_order, faq/invoice.
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:/[a-z0-9_]+)?$")
MAX_TEXT_CHARS = 2000


class CorrectionError(ValueError):
    """The correction cannot be recorded as given (the message says why, for the console)."""


def _intent(value: str, field: str) -> str:
    name = (value or "").strip()
    if not INTENT_NAME.match(name) or len(name) > 100:
        raise CorrectionError(f"{field}: not an intent name: {value!r}")
    return name


def record_correction(
    session: Session,
    *,
    sender_id: str,
    message_timestamp: float,
    text: str,
    predicted_intent: str,
    corrected_intent: str,
    agent_id: int | None,
    now: datetime,
) -> IntentCorrection:
    """Records that the message ``(sender_id, message_timestamp)`` meant ``corrected_intent``.

    Correcting the same message again replaces the earlier verdict instead of adding a second
    row, so a double click or a retried request never counts twice. A "correction" equal to
    the prediction is kept too: an agent confirming a doubtful prediction is a label as well.
    """
    sender = (sender_id or "").strip()
    if not sender or len(sender) > 255:
        raise CorrectionError("sender_id is required")
    body = (text or "").strip()
    if not body:
        raise CorrectionError("text is required")
    predicted = _intent(predicted_intent, "predicted_intent")
    corrected = _intent(corrected_intent, "corrected_intent")
    timestamp = float(message_timestamp)
    existing = session.execute(
        select(IntentCorrection).where(
            IntentCorrection.sender_id == sender,
            IntentCorrection.message_timestamp == timestamp,
        )
    ).scalar_one_or_none()
    row = existing or IntentCorrection(sender_id=sender, message_timestamp=timestamp)
    row.text = body[:MAX_TEXT_CHARS]
    row.predicted_intent = predicted
    row.corrected_intent = corrected
    row.agent_id = agent_id
    row.created_at = now
    if existing is None:
        session.add(row)
    session.flush()
    return row


def corrections(session: Session) -> list[IntentCorrection]:
    """Every recorded correction, oldest first."""
    query = select(IntentCorrection).order_by(IntentCorrection.created_at, IntentCorrection.id)
    return list(session.execute(query).scalars())
