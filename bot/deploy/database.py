"""The production database: created when missing, migrated and seeded before any server starts."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.demo.seed import SeedReport, seed


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` if the server lacks it; True if created.

    Other databases (SQLite creates its file itself) are left alone. Connects to the server's
    maintenance database `postgres` as the same user.
    """
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        return False
    admin = create_engine(
        target.set(database="postgres"),
        future=True,
        isolation_level="AUTOCOMMIT",  # CREATE DATABASE cannot run inside a transaction
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if exists:
                return False
            # A name cannot be a bound parameter; quoted as an identifier instead.
            quoted = conn.dialect.identifier_preparer.quote(target.database)
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
            return True
    finally:
        admin.dispose()


def prepare_database(url: str) -> SeedReport:
    """Create (if needed), migrate to head and seed the demo store, idempotently."""
    ensure_database(url)
    return seed(url)
