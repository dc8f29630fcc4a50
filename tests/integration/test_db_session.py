"""Sessions of bot.db: one sessionmaker per URL next to its engine, the configured URL read once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.enums import MembershipLevel
from bot.db.migrate import upgrade
from bot.db.models import Customer
from bot.db.session import dispose_engines, get_engine, session_factory, session_scope


def names(url: str) -> list[str]:
    with session_scope(url) as session:
        return list(session.execute(select(Customer.name).order_by(Customer.id)).scalars())


def test_one_sessionmaker_per_url_bound_to_that_urls_engine(db_url: str) -> None:
    other = db_url.replace(".db", "-other.db")
    assert session_factory(db_url) is session_factory(db_url)
    assert session_factory(db_url) is not session_factory(other)
    assert session_factory(db_url).kw["bind"] is get_engine(db_url)


def test_without_a_url_the_configured_database_is_used(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert session_factory() is session_factory(db_url)
    upgrade(db_url)
    with session_scope() as session:
        session.add(Customer(name="甲", phone="13900000000", level=MembershipLevel.NORMAL))
    assert names(db_url) == ["甲"]


def test_the_configured_database_is_read_once_not_per_session(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = db_url.replace(".db", "-other.db")
    for url in (db_url, other):
        upgrade(url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    with session_scope() as session:
        session.add(Customer(name="甲", phone="13900000000", level=MembershipLevel.NORMAL))
    # A process keeps the database it started with, whatever happens to its environment later.
    monkeypatch.setenv("DATABASE_URL", other)
    with session_scope() as session:
        session.add(Customer(name="乙", phone="13900000001", level=MembershipLevel.NORMAL))
    assert (names(db_url), names(other)) == (["甲", "乙"], [])


def test_dispose_forgets_engines_and_sessionmakers_and_sessions_still_work(db_url: str) -> None:
    upgrade(db_url)
    engine, factory = get_engine(db_url), session_factory(db_url)
    dispose_engines()
    assert get_engine(db_url) is not engine
    assert session_factory(db_url) is not factory
    assert session_factory(db_url).kw["bind"] is get_engine(db_url)
    with session_scope(db_url) as session:
        session.add(Customer(name="丙", phone="13900000002", level=MembershipLevel.NORMAL))
    assert names(db_url) == ["丙"]
