"""Customer services, the store clock and the `bot seed` / `bot demo` commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from bot.cli import main
from bot.db.enums import OrderStatus
from bot.db.migrate import upgrade
from bot.db.session import session_scope
from bot.demo.seed import DEMO_REFERENCE_TIME
from bot.services.clock import store_now
from bot.services.customers.directory import (
    demo_customers,
    find_customer_by_phone,
    normalise_phone,
    sample_orders_by_status,
)

STATUS_ORDER = [s.value for s in OrderStatus]


def test_demo_customers(seeded_session: Session) -> None:
    customers = demo_customers(seeded_session)
    assert len(customers) == 6
    assert [c.name for c in customers[:4]] == ["王晓明", "李芳", "张伟", "刘洋"]
    for c in customers:
        assert re.fullmatch(r"1\d{2}\*{4}\d{4}", c.masked_phone)
        assert c.masked_phone == f"{c.phone[:3]}****{c.phone[-4:]}"
        assert c.level in {"普通", "银卡", "金卡", "钻石卡"}
        statuses = list(c.orders_by_status)
        assert statuses == sorted(statuses, key=STATUS_ORDER.index)
        assert sum(len(v) for v in c.orders_by_status.values()) == c.order_count
    assert all(len(c.orders_by_status) >= 6 for c in customers[:4])
    assert len(demo_customers(seeded_session, limit=2)) == 2


def test_demo_customers_on_an_empty_store(db_url: str) -> None:
    upgrade(db_url)
    with session_scope(db_url) as session:
        assert demo_customers(session) == []


def test_find_customer_by_phone(seeded_session: Session) -> None:
    for text in ("13812341234", "+86 138-1234-1234", "138 1234 1234", "8613812341234"):
        customer = find_customer_by_phone(seeded_session, text)
        assert customer is not None and customer.name == "王晓明"
    assert find_customer_by_phone(seeded_session, "13000000001") is None
    assert find_customer_by_phone(seeded_session, "12345") is None
    assert normalise_phone("") is None


def test_sample_orders_by_status(seeded_session: Session) -> None:
    demo_ids = tuple(c.customer_id for c in demo_customers(seeded_session))
    samples = sample_orders_by_status(seeded_session, 2, exclude_customer_ids=demo_ids)
    assert list(samples) == STATUS_ORDER
    for status, orders in samples.items():
        assert len(orders) == 2
        assert all(o.status == status and len(o.owner_phone) == 11 for o in orders)


def test_store_now(seeded_session: Session, db_url: str) -> None:
    assert store_now(seeded_session) == DEMO_REFERENCE_TIME
    upgrade(db_url)
    with session_scope(db_url) as session:
        assert store_now(session) != DEMO_REFERENCE_TIME


def test_cli_seed_and_demo(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--database-url", db_url]) == 1
    assert "bot seed" in capsys.readouterr().err

    assert main(["seed", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert "seeded" in out and "orders" in out and "运输中" in out

    assert main(["seed", "--database-url", db_url]) == 0
    assert "already seeded" in capsys.readouterr().out

    assert main(["demo", "--database-url", db_url, "--per-status", "2"]) == 0
    out = capsys.readouterr().out
    assert "| 1 | 王晓明 | 13812341234 | 钻石卡 |" in out
    assert "物流停滞" in out and "派送异常" in out
    for status in STATUS_ORDER:
        assert f"| {status} |" in out


def test_cli_requires_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([])
    capsys.readouterr()
