"""Declarative base, shared metadata and the enum column type of the models."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

# Deterministic constraint names, so migrations can refer to (and later drop) them by name on
# every backend. Alembic applies this convention to the revisions' create_table calls through
# env.py's target_metadata, so changing it changes the names future migrations expect.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
# SQLAlchemy 1.4 ships no type information, so the base class is Any to mypy.
Base: Any = declarative_base(metadata=metadata)


def enum_type(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """VARCHAR(20) + CHECK constraint storing the members' values (the Chinese words).

    Not a native PostgreSQL ENUM: adding a state later is a constraint change, and SQLite
    enforces the same vocabulary through the CHECK.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
