"""Rasa 3.6's tracker-store table ``events``, as the reports and the demo history see it.

Rasa's SQLTrackerStore creates it (one row per event: sender_id, type_name, timestamp as UNIX
seconds, intent_name, action_name, data = the event as JSON) when the server first starts. It is
declared here on a metadata of its own, so our migrations never touch Rasa's table; the demo
history creates it in the same shape when the server has not run yet.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, Sequence, String, Table, Text, inspect
from sqlalchemy.engine import Connection

tracker_metadata = MetaData()

events = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, Sequence("events_seq", optional=True), primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def has_events_table(conn: Connection) -> bool:
    return "events" in inspect(conn).get_table_names()


def ensure_events_table(conn: Connection) -> None:
    tracker_metadata.create_all(conn, checkfirst=True)
