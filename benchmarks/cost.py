"""What the systems cost: training time and peak memory, server memory and CPU (psutil).

Peak memory of a training comes from the kernel's own accounting of the child (``wait4``'s
``ru_maxrss``), so nothing is sampled.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class TrainingCost:
    name: str
    command: str
    wall_seconds: float
    peak_rss_mb: float
    returncode: int


def measured_run(
    name: str,
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    timeout: float,
) -> TrainingCost:
    """Runs a command to completion (killed after `timeout` s); its wall time and peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            # wait4 rather than Popen.wait: it returns the child's own resource usage.
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return TrainingCost(
        name=name,
        command=" ".join(command),
        wall_seconds=time.perf_counter() - started,
        peak_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        returncode=process.returncode,
    )


def cmdline(pid: int) -> list[str]:
    """The arguments of a process; [] when it is gone."""
    try:
        return psutil.Process(pid).cmdline()
    except psutil.NoSuchProcess:
        return []


def descendants(root: int) -> list[int]:
    """Children, grandchildren ... of `root` that are alive now; [] when it is gone."""
    try:
        return [child.pid for child in psutil.Process(root).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MiB; 0 when it is gone."""
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far; 0 when it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


@dataclass(frozen=True)
class ServerPids:
    rasa: int
    actions: int


def environ(pid: int) -> dict[str, str]:
    """The environment a process started with; {} when it is gone."""
    try:
        return dict(psutil.Process(pid).environ())
    except psutil.NoSuchProcess:
        return {}


def server_pids(rasa_port: int) -> ServerPids:
    """The Rasa server on `rasa_port` and the action server it calls, both started by us.

    Several assistants may run at once, so the action server is the one listening on the port
    of the Rasa server's ACTION_SERVER_URL.
    """
    servers = {}
    for pid in descendants(os.getpid()):
        args = cmdline(pid)
        if "run" in args and "--port" in args:
            servers[pid] = (args[args.index("--port") + 1], "actions" in args)
    rasa = next((p for p, (port, a) in servers.items() if port == str(rasa_port) and not a), None)
    if rasa is None:
        raise RuntimeError(f"no Rasa server on port {rasa_port} under this process")
    action_url = environ(rasa).get("ACTION_SERVER_URL", "")
    action_port = action_url.rsplit(":", 1)[-1].split("/", 1)[0]
    actions = next((p for p, (port, a) in servers.items() if port == action_port and a), None)
    if actions is None:
        raise RuntimeError(f"no action server on port {action_port!r} under this process")
    return ServerPids(rasa, actions)


def other_trainings(own_root: int | None = None) -> list[int]:
    """Processes running `rasa train` (like `pgrep -f "rasa train"`) that are not ours."""
    own_root = own_root or os.getpid()
    ours = set(descendants(own_root)) | {own_root}
    found = []
    # A process that ends or hides its arguments meanwhile reports cmdline None.
    for process in psutil.process_iter(["cmdline"]):
        if process.pid not in ours and "rasa train" in " ".join(process.info["cmdline"] or []):
            found.append(process.pid)
    return sorted(found)


def memory_total_mb() -> float:
    return psutil.virtual_memory().total / 2**20


def cpu_model() -> str:
    # psutil does not name the processor; the kernel does.
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return "unknown"
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent not idle since boot."""
    t = psutil.cpu_times()
    # Busy = all but idle and iowait; guest time is already counted in user and nice.
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal


def own_cpu_seconds() -> float:
    """CPU used by this process, its reaped children and its live descendants."""
    t = os.times()
    live = sum(cpu_seconds(pid) for pid in descendants(os.getpid()))
    return t.user + t.system + t.children_user + t.children_system + live


@dataclass
class CpuWatch:
    """How many cores other processes kept busy while a step of ours ran."""

    machine: float = 0.0
    own: float = 0.0
    wall: float = 0.0

    def start(self) -> CpuWatch:
        self.machine, self.own, self.wall = (
            machine_busy_seconds(),
            own_cpu_seconds(),
            time.monotonic(),
        )
        return self

    def foreign_cores(self) -> float:
        elapsed = max(time.monotonic() - self.wall, 1e-9)
        foreign = (machine_busy_seconds() - self.machine) - (own_cpu_seconds() - self.own)
        return max(foreign, 0.0) / elapsed
