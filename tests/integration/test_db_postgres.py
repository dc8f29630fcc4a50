"""Migrate and seed against a real PostgreSQL, in a throw-away schema.

Uses postgresql://postgres@127.0.0.1:5432/test (override with KEFU_TEST_POSTGRES_URL); skipped
when that server cannot be reached. The test works in its own schema, selected through the
connection's search_path, and drops it afterwards, so the database is left as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url

from bot.db.enums import MembershipLevel
from bot.db.models import Customer, metadata
from bot.db.session import dispose_engines, make_engine, session_scope
from bot.demo.seed import seed

SERVER_URL = os.environ.get("KEFU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin = create_engine(SERVER_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as error:  # any failure to connect means "no server here"
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {SERVER_URL}: {type(error).__name__}")
    schema = f"kefu_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(SERVER_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_migrate_and_seed_on_postgres(pg_url: str) -> None:
    report = seed(pg_url)
    assert report.created and report.table_counts["orders"] >= 1500
    assert not seed(pg_url).created

    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            # The seed's demo history writes into Rasa's tracker-store table, which is Rasa's.
            not_rasas = {"include_name": lambda name, kind, _: name != "events"}
            context = MigrationContext.configure(conn, opts={"compare_type": True, **not_rasas})
            assert compare_metadata(context, metadata) == []
            assert "orders" in inspect(conn).get_table_names()
    finally:
        engine.dispose()

    # Sequences were moved past the explicit ids, so ordinary inserts work after seeding.
    with session_scope(pg_url) as session:
        session.add(Customer(name="新客户", phone="13000000009", level=MembershipLevel.NORMAL))
    with session_scope(pg_url) as session:
        new_id = session.execute(select(Customer.id).where(Customer.phone == "13000000009"))
        assert new_id.scalar_one() > report.table_counts["customers"]
