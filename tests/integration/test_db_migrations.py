"""Schema, migrations and sessions of bot.db on SQLite."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from bot.db.enums import MembershipLevel, OrderStatus
from bot.db.migrate import current_revision, downgrade, upgrade
from bot.db.models import Customer, Order
from bot.db.schema import metadata
from bot.db.session import get_engine, make_engine, session_scope

STORE_TABLES = {table.name for table in metadata.sorted_tables}


def _check_constraints(url: str) -> dict[str, set[str | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            return {
                table: {ck["name"] for ck in inspector.get_check_constraints(table)}
                for table in STORE_TABLES
            }
    finally:
        engine.dispose()


def test_upgrade_creates_exactly_the_models_schema(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            assert set(inspect(conn).get_table_names()) == STORE_TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_migrated_check_constraints_match_create_all(db_url: str, tmp_path: object) -> None:
    # Autogenerate does not compare CHECK constraints; compare their names directly.
    upgrade(db_url)
    reference_url = db_url.replace("kefu-test.db", "create-all.db")
    engine = make_engine(reference_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    migrated = _check_constraints(db_url)
    assert migrated == _check_constraints(reference_url)
    assert "ck_orders_order_status" in migrated["orders"]


def _head_revision(url: str) -> str:
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def test_upgrade_is_repeatable_and_downgrade_removes_everything(db_url: str) -> None:
    assert current_revision(db_url) is None
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == _head_revision(db_url)
    downgrade(db_url, "base")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_enforces_foreign_keys(db_url: str) -> None:
    upgrade(db_url)
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        session.add(
            Order(
                order_no="200000000000000001",
                customer_id=999,
                status=OrderStatus.PENDING_PAYMENT,
                goods_amount_fen=100,
                paid_amount_fen=100,
                ship_recipient="某人",
                ship_phone="13800000000",
                ship_province="上海市",
                ship_city="上海市",
                ship_district="浦东新区",
                ship_detail="某路1号",
            )
        )


def test_enum_columns_store_chinese_values_and_reject_others(db_url: str) -> None:
    upgrade(db_url)
    with session_scope(db_url) as session:
        session.add(Customer(name="测试", phone="13800000000", level=MembershipLevel.GOLD))
    engine = get_engine(db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT level FROM customers").scalar_one() == "金卡"
    with pytest.raises(StatementError), session_scope(db_url) as session:
        session.add(Customer(name="测试2", phone="13800000001", level="白金卡"))
        session.flush()


def test_session_scope_commits_and_rolls_back(db_url: str) -> None:
    upgrade(db_url)
    with session_scope(db_url) as session:
        session.add(Customer(name="甲", phone="13900000000", level=MembershipLevel.NORMAL))
    with pytest.raises(RuntimeError), session_scope(db_url) as session:
        session.add(Customer(name="乙", phone="13900000001", level=MembershipLevel.NORMAL))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(db_url) as session:
        names = session.execute(select(Customer.name)).scalars().all()
        assert names == ["甲"]
        created = session.execute(select(Customer.created_at)).scalar_one()
        assert isinstance(created, datetime) and created.tzinfo is None


def test_engines_are_cached_per_url(db_url: str) -> None:
    assert get_engine(db_url) is get_engine(db_url)
    assert get_engine(db_url) is not get_engine(db_url.replace(".db", "-other.db"))


def test_importing_the_package_creates_no_engine() -> None:
    code = (
        "import bot.db.schema, bot.demo.seed, bot.db.migrate, bot.cli\n"
        "import bot.services.customers.directory\n"
        "import bot.db.session as s\n"
        "assert s._engines == {}, s._engines\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
