"""`make bench`: trains, scores and load-tests the systems, then writes docs/benchmarks.md.

Steps (progress on stdout): wait while someone else's `rasa train` runs; train ours, stock Rasa
and baseline (a) from scratch, timed; score the four NLU systems on the held-out split; load
ours and stock Rasa, phase by phase in turn; render the report. Work files go to results/bench/
(git-ignored); `--reuse-models`, `--skip-nlu`, `--skip-load` and `--duration` shorten a rerun.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

from benchmarks import cost, scaling
from benchmarks.load_bench import LoadPlan, run_interleaved
from benchmarks.results import (
    BASELINE_LINEAR,
    BASELINE_RASA,
    BASELINE_TFIDF,
    OURS,
    STOCK,
    BenchResults,
    Machine,
    ServerBench,
)
from benchmarks.stats import summarize

REPO = Path(__file__).resolve().parents[1]
RASA = str(Path(sys.executable).parent / "rasa")
CONFIGS = REPO / "benchmarks" / "configs"
TRAIN_TIMEOUT_S = 20 * 60
_T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[bench {(time.monotonic() - _T0) / 60:5.1f} min] {message}", flush=True)


def machine_facts() -> Machine:
    import rasa
    import tensorflow as tf

    return Machine(
        cpu_model=cost.cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gib=cost.memory_total_mb() / 1024,
        python=platform.python_version(),
        rasa=rasa.__version__,
        tensorflow=tf.__version__,
        kernel=platform.release(),
        started_at=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        load_average=os.getloadavg(),
    )


def wait_for_other_trainings(max_minutes: float, notes: list[str]) -> None:
    """Trainings by other engineers on this machine would distort every number: wait them out."""
    deadline = time.monotonic() + 60 * max_minutes
    waited = False
    while (others := cost.other_trainings()) and time.monotonic() < deadline:
        waited = True
        say(f"another `rasa train` is running (pids {others}); waiting for it to finish")
        time.sleep(15)
    if others:
        notes.append(
            f"Another `rasa train` (pids {others}) was still running after waiting "
            f"{max_minutes:.0f} min; the numbers below shared the CPU with it."
        )
    elif waited:
        say("no other training running any more")


def check_busy(step: str, results: BenchResults) -> None:
    others = cost.other_trainings()
    if others:
        seen = results.other_trainings.setdefault(step, [])
        seen.extend(pid for pid in others if pid not in seen)
        say(f"WARNING: another `rasa train` is running during {step}: {others}")


def train_all(work: Path, results: BenchResults) -> dict[str, Path]:
    out = work / "models"
    commands = {
        OURS: [RASA, "train", "--out", str(out), "--fixed-model-name", OURS, "--force"],
        STOCK: [RASA, "train", "--config", str(CONFIGS / "stock_rasa.yml"), "--domain",
                "domain.yml", "--data", "data/nlu", "data/rules", "data/stories", "--out",
                str(out), "--fixed-model-name", STOCK, "--force"],
        BASELINE_RASA: [RASA, "train", "nlu", "--config", str(CONFIGS / "baseline_rasa.yml"),
                        "--nlu", "data/nlu", "--out", str(out), "--fixed-model-name",
                        BASELINE_RASA],
    }  # fmt: skip
    models: dict[str, Path] = {}
    for name, command in commands.items():
        # A cache of its own, empty: every component is really trained, none reused.
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(work / f"cache-{name}"),
               "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}  # fmt: skip
        say(f"training {name}: {' '.join(command[1:])}")
        check_busy(f"training {name}", results)
        watch = cost.CpuWatch().start()
        t = cost.measured_run(name, command, cwd=REPO, env=env, log=work / f"train-{name}.log",
                              timeout=TRAIN_TIMEOUT_S)  # fmt: skip
        results.foreign_cores[f"training {name}"] = watch.foreign_cores()
        shutil.rmtree(env["RASA_CACHE_DIRECTORY"], ignore_errors=True)  # only served this run
        check_busy(f"training {name}", results)
        results.training.append(t)
        say(f"  {name}: exit {t.returncode}, {t.wall_seconds:.0f} s, peak {t.peak_rss_mb:.0f} MiB")
        model = out / f"{name}.tar.gz"
        if t.returncode == 0 and model.exists():
            models[name] = model
        else:
            results.notes.append(f"Training {name} failed (exit {t.returncode}); see its log.")
    return models


def nlu_benchmarks(models: dict[str, Path], results: BenchResults) -> None:
    from benchmarks.nlu_bench import evaluate_linear, evaluate_rasa, evaluate_tfidf
    from bot.retrain.evaluation import load_examples

    check_busy("NLU scoring", results)
    watch = cost.CpuWatch().start()
    held_out = load_examples(REPO / "data" / "test" / "nlu")
    training = load_examples(REPO / "data" / "nlu")
    for name in (OURS, BASELINE_RASA):
        if name in models:
            say(f"NLU: scoring {name} on {len(held_out)} held-out messages")
            results.nlu.append(evaluate_rasa(name, models[name], held_out))
    say(f"NLU: fitting TF-IDF baseline on {len(training)} training messages and scoring it")
    results.nlu.append(evaluate_tfidf(BASELINE_TFIDF, training, held_out))
    say("NLU: fitting the word + char n-gram TF-IDF baseline and scoring it")
    results.nlu.append(evaluate_linear(BASELINE_LINEAR, training, held_out))
    results.foreign_cores["NLU scoring"] = watch.foreign_cores()
    check_busy("NLU scoring", results)
    for r in results.nlu:
        say(f"  {r.system}: macro-F1 {r.report.overall.macro_f1:.3f}, "
            f"accuracy {r.report.overall.accuracy:.3f}")  # fmt: skip


def demo_customers(database_url: str) -> list[int]:
    """Demo customers with exactly one parcel to track, so `track` needs no follow-up question."""
    from sqlalchemy import select

    from bot.db.models import Customer
    from bot.db.session import session_scope
    from bot.services.orders.lookup import Purpose, candidate_orders

    with session_scope(database_url) as s:
        ids = list(s.execute(select(Customer.id).order_by(Customer.id)).scalars())
        return [i for i in ids if len(candidate_orders(s, i, Purpose.TRACK)) == 1]


def _store(work: Path, label: str) -> tuple[str, list[int], Path]:
    """A freshly seeded demo store of the server's own; its URL, demo customers and folder."""
    from bot.db.session import dispose_engines
    from bot.demo.seed import seed

    directory = work / f"load-{label}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    url = f"sqlite:///{directory / 'kefu-bench.db'}"
    seed(url)
    customers = demo_customers(url)
    dispose_engines()
    return url, customers, directory


