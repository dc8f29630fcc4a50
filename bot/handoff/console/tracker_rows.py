"""Rasa's SQL tracker store table, read directly for what would cost a tracker load per case.

The conversations live in the shop's database (endpoints.yml: ``tracker_store: type: SQL`` on
``DATABASE_URL``), one row per event: ``sender_id``, ``type_name``, ``timestamp`` (Unix
seconds) and ``data``, the event as ``json.dumps`` wrote it. Unread counts and the text search
of past cases need only a few columns of a few rows; loading and replaying each case's tracker
would be far dearer.
"""

from __future__ import annotations

import json

from sqlalchemy import Float, String, Text, column, table

EVENTS = table(
    "events",
    column("sender_id", String),
    column("type_name", String),
    column("timestamp", Float),
    column("data", Text),
)
USER = "user"
BOT = "bot"


def stored_form(text: str) -> str:
    """`text` as it appears inside the stored JSON: Rasa writes it with ``ensure_ascii``, so
    Chinese is stored as ``\\uXXXX`` escapes and a search must look for those."""
    return json.dumps(text)[1:-1]
