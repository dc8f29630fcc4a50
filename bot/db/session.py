"""Engines and sessions.

Engines are expensive (connection pools) and thread-safe, so one is kept per URL, with its
sessionmaker, and created the first time that URL is used, never at import. Sessions are cheap
and not thread-safe: take one per unit of work with :func:`session_scope`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.settings import get_settings

_engines: dict[str, Engine] = {}
_session_factories: dict[str, sessionmaker[Session]] = {}
# Re-entrant: session_factory holds it while get_engine takes it again, so that a concurrent
# dispose_engines() cannot leave a sessionmaker bound to a forgotten engine.
_lock = threading.RLock()


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores FOREIGN KEY clauses unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create a new (uncached) engine; SQLite gets foreign keys switched on."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        # Rasa's action server answers from worker threads.
        kwargs["connect_args"] = {"check_same_thread": False}
        if parsed.database in (None, "", ":memory:"):
            # An in-memory database lives in one connection; share it or each checkout is empty.
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def resolve_url(url: str | None = None) -> str:
    """The given URL, or the configured one (``DATABASE_URL`` / the repo's ``kefu.db``)."""
    return url if url is not None else get_settings().database_url


def get_engine(url: str | None = None) -> Engine:
    """The cached engine for ``url`` (default: the configured database), created on first use."""
    key = resolve_url(url)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = make_engine(key)
            _engines[key] = engine
        return engine


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """The cached sessionmaker bound to the engine of ``url`` (default: the configured database)."""
    key = resolve_url(url)
    with _lock:
        factory = _session_factories.get(key)
        if factory is None:
            # expire_on_commit=False: callers may read the loaded attributes after the scope has
            # closed (e.g. to render an answer) without a surprise lazy reload on a closed session.
            factory = sessionmaker(bind=get_engine(key), future=True, expire_on_commit=False)
            _session_factories[key] = factory
        return factory


def dispose_engines() -> None:
    """Close every cached engine's pool and forget the sessionmakers bound to them (tests, and
    processes that fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _session_factories.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error, always close."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