def load_servers(
    models: dict[str, Path], work: Path, plan: LoadPlan, results: BenchResults
) -> dict[str, ServerBench]:
    """Every server up at once, loaded phase by phase in turn (see run_interleaved). A label
    ours-xN is `make prod`'s set-up with N instances serving our model (benchmarks.scaling)."""
    from tests.live_assistant import running_assistant

    pids: dict[str, scaling.RolePids] = {}
    urls: dict[str, str] = {}
    customers: dict[str, list[int]] = {}
    rss: dict[str, dict[str, float]] = {label: {} for label in models}
    cpu_marks: dict[tuple[str, str], dict[str, float]] = {}
    watch = cost.CpuWatch()

    def between_phases(label: str, event: str) -> None:
        p = pids[label]
        cpu_marks[label, event] = p.cpu_seconds()
        if event == "warm":
            rss[label]["rasa warm"] = p.rss_mb("rasa")
            rss[label]["actions warm"] = p.rss_mb("actions")
        elif event.startswith("start:"):
            say(f"load {label}: phase {event[6:]}")
            check_busy(f"load {label} {event[6:]}", results)
            watch.start()
        elif event.startswith("end:"):
            results.foreign_cores[f"load {label} {event[4:]}"] = watch.foreign_cores()

    with contextlib.ExitStack() as stack:
        for label, model in models.items():
            if (instances := scaling.cluster_instances(label)) is not None:
                say(f"load {label}: starting {instances} instance(s) behind nginx")
                urls[label], customers[label], pids[label] = scaling.start_cluster(
                    stack, model, instances, work
                )
                continue
            url, customers[label], directory = _store(work, label)
            say(f"load {label}: starting servers ({len(customers[label])} demo customers)")
            live = stack.enter_context(running_assistant(model, url, directory / "logs"))
            urls[label] = live.url
            pids[label] = scaling.single_server_pids(int(live.url.rsplit(":", 1)[1]))
        loads = asyncio.run(run_interleaved(urls, customers, plan, between_phases))
        for label, p in pids.items():
            rss[label]["rasa after load"] = p.rss_mb("rasa")
            rss[label]["actions after load"] = p.rss_mb("actions")
    benches = {}
    for label, load in loads.items():
        summaries = []
        for phase in load.phases:
            start, end = (
                cpu_marks[label, f"start:{phase.name}"],
                cpu_marks[label, f"end:{phase.name}"],
            )
            turns = max(len(phase.turns), 1)
            cpu = {k: 1000 * (end[k] - start[k]) / turns for k in start}
            s = summarize(dataclasses.replace(phase, cpu_ms_per_turn=cpu))
            summaries.append(s)
            say(
                f"  {label} {s.name}: {s.achieved_rate:.1f} turns/s, p50 {s.p50_ms:.0f} ms, "
                f"p95 {s.p95_ms:.0f} ms, p99 {s.p99_ms:.0f} ms, {s.failed} failed {s.errors}"
            )
        benches[label] = ServerBench(
            label, models[label].name, summaries, rss[label], load.samples, load.warmup_failures,
            dict(load.handoffs.most_common()),
        )  # fmt: skip
    return benches


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--work", type=Path, default=REPO / "results" / "bench")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per load phase")
    parser.add_argument("--concurrency", type=int, default=16, help="saturated customers")
    parser.add_argument(
        "--reuse-models",
        action="store_true",
        help="use the models of a previous run in --work (no training costs)",
    )
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--cluster-instances", type=int, nargs="*", default=[1, 2],
                        help="also load `make prod`'s set-up with these numbers of Rasa "
                        "instances behind nginx (local PostgreSQL and Redis)")  # fmt: skip
    parser.add_argument("--servers", nargs="*", default=None,
                        help="load only these servers (ours, stock, ours-x2, ...)")  # fmt: skip
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--wait-minutes", type=float, default=30.0,
                        help="how long to wait for other engineers' trainings")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(REPO)
    # One load generator on one address plays hundreds of customers: the per-client rate limits
    # (bot.security) would measure the limiter, not the assistant. Every server started below
    # inherits this environment.
    for limit in ("RATE_LIMIT_PER_SENDER", "RATE_LIMIT_PER_ADDRESS"):
        os.environ[limit] = "off"
    extra = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.run", *extra]) if extra else "make bench"
    results = BenchResults(machine_facts(), command)
    say(f"{results.machine.cores} cores, {results.machine.memory_gib:.0f} GiB, "
        f"Rasa {results.machine.rasa}; work files in {args.work}")  # fmt: skip
    waiting = time.monotonic()
    wait_for_other_trainings(args.wait_minutes, results.notes)
    if (waited := time.monotonic() - waiting) > 60:
        results.notes.append(f"Waited {waited / 60:.0f} min for other trainings before starting.")
    started = time.monotonic()
    if args.reuse_models:
        models = {p.name.split(".")[0]: p for p in (args.work / "models").glob("*.tar.gz")}
        results.notes.append("Models reused from an earlier run: training costs not measured.")
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        models = train_all(args.work, results)
    if OURS not in models:
        from bot.retrain.evaluation import latest_model

        models[OURS] = latest_model(REPO / "models")
        results.notes.append(f"Our model is the newest in models/ ({models[OURS].name}).")
    if args.skip_nlu:
        results.notes.append("NLU benchmark skipped (--skip-nlu).")
    else:
        nlu_benchmarks(models, results)
    if not args.skip_load:
        plan = LoadPlan(duration=args.duration, concurrency=args.concurrency)
        servers = {label: models[label] for label in (OURS, STOCK) if label in models}
        for n in args.cluster_instances:
            servers[scaling.cluster_label(n)] = models[OURS]
        if args.servers is not None:
            servers = {label: model for label, model in servers.items() if label in args.servers}
        results.load = load_servers(servers, args.work, plan, results)
    else:
        results.notes.append("Load test skipped (--skip-load).")
    from benchmarks.plots import write_plots
    from benchmarks.report import render

    results.total_seconds = time.monotonic() - started
    plots = write_plots(results, args.out.parent / "benchmarks")
    relative = {k: str(p.relative_to(args.out.parent)) for k, p in plots.items()}
    args.out.write_text(render(results, relative), encoding="utf-8")
    raw = json.dumps(dataclasses.asdict(results), ensure_ascii=False, indent=1, default=str)
    (args.work / "results.json").write_text(raw, encoding="utf-8")
    say(f"wrote {args.out} ({results.total_seconds / 60:.1f} min without waiting)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
