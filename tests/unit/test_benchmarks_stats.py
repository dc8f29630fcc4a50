"""Latency statistics and cost measurement of the benchmarks (pure parts and process probes)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks import cost
from benchmarks.stats import PhaseResult, TurnResult, percentile, ratio, summarize


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy(q: float) -> None:
    values = [0.12, 0.5, 0.03, 2.0, 0.7, 0.7, 1.1, 0.09, 0.33, 5.5, 0.21]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edge_cases() -> None:
    assert math.isnan(percentile([], 50))
    assert percentile([42.0], 99) == 42.0
    assert percentile([1.0, 2.0], 50) == 1.5
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def _turn(kind: str, latency: float, ok: bool = True) -> TurnResult:
    return TurnResult(kind, 0.0, latency, ok, "" if ok else "timeout")


def test_summary_times_only_successful_turns_and_counts_the_rest_as_failed() -> None:
    turns = (
        *[_turn("greet", 0.1)] * 50,
        *[_turn("track", 0.3)] * 50,
        _turn("faq", 30.0, ok=False),
    )
    phase = PhaseResult("20/s", 20, None, 10.0, 12.5, turns, shed=4)
    s = summarize(phase)
    assert (s.ok, s.failed) == (100, 5)
    # 100 successful turns over the 12.5 s it took until the last reply
    assert s.achieved_rate == pytest.approx(8.0)
    assert s.p50_ms == pytest.approx(200.0)
    assert s.p95_ms == pytest.approx(300.0)
    assert s.per_kind_ms["greet"] == pytest.approx((100.0, 100.0))
    assert "faq" not in s.per_kind_ms
    assert s.errors == {"faq: timeout": 1, "not sent: too many turns already waiting": 4}


def test_throughput_window_is_at_least_the_offered_duration() -> None:
    phase = PhaseResult("5/s", 5, None, 30.0, 3.0, tuple([_turn("greet", 0.05)] * 30))
    assert summarize(phase).achieved_rate == pytest.approx(1.0)


def test_ratio_guards_against_missing_reference() -> None:
    assert ratio(30.0, 20.0) == 1.5
    assert math.isnan(ratio(1.0, 0.0))
    assert math.isnan(ratio(math.nan, 2.0))


def test_measured_run_reports_exit_code_wall_time_and_peak_memory(tmp_path: Path) -> None:
    grab = "b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); print('done')"
    t = cost.measured_run(
        "toy", [sys.executable, "-c", grab], cwd=tmp_path, env=os.environ,
        log=tmp_path / "toy.log", timeout=60,
    )  # fmt: skip
    assert t.returncode == 0
    assert t.peak_rss_mb >= 80
    assert 0 < t.wall_seconds < 60
    assert "done" in (tmp_path / "toy.log").read_text()


def test_measured_run_kills_a_command_that_runs_too_long(tmp_path: Path) -> None:
    sleep = [sys.executable, "-c", "import time; time.sleep(30)"]
    t = cost.measured_run(
        "slow", sleep, cwd=tmp_path, env=os.environ, log=tmp_path / "slow.log", timeout=1
    )
    assert t.returncode != 0
    assert t.wall_seconds < 20


def test_process_probes_see_this_process() -> None:
    me = os.getpid()
    assert cost.rss_mb(me) > 10
    assert cost.cpu_seconds(me) > 0
    gone = 2**22 + 12345  # no such process
    assert (cost.rss_mb(gone), cost.cpu_seconds(gone), cost.cmdline(gone)) == (0.0, 0.0, [])
    assert me not in cost.other_trainings()
    assert cost.machine_busy_seconds() > 0
    assert cost.memory_total_mb() > 0


def test_process_probes_measure_a_server_we_started() -> None:
    # Holds 80 MiB and burns CPU for a moment, then waits: what a loaded server looks like.
    work = (
        "import sys, time; b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        "end = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
        "print('ready', flush=True); time.sleep(30)"
    )
    server = subprocess.Popen([sys.executable, "-c", work], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None and server.stdout.readline() == b"ready\n"
        assert server.pid in cost.descendants(os.getpid())
        assert cost.rss_mb(server.pid) >= 80
        assert cost.cpu_seconds(server.pid) >= 0.3
    finally:
        server.kill()
        server.wait(timeout=10)


def test_server_pids_pair_each_rasa_server_with_its_own_action_server() -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    started: list[subprocess.Popen[bytes]] = []
    try:
        for rasa_port, action_port in ((47002, 47001), (47004, 47003)):
            started.append(
                subprocess.Popen([*sleeper, "run", "actions", "--port", str(action_port)])
            )
            env = {**os.environ, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}
            started.append(subprocess.Popen([*sleeper, "run", "--port", str(rasa_port)], env=env))
        # Popen returns once exec has begun, a moment before the kernel shows the new arguments.
        deadline = time.monotonic() + 10
        while any(cost.cmdline(p.pid) != p.args for p in started) and time.monotonic() < deadline:
            time.sleep(0.01)
        pids = cost.server_pids(47004)
        assert (pids.rasa, pids.actions) == (started[3].pid, started[2].pid)
        assert cost.server_pids(47002).actions == started[0].pid
        with pytest.raises(RuntimeError):
            cost.server_pids(47999)
    finally:
        for process in started:
            process.kill()
            process.wait(timeout=10)
