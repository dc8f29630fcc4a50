"""One long-running child process with a log file and an HTTP health check.

Each child runs in a session of its own, so Ctrl-C in the launcher's terminal reaches only the
launcher, which then stops its children in order (nginx first, so no request lands on a
half-stopped instance).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Rasa saves its trackers and closes its connections on SIGTERM well within this.
STOP_GRACE_S = 20


class StartupFailed(RuntimeError):
    pass


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether `url` answers with a status below 500 (the process serves)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


@dataclass
class ManagedProcess:
    """A named child: its command, environment, log file and health URL; started on demand."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    log: Path
    health_url: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        if self.running:
            return
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"\n==> {time.strftime('%H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                list(self.command),
                cwd=self.cwd,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def healthy(self) -> bool:
        return self.running and answers(self.health_url)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean-up in the process."""
        if self.process is not None and self.running:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds."""
        process = self.process
        if process is None or not self.running:
            return
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def wait_until_healthy(processes: Sequence[ManagedProcess], timeout: float) -> None:
    """Return when every process answers its health check; StartupFailed with the log tail of
    the first that exited or is still silent after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pending = list(processes)
    while pending:
        for process in list(pending):
            if not process.running:
                raise StartupFailed(f"{process.name} exited:\n{process.log_tail()}")
            if answers(process.health_url):
                pending.remove(process)
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(process.name for process in pending)
            raise StartupFailed(
                f"not healthy after {timeout:.0f} s: {names}\n{pending[0].log_tail()}"
            )
        time.sleep(0.5)
