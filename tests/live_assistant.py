"""Starts the real assistant (action server + Rasa server) for end-to-end tests.

The processes are the ones `make run` starts, on free ports, against a demo store of their own,
so a test talks to exactly what a customer would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from bot.channels.identity import rest_conversation_id
from bot.security.customer_token import issue_customer_token

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CUSTOMER_JWT_SECRET = "e2e-customer-token-secret-0123456789abcdef"
# credentials.yml expands them (the WeChat channel); empty when a test does not set them.
WECHAT_VARIABLES = (
    "WECHAT_TOKEN",
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "WECHAT_AES_KEY",
    "WECHAT_API_BASE",
)


@dataclass(frozen=True)
class Assistant:
    url: str  # Rasa server, e.g. http://127.0.0.1:5105
    token: str
    database_url: str
    log_dir: Path

    def say(self, sender: str, text: str, customer_id: int | None = None) -> list[dict]:
        """One customer message over the REST channel, signed in as `customer_id` by a customer
        token (as the shop's login would sign it) or anonymous; the bot's replies."""
        headers = {}
        if customer_id is not None:
            token = issue_customer_token(
                customer_id, CUSTOMER_JWT_SECRET, datetime.now(timezone.utc), timedelta(hours=1)
            )
            headers["Authorization"] = f"Bearer {token}"
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=headers,
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self, sender: str, customer_id: int | None = None) -> dict:
        """The tracker of `sender`'s conversation; a signed-in customer's REST conversation is
        kept under its own id (bot.channels.identity)."""
        conversation = rest_conversation_id(sender, customer_id)
        response = requests.get(
            f"{self.url}/conversations/{conversation}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} not up after {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def running_assistant(
    model: Path,
    database_url: str,
    log_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    action_port: int | None = None,
) -> Iterator[Assistant]:
    """`extra_env` is given to both processes last (it wins); `action_port` lets a test put
    something between Rasa and the action server (ACTION_SERVER_URL in `extra_env`)."""
    rasa_port, action_port = free_port(), action_port or free_port()
    token = "e2e-test-token"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TOKEN": token,
        # The demo set-up (weak test token allowed, demo tokens sign customers in).
        "DEMO_MODE": "true",
        "CUSTOMER_JWT_SECRET": CUSTOMER_JWT_SECRET,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        # Every simulated customer and agent of the tests and benchmarks speaks from 127.0.0.1:
        # one address, far more messages and sign-ins than one real client's (per conversation
        # still limited; tests/integration/test_attack_rate_limit.py tests the limits).
        "RATE_LIMIT_PER_ADDRESS": "off",
        "RATE_LIMIT_LOGIN": "off",
        # credentials.yml expands these; Rasa refuses to start if one is missing altogether.
        **{name: os.environ.get(name, "") for name in WECHAT_VARIABLES},
        **(extra_env or {}),
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    actions_log, rasa_log = log_dir / "actions.log", log_dir / "rasa.log"
    rasa = str(VENV_BIN / "rasa")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with actions_log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [rasa, "run", "actions", "--port", str(action_port), "--actions", "actions"],
                    cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
        with rasa_log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [rasa, "run", "--enable-api", "--auth-token", token, "--port", str(rasa_port),
                     "--model", str(model), "--endpoints", "endpoints.yml",
                     "--credentials", "credentials.yml"],
                    cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
        _wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[0], actions_log, 120)
        _wait_until_up(f"http://127.0.0.1:{rasa_port}/status?token={token}", processes[1],
                       rasa_log, 240)  # fmt: skip
        yield Assistant(f"http://127.0.0.1:{rasa_port}", token, database_url, log_dir)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
