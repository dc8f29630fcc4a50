"""Shared pytest fixtures.

Database fixtures (bot.db): each test gets real SQLite files under pytest's tmp dirs; the
seeded store is built once per session and must be treated as read-only by tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db.session import dispose_engines, session_scope
from bot.demo.seed import SeedReport, seed
from bot.settings import get_settings
from tests.live_assistant import Assistant, running_assistant


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session", autouse=True)
def demo_mode() -> Iterator[None]:
    """Tests run the demo set-up, as `make run` does (servers built by module fixtures too);
    tests of the production checks set DEMO_MODE=false themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_MODE", os.environ.get("DEMO_MODE") or "true")
        yield


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process; tests point DATABASE_URL & co. elsewhere with
    monkeypatch, so each test reads them afresh and leaves nothing cached behind."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty SQLite database file (not migrated)."""
    yield sqlite_url(tmp_path / "kefu-test.db")
    # Cached engines hold open connections to the file; close them before tmp_path goes.
    dispose_engines()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SeedReport]]:
    """(URL, report) of a demo store seeded once per test session. Read-only for tests."""
    url = sqlite_url(tmp_path_factory.mktemp("seeded") / "kefu-seeded.db")
    report = seed(url)
    yield url, report
    dispose_engines()


@pytest.fixture(scope="session")
def seeded_url(seeded_db: tuple[str, SeedReport]) -> str:
    return seeded_db[0]


@pytest.fixture
def store_url(seeded_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private, writable copy of the seeded store, which actions use through DATABASE_URL."""
    target = tmp_path / "store.db"
    shutil.copyfile(str(make_url(seeded_url).database), target)
    url = sqlite_url(target)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    dispose_engines()


@pytest.fixture(scope="module")
def module_store_url(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``store_url``, but one copy per test module, for a server the module shares
    (seeding again would cost half a minute)."""
    target = tmp_path_factory.mktemp("module_store") / "kefu.db"
    shutil.copyfile(str(make_url(seeded_url).database), target)
    url = sqlite_url(target)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        yield url
    dispose_engines()


@pytest.fixture
def seeded_session(seeded_url: str) -> Iterator[Session]:
    """A session on the shared seeded store; rolled back, so accidental writes do not leak."""
    with session_scope(seeded_url) as session:
        try:
            yield session
        finally:
            session.rollback()


# --- the real assistant --------------------------------------------------------------------
# `make test` trains the model before pytest runs (Rasa skips training when nothing changed), so
# these fixtures only locate it; a bare `pytest` run trains it once if it is missing.


@pytest.fixture(scope="session")
def trained_model() -> Path:
    import subprocess
    import sys

    from bot.retrain.evaluation import latest_model
    from bot.settings import REPO_ROOT

    # KEFU_TEST_MODELS points the tests at another models directory (a branch of domain or
    # data trained with `rasa train --out DIR`) without touching the shared models/.
    models = Path(os.environ.get("KEFU_TEST_MODELS") or REPO_ROOT / "models")
    try:
        return latest_model(models)
    except FileNotFoundError:
        rasa = Path(sys.executable).parent / "rasa"
        subprocess.run([str(rasa), "train", "--out", str(models)], cwd=REPO_ROOT, check=True)
        return latest_model(models)


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Action server + Rasa server on free ports with a freshly seeded store of their own."""
    directory = tmp_path_factory.mktemp("assistant")
    url = sqlite_url(directory / "kefu-e2e.db")
    seed(url)
    with running_assistant(trained_model, url, directory / "logs") as live:
        yield live
