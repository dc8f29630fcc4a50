"""What the systems cost: training time and peak memory, server memory and CPU, read from /proc.

Peak memory of a training comes from the kernel's own accounting of the child (``wait4``'s
``ru_maxrss``), so nothing is sampled and nothing extra needs installing.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


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


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:  # the process ended meanwhile
        return None


def cmdline(pid: int) -> list[str]:
    raw = _read(PROC / str(pid) / "cmdline")
    return [part for part in raw.split("\0") if part] if raw else []


def parent_of(pid: int) -> int | None:
    raw = _read(PROC / str(pid) / "stat")
    if not raw:
        return None
    # The command name (field 2) may contain spaces; the fields after its ')' are fixed.
    return int(raw.rsplit(")", 1)[1].split()[1])


def all_pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        parent = parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of one process in MiB; 0 when it is gone."""
    status = _read(PROC / str(pid) / "status") or ""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    raw = _read(PROC / str(pid) / "stat")
    if not raw:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerPids:
    rasa: int
    actions: int


def environ(pid: int) -> dict[str, str]:
    raw = _read(PROC / str(pid) / "environ") or ""
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


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
    for pid in all_pids():
        if pid in ours:
            continue
        if "rasa train" in " ".join(cmdline(pid)):
            found.append(pid)
    return sorted(found)


def memory_total_mb() -> float:
    for line in (_read(PROC / "meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_model() -> str:
    for line in (_read(PROC / "cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent not idle since boot (from /proc/stat)."""
    first = (_read(PROC / "stat") or "cpu 0").splitlines()[0].split()
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    ticks = [int(x) for x in first[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


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
