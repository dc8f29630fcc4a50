"""Replay marks (table ``wechat_replay_marks``): a request or message seen before is not
processed again.

Kept in the database, not in the process, so a replay sent to another server instance (or after
a restart) is caught too. The primary key makes the check atomic: of two identical requests
racing, one insert fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models_wechat import WeChatReplayMark

# Longer than the accepted clock skew of a request (bot.channels.wechat.verification), so a
# request cannot outlive its mark; WeChat's own retries of a message come within 15 seconds.
KEEP = timedelta(minutes=10)


class Replayed(Exception):
    """The key was seen within KEEP."""


def mark_seen(session: Session, key: str, now: datetime) -> None:
    """Marks `key` as seen; raises Replayed when it had been seen within KEEP.

    Meant as a transaction of its own: after a failed insert the transaction is rolled back
    (PostgreSQL refuses anything else in it), which the caller's session_scope does.
    """
    session.execute(delete(WeChatReplayMark).where(WeChatReplayMark.seen_at < now - KEEP))
    session.add(WeChatReplayMark(key=key, seen_at=now))
    try:
        session.flush()
    except IntegrityError as error:
        raise Replayed(key) from error
