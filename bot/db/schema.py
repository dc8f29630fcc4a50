"""The whole schema: every model module, so ``metadata`` holds every table.

Each model module imports only what it refers to; the migrations, the seed and the schema tests
start from here so that none of them misses a table.
"""

from __future__ import annotations

from bot.db import (
    models,
    models_followup,
    models_handoff,
    models_retrain,
    models_security,
    models_wechat,
)
from bot.db.base import metadata

__all__ = [
    "metadata",
    "models",
    "models_followup",
    "models_handoff",
    "models_retrain",
    "models_security",
    "models_wechat",
]
