"""The scaling table of docs/benchmarks.md: clusters of Rasa instances against one instance."""

from __future__ import annotations

from benchmarks.report import render
from benchmarks.results import BenchResults, Machine, ServerBench
from benchmarks.scaling import cluster_instances, cluster_label, scaling_lines
from benchmarks.stats import PhaseSummary

MACHINE = Machine(
    "AMD EPYC", 2, 23.4, "3.10.13", "3.6.21", "2.12.0", "6.1", "2026-12-01", (0.1,) * 3
)


def _phase(name: str, achieved: float, p95: float) -> PhaseSummary:
    cpu = {"rasa": 50.0, "actions": 6.0, "nginx": 1.0}
    return PhaseSummary(name, None, 16, 300, 0, achieved, p95 / 2, p95, p95, {}, cpu)


def _cluster(instances: int, saturated: float) -> ServerBench:
    label = cluster_label(instances)
    phases = [_phase("20/s", 19.5, 120.0 / instances), _phase("saturated", saturated, 900.0)]
    return ServerBench(label, "ours.tar.gz", phases, {}, {}, 0)


def test_labels_carry_the_number_of_instances() -> None:
    assert cluster_instances(cluster_label(3)) == 3
    assert cluster_instances("ours") is None and cluster_instances("stock") is None


def test_each_cluster_is_compared_with_one_instance() -> None:
    r = BenchResults(MACHINE, "make bench")
    r.load = {cluster_label(1): _cluster(1, 18.0), cluster_label(2): _cluster(2, 30.6)}
    table = "\n".join(scaling_lines(r))
    assert (
        "| ours ×1 behind nginx (PostgreSQL, Redis) | 18.0 | 1.00x | 120 | 0 | 50 + 6 + 1 |"
        in table
    )
    assert (
        "| ours ×2 behind nginx (PostgreSQL, Redis) | 30.6 | 1.70x | 60 | 0 | 50 + 6 + 1 |" in table
    )
    assert "### Scaling" in render(r, {})


def test_without_clusters_there_is_no_scaling_table() -> None:
    assert scaling_lines(BenchResults(MACHINE, "make bench")) == []
