"""The deterministic demo store: ``seed(url)`` migrates and fills a database.

* Deterministic: one ``random.Random(SEED)`` and a fixed reference time (2026-11-20 10:00,
  Beijing), never the clock, so two fresh databases get identical rows.
* Idempotent: a ``store_meta`` marker records that the store was seeded; seeding again changes
  nothing. ``reset=True`` empties our tables first (for a clean demo after experiments).
* Fast: the store is built in memory and bulk-inserted with one executemany per table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.db.enums import OrderStatus
from bot.db.migrate import upgrade
from bot.db.models import META_REFERENCE_TIME, META_SEED_VERSION, Order, StoreMeta
from bot.db.schema import metadata
from bot.db.session import make_engine, resolve_url
from bot.demo.context import SEED, Row, new_context
from bot.demo.history import insert_history
from bot.demo.people import build_people
from bot.demo.products import build_products
from bot.demo.scenarios import build_orders
from bot.handoff.agents import seed_agents

# The demo store is generated relative to this instant, so that "signed 3 days ago" or "no
# logistics update for 4 days" stay true whatever the real clock says.
DEMO_REFERENCE_TIME = datetime(2026, 11, 20, 10, 0, 0)

# Bump when the generated data changes, so an old demo database is recognisable (2: the
# sixty days of service history).
SEED_VERSION = "2"


class SeedError(RuntimeError):
    """The database holds data that this seed did not create; refusing to mix."""


@dataclass(frozen=True)
class SeedReport:
    created: bool
    seconds: float
    table_counts: dict[str, int]
    status_counts: dict[str, int]


def build_store(
    reference: datetime = DEMO_REFERENCE_TIME, seed: int = SEED
) -> dict[str, list[Row]]:
    """Every row of the demo store, per table, computed in memory (pure and deterministic)."""
    ctx = new_context(reference, seed)
    catalogue = build_products(ctx)
    demo, others = build_people(ctx)
    build_orders(ctx, demo, others, catalogue)
    ctx.add("store_meta", key=META_SEED_VERSION, value=SEED_VERSION)
    ctx.add("store_meta", key=META_REFERENCE_TIME, value=reference.isoformat())
    rows = dict(ctx.rows)
    # store_meta is keyed by name; the generic id counter does not apply to it.
    rows["store_meta"] = [{"key": r["key"], "value": r["value"]} for r in rows["store_meta"]]
    return rows


def table_counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def status_counts(conn: Connection) -> dict[str, int]:
    found = dict(conn.execute(select(Order.status, func.count()).group_by(Order.status)).all())
    # Keys are enum members when read through the typed column; report the Chinese values.
    by_value = {getattr(k, "value", k): v for k, v in found.items()}
    return {status.value: by_value.get(status.value, 0) for status in OrderStatus}


def _is_seeded(conn: Connection) -> bool:
    query = select(StoreMeta.value).where(StoreMeta.key == META_SEED_VERSION)
    return conn.execute(query).scalar_one_or_none() is not None


def _clear(conn: Connection) -> None:
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def _insert(conn: Connection, rows: dict[str, list[Row]]) -> None:
    for table in metadata.sorted_tables:
        if rows.get(table.name):
            conn.execute(table.insert(), rows[table.name])
    if conn.dialect.name == "postgresql":
        # Rows came with explicit ids, which do not advance PostgreSQL's sequences; move them
        # past the data so the application's own inserts do not collide.
        for table in metadata.sorted_tables:
            if "id" in table.c and rows.get(table.name):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM {table.name}))"
                )


def seed(url: str | None = None, reset: bool = False) -> SeedReport:
    """Migrate the database at ``url`` to head and fill it with the demo store, once."""
    target = resolve_url(url)
    started = time.perf_counter()
    upgrade(target)
    engine = make_engine(target)
    try:
        with engine.begin() as conn:
            if reset:
                _clear(conn)
            created = False
            if not _is_seeded(conn):
                if any(table_counts(conn).values()):
                    raise SeedError(
                        "the database already holds data that 'bot seed' did not create; "
                        "use an empty database or seed(reset=True)"
                    )
                store = build_store()
                _insert(conn, store)
                created = True
            # The demo desk's console accounts; idempotent, and also added to stores seeded
            # before the handoff existed.
            with Session(bind=conn, future=True) as session:
                agents = seed_agents(session)
                session.flush()
                desk = [(int(a.id), str(a.username)) for a in agents if not a.is_supervisor]
            if created:
                # Sixty days of conversations, cases and records behind the demo's report.
                customers = [int(row["id"]) for row in store["customers"]]
                insert_history(conn, DEMO_REFERENCE_TIME, customers, desk)
            report = SeedReport(
                created=created,
                seconds=round(time.perf_counter() - started, 2),
                table_counts=table_counts(conn),
                status_counts=status_counts(conn),
            )
    finally:
        engine.dispose()
    return report
