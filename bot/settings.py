"""One typed settings object, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    database_url: str
    rasa_url: str
    action_server_url: str
    rasa_token: str
    redis_url: str | None


def load_settings() -> Settings:
    """Read settings from the environment; defaults give the embedded SQLite demo set-up."""
    default_db = f"sqlite:///{REPO_ROOT / 'kefu.db'}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL", default_db),
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
        action_server_url=os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook"),
        rasa_token=os.environ.get("RASA_TOKEN", "change-me-local-token"),
        redis_url=os.environ.get("REDIS_URL") or None,
    )
