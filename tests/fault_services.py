"""A PostgreSQL and a Redis of the fault tests' own, which the tests stop and start at will,
and the deployment's customers and agents as the tests see them.

Debian's binaries, a temporary data directory and free ports: the machine's running services
are never touched. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` system user (runuser).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import redis
import requests
import socketio
from sqlalchemy import select

from bot.db.models_handoff import HandoffCase
from bot.db.session import session_scope
from bot.deploy.cluster import Cluster
from bot.security.customer_token import issue_customer_token
from tests.live_assistant import free_port

POSTGRES_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/local/bin")]
REDIS_SERVER = Path("/usr/bin/redis-server")
SERVICE_USER = "postgres"
START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 120
AGENT_API = "/webhooks/agent/api/"


def postgres_bin() -> Path | None:
    """The directory with initdb and pg_ctl, None when PostgreSQL is not installed."""
    for directory in POSTGRES_BIN_DIRS:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def missing_services() -> list[str]:
    """What the fault tests need and this machine lacks (empty: they can run)."""
    missing = [] if postgres_bin() else ["PostgreSQL (initdb, pg_ctl)"]
    if not (REDIS_SERVER.is_file() or shutil.which("redis-server")):
        missing.append("redis-server")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser (PostgreSQL cannot run as root)")
    return missing


def _as_service_user(command: Sequence[str]) -> list[str]:
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", SERVICE_USER, "--", *command]


@dataclass
class OwnPostgres:
    """A throw-away PostgreSQL cluster: ``start()`` makes it on first use, ``remove()`` deletes
    it. Its directory is a temporary one of its own, not under pytest's (which only root may
    enter), owned by the server's user."""

    directory: Path
    port: int
    database: str = "kefu"

    @classmethod
    def create(cls) -> OwnPostgres:
        return cls(Path(tempfile.mkdtemp(prefix="kefu-faults-pg-")), free_port())

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def _data(self) -> Path:
        return self.directory / "data"

    def _run(self, *command: str) -> None:
        binary = postgres_bin()
        if binary is None:
            raise RuntimeError("PostgreSQL is not installed")
        done = subprocess.run(
            _as_service_user([str(binary / command[0]), *command[1:]]),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")

    def _initialise(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, SERVICE_USER, SERVICE_USER)
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C")  # fmt: skip

    def start(self) -> None:
        if not self._data.exists():
            self._initialise()
            self._start()
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      self.database)  # fmt: skip
        else:
            self._start()

    def _start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
        self._run("pg_ctl", "-D", str(self._data), "-l", str(self.directory / "postgres.log"),
                  "-o", options, "-w", "-t", str(int(START_TIMEOUT_S)), "start")  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when the server restarts."""
        if (self._data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self._start()


@dataclass
class OwnRedis:
    """A Redis server without persistence (locks and socket.io messages are transient)."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def in_dir(cls, directory: Path) -> OwnRedis:
        return cls(directory, free_port())

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        binary = str(REDIS_SERVER) if REDIS_SERVER.is_file() else "redis-server"
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                 str(self.directory), "--save", "", "--appendonly", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


# --- the deployment as customers and agents see it ----------------------------------------------


@dataclass
class Deployment:
    """A running cluster on its own PostgreSQL and Redis, and how the tests talk to it."""

    cluster: Cluster
    postgres: OwnPostgres
    redis: OwnRedis

    @property
    def url(self) -> str:
        return self.cluster.url

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def token_for(self, customer_id: int) -> str:
        secret = self.cluster.config.customer_jwt_secret
        return issue_customer_token(
            customer_id, secret, datetime.now(timezone.utc), timedelta(hours=1)
        )

    def say(
        self, sender: str, text: str, customer_id: int | None = None, via: str | None = None
    ) -> list[str]:
        """The bot's reply texts to one REST message through nginx, or ``via`` one instance's
        own URL (any status but 200 fails the test)."""
        headers = {}
        if customer_id is not None:
            headers["Authorization"] = f"Bearer {self.token_for(customer_id)}"
        response = requests.post(
            f"{via or self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=headers,
            timeout=REQUEST_TIMEOUT_S,
        )
        assert response.status_code == 200, response.text
        return [str(m.get("text") or "") for m in response.json()]

    def tracker(self, conversation: str) -> dict[str, Any]:
        response = requests.get(
            f"{self.url}/conversations/{conversation}/tracker",
            params={"token": self.cluster.config.rasa_token},
            timeout=REQUEST_TIMEOUT_S,
        )
        response.raise_for_status()
        return dict(response.json())

    def case_of(self, sender: str) -> HandoffCase | None:
        with session_scope(self.database_url) as session:
            case = session.scalars(
                select(HandoffCase)
                .where(HandoffCase.sender_id == sender)
                .order_by(HandoffCase.id.desc())
            ).first()
            if case is not None:
                session.expunge(case)
            return case

    def agent(self, username: str, password: str) -> requests.Session:
        http = requests.Session()
        response = http.post(
            f"{self.url}{AGENT_API}login",
            json={"username": username, "password": password},
            timeout=REQUEST_TIMEOUT_S,
        )
        assert response.status_code == 200, response.text
        return http


class SocketCustomer:
    """A customer on the chat page's socket.io channel (long-polling, as through any proxy)."""

    def __init__(self, url: str) -> None:
        self.replies: list[str] = []
        self.sessions: list[str] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", lambda data: self.replies.append(str(data.get("text"))))
        self.client.on("session_confirm", self.sessions.append)
        self.client.connect(url, transports=["polling"], socketio_path="socket.io")
        self.client.emit("session_request", {})
        self.session_id = str(wait_until(lambda: self.sessions)[0])

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def hears(self, text: str, timeout: float = 60) -> None:
        wait_until(lambda: any(text in reply for reply in self.replies), timeout)

    def close(self) -> None:
        self.client.eio.disconnect(abort=True)


def wait_until(check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return found
