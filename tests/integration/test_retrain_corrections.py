"""Agent corrections: the intent_corrections table (revision 0003) and its service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

import bot.db.models_retrain  # noqa: F401  (puts the table in the shared metadata)
from bot.db.migrate import current_revision, downgrade, upgrade
from bot.db.models_handoff import Agent
from bot.db.models_retrain import IntentCorrection
from bot.db.schema import metadata
from bot.db.session import make_engine, session_scope
from bot.retrain.corrections import CorrectionError, corrections, record_correction

NOW = datetime(2026, 11, 20, 10, 0)
MESSAGE: dict[str, Any] = {
    "sender_id": "web-5f2c",
    "message_timestamp": 1795000000.123456,
    "text": "我那个东西咋还没到",
    "predicted_intent": "urge_shipment",
    "corrected_intent": "track_order",
}


@pytest.fixture
def migrated(db_url: str) -> str:
    upgrade(db_url)
    return db_url


def test_revision_0003_is_applied_and_mirrors_the_model(migrated: str) -> None:
    # Later revisions (0004 security) follow; the head mirrors the whole schema.
    assert current_revision(migrated) >= "0003"
    engine = make_engine(migrated)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            columns = {c["name"]: c for c in inspect(conn).get_columns("intent_corrections")}
            assert set(columns) == {
                "id", "sender_id", "message_timestamp", "text", "predicted_intent",
                "corrected_intent", "agent_id", "created_at",
            }  # fmt: skip
            assert columns["agent_id"]["nullable"] and not columns["text"]["nullable"]
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_0002_drops_only_the_corrections(migrated: str) -> None:
    downgrade(migrated, "0002")
    tables = _tables(migrated)
    assert "intent_corrections" not in tables and "handoff_cases" in tables
    upgrade(migrated)
    assert "intent_corrections" in _tables(migrated)


def test_a_correction_is_recorded_with_the_agent(migrated: str) -> None:
    with session_scope(migrated) as session:
        agent = Agent(username="xiaoli", display_name="小李", password_hash="x", role="agent")
        session.add(agent)
        session.flush()
        row = record_correction(session, **MESSAGE, agent_id=agent.id, now=NOW)
        assert row.id is not None
    with session_scope(migrated) as session:
        (saved,) = corrections(session)
        assert saved.corrected_intent == "track_order"
        assert saved.predicted_intent == "urge_shipment"
        assert saved.agent_id is not None and saved.created_at == NOW
        assert saved.message_timestamp == pytest.approx(MESSAGE["message_timestamp"])


def test_correcting_the_same_message_again_replaces_the_verdict(migrated: str) -> None:
    with session_scope(migrated) as session:
        record_correction(session, **MESSAGE, agent_id=None, now=NOW)
    with session_scope(migrated) as session:
        again = {**MESSAGE, "corrected_intent": "faq/delivery_time"}
        record_correction(session, **again, agent_id=None, now=NOW)
    with session_scope(migrated) as session:
        rows = corrections(session)
    assert [r.corrected_intent for r in rows] == ["faq/delivery_time"]


def test_the_correction_survives_its_agent_leaving(migrated: str) -> None:
    with session_scope(migrated) as session:
        agent = Agent(username="temp", display_name="临时", password_hash="x", role="agent")
        session.add(agent)
        session.flush()
        record_correction(session, **MESSAGE, agent_id=agent.id, now=NOW)
    with session_scope(migrated) as session:
        session.delete(session.execute(select(Agent)).scalar_one())
    with session_scope(migrated) as session:
        (row,) = corrections(session)
        assert row.agent_id is None and row.corrected_intent == "track_order"


@pytest.mark.parametrize(
    "bad",
    [
        {"corrected_intent": ""},
        {"corrected_intent": "Track Order"},
        {"corrected_intent": "faq/"},
        {"predicted_intent": "DROP TABLE"},
        {"text": "   "},
        {"sender_id": ""},
    ],
)
def test_bad_corrections_are_refused_and_nothing_is_written(
    migrated: str, bad: dict[str, Any]
) -> None:
    with pytest.raises(CorrectionError), session_scope(migrated) as session:
        record_correction(session, **{**MESSAGE, **bad}, agent_id=None, now=NOW)
    with session_scope(migrated) as session:
        assert session.execute(select(IntentCorrection)).first() is None


def test_an_unknown_agent_is_rejected_by_the_database(migrated: str) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(migrated) as session:
        record_correction(session, **MESSAGE, agent_id=999, now=NOW)
