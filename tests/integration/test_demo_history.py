"""The demo store's sixty days of history: deterministic, in Rasa's own format, report-ready."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.enums import ServiceRecordKind
from bot.db.models import ServiceRecord
from bot.db.models_handoff import RESOLVED, HandoffCase
from bot.db.session import session_scope
from bot.demo.history import HISTORY_DAYS, SENDER_PREFIX, build_history
from bot.demo.seed import DEMO_REFERENCE_TIME, seed
from bot.reports.period import beijing_of_epoch
from bot.reports.tracker_events import events

AGENTS = [(1, "agent01"), (2, "agent02")]


def test_the_history_is_the_same_on_every_build() -> None:
    first = build_history(DEMO_REFERENCE_TIME, [1, 2, 3], AGENTS)
    second = build_history(DEMO_REFERENCE_TIME, [1, 2, 3], AGENTS)
    assert first.events == second.events and first.records == second.records
    assert [c.created_at for c in first.cases] == [c.created_at for c in second.cases]


def test_seeded_history_spans_sixty_days_before_the_reference(seeded_url: str) -> None:
    with session_scope(seeded_url) as session:
        stamps = session.execute(
            select(func.min(events.c.timestamp), func.max(events.c.timestamp)).where(
                events.c.sender_id.startswith(SENDER_PREFIX)
            )
        ).one()
        first, last = (beijing_of_epoch(s) for s in stamps)
        assert first.date() == (DEMO_REFERENCE_TIME - timedelta(days=HISTORY_DAYS)).date()
        assert last.date() == (DEMO_REFERENCE_TIME - timedelta(days=1)).date()
        cases = session.execute(select(HandoffCase)).scalars().all()
        # Every history case is over: nothing old waits in the console's queue.
        assert len(cases) > 100 and all(c.status == RESOLVED for c in cases)
        assert all(c.claimed_at > c.created_at and c.resolved_at > c.claimed_at for c in cases)
        kinds = session.execute(
            select(ServiceRecord.kind, func.count()).group_by(ServiceRecord.kind)
        ).all()
        counts = dict(kinds)
        assert (
            counts[ServiceRecordKind.COMPLAINT] > 100 and counts[ServiceRecordKind.SUGGESTION] > 20
        )


def test_seeding_again_adds_no_second_history(seeded_url: str) -> None:
    def chats() -> int:
        with session_scope(seeded_url) as session:
            query = select(func.count(func.distinct(events.c.sender_id)))
            return int(session.execute(query).scalar_one())

    before = chats()
    assert not seed(seeded_url).created
    assert chats() == before


def test_rasa_reads_a_history_conversation_as_its_own(seeded_url: str) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    store = SQLTrackerStore(Domain.empty(), host=seeded_url)
    tracker = asyncio.run(store.retrieve(f"{SENDER_PREFIX}00001"))
    assert tracker is not None
    assert tracker.latest_message is not None and tracker.latest_message.text
    assert tracker.latest_message.intent.get("name")
