"""The store's notion of "now".

The demo store is generated around a fixed reference time and records it in ``store_meta``;
answering "how long has my parcel been stuck" against the real clock would drift further from
the data every day. A database without that marker (a real shop) uses the real clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import META_REFERENCE_TIME, StoreMeta
from bot.timeutil import beijing_now


def store_now(session: Session) -> datetime:
    """The seeded reference time if the store has one, else the current Beijing time (naive)."""
    query = select(StoreMeta.value).where(StoreMeta.key == META_REFERENCE_TIME)
    value = session.execute(query).scalar_one_or_none()
    return datetime.fromisoformat(value) if value else beijing_now()
