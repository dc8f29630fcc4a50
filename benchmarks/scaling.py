"""The production set-up under load: N Rasa instances behind nginx (bot.deploy.cluster), on
PostgreSQL and Redis, next to the single `make run` process and stock Rasa.

Each cluster gets a freshly seeded PostgreSQL database and a Redis database of its own, so it
serves the same demo store as the other servers. Its CPU is read per role (every Rasa instance,
every action server, nginx with its worker) and summed, so "CPU ms per turn" stays comparable
with a single server.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks import cost
from benchmarks.results import CLUSTER_PREFIX, SYSTEM_TITLES, BenchResults

# The machine's own services; each cluster takes a database named after it and a Redis db.
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
FIRST_REDIS_DB = 12


def cluster_label(instances: int) -> str:
    return f"{CLUSTER_PREFIX}{instances}"


def cluster_instances(label: str) -> int | None:
    """N for a cluster's label, None for any other server."""
    if not label.startswith(CLUSTER_PREFIX):
        return None
    return int(label[len(CLUSTER_PREFIX) :])


@dataclass(frozen=True)
class RolePids:
    """Process ids by role: "rasa", "actions" and, for a cluster, "nginx"."""

    roles: Mapping[str, tuple[int, ...]]

    def cpu_seconds(self) -> dict[str, float]:
        # nginx does its work in a worker, a child of the pid it was started as.
        return {
            role: sum(cost.cpu_seconds(p) for pid in pids for p in (pid, *cost.descendants(pid)))
            for role, pids in self.roles.items()
        }

    def rss_mb(self, role: str) -> float:
        return sum(cost.rss_mb(pid) for pid in self.roles.get(role, ()))


def single_server_pids(rasa_port: int) -> RolePids:
    found = cost.server_pids(rasa_port)
    return RolePids({"rasa": (found.rasa,), "actions": (found.actions,)})


def start_cluster(
    stack: contextlib.ExitStack, model: Path, instances: int, work: Path
) -> tuple[str, list[int], RolePids]:
    """A seeded cluster of `instances` Rasa servers, stopped when `stack` closes; its URL
    (nginx), the demo customers to simulate and its processes."""
    import redis
    from sqlalchemy import create_engine

    from benchmarks.run import demo_customers
    from bot.db.session import dispose_engines
    from bot.deploy.cluster import Cluster, ClusterConfig
    from bot.deploy.database import prepare_database

    label = cluster_label(instances)
    database = f"kefu_bench_x{instances}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.dispose()
    url = f"{POSTGRES_SERVER}/{database}"
    prepare_database(url)
    customers = demo_customers(url)
    dispose_engines()
    redis_url = f"redis://127.0.0.1:6379/{FIRST_REDIS_DB + instances}"
    redis.Redis.from_url(redis_url).flushdb()
    config = ClusterConfig(
        database_url=url,
        redis_url=redis_url,
        model=model,
        log_dir=work / f"load-{label}" / "logs",
        instances=instances,
        port=0,
        lock_prefix=f"bench{instances}",
    )
    cluster = stack.enter_context(Cluster(config))
    roles = {
        "rasa": tuple(p.pid for p in cluster.instances if p.pid is not None),
        "actions": tuple(p.pid for p in cluster.action_servers if p.pid is not None),
        "nginx": (cluster.nginx.pid,) if cluster.nginx.pid is not None else (),
    }
    return cluster.url, customers, RolePids(roles)


def scaling_lines(r: BenchResults) -> list[str]:
    """The report's scaling table: each cluster's saturated throughput against one instance,
    its latency at 20 turns/s and its whole CPU per turn."""
    clusters = sorted(
        (n, server) for key, server in r.load.items() if (n := cluster_instances(key)) is not None
    )
    if not clusters:
        return []
    one = next((s.phase("saturated") for n, s in clusters if n == 1), None)
    lines = [
        "",
        "### Scaling: Rasa instances behind nginx",
        "",
        "`make prod`'s set-up (bot/deploy/cluster.py): the instances share PostgreSQL (tracker "
        "store and shop), Redis (lock store, socket.io) and one action server, behind nginx. "
        "CPU per turn adds every process of the deployment (Rasa instances + action server + "
        "nginx).",
        "",
        "| deployment | saturated turns/s | vs 1 instance | p95 ms at 20/s | failed at 20/s "
        "| CPU ms/turn saturated (rasa + actions + nginx) |",
        "|---|---|---|---|---|---|",
    ]
    for _, server in clusters:
        sat, mid = server.phase("saturated"), server.phase("20/s")
        rate = sat.achieved_rate if sat else math.nan
        base = one.achieved_rate if one else math.nan
        versus = f"{rate / base:.2f}x" if base and not math.isnan(base) else "—"
        cpu = sat.cpu_ms_per_turn if sat else {}
        parts = " + ".join(f"{cpu.get(k, math.nan):.0f}" for k in ("rasa", "actions", "nginx"))
        p95 = f"{mid.p95_ms:.0f}" if mid and not math.isnan(mid.p95_ms) else "—"
        failed = str(mid.failed) if mid else "—"
        title = SYSTEM_TITLES.get(server.label, server.label)
        lines.append(f"| {title} | {rate:.1f} | {versus} | {p95} | {failed} | {parts} |")
    return lines
