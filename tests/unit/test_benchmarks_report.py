"""Rendering of docs/benchmarks.md and the verdicts on the targets, from made-up results."""

from __future__ import annotations

from pathlib import Path

from benchmarks.cost import TrainingCost
from benchmarks.nlu_bench import NluResult
from benchmarks.plots import write_plots
from benchmarks.report import render
from benchmarks.results import BenchResults, Machine, ServerBench, targets
from benchmarks.stats import PhaseSummary
from bot.retrain.evaluation import Example, Prediction, score

MACHINE = Machine(
    "AMD EPYC", 2, 23.4, "3.10.13", "3.6.21", "2.12.0", "6.1", "2026-11-22", (0.1,) * 3
)
INTENTS = ["greet", "track_order", "faq", "thank"]


def _nlu(system: str, wrong: int) -> NluResult:
    examples = [
        Example(f"{intent} {i}", intent, "faq/invoice" if intent == "faq" else intent, slice_)
        for intent in INTENTS
        for i, slice_ in enumerate(["general", "typos", "emoji", "long", "numbers", "traditional"])
    ]
    # the first `wrong` examples go wrong: the same intent across the slices, one slice each
    predictions = [
        Prediction(("thank" if e.intent == "greet" else "greet") if i < wrong else e.intent,
                   e.full_intent, 0.9)
        for i, e in enumerate(examples)
    ]  # fmt: skip
    return NluResult(system, score(examples, predictions), 12.5)


def _phase(name: str, rate: float | None, p95: float, achieved: float) -> PhaseSummary:
    return PhaseSummary(
        name, rate, None if rate else 16, 600, 0, achieved, p95 / 2, p95, p95 * 1.5,
        {"greet": (p95 / 3, p95 / 2), "track": (p95 / 2, p95)}, {"rasa": 40.0, "actions": 8.0},
    )  # fmt: skip


def _server(label: str, p95_at_20: float, saturated: float) -> ServerBench:
    phases = [
        _phase("5/s", 5, 90, 5.0),
        _phase("20/s", 20, p95_at_20, 19.8),
        _phase("40/s", 40, 900, 31.0),
        _phase("saturated", None, 1500, saturated),
    ]
    rss = {"rasa warm": 900.0, "rasa after load": 950.0, "actions after load": 130.0}
    samples = {"track": ["我的快递到哪了", "您的包裹 SF123 正在派送中"]}
    handoffs = {"空气炸锅有黑色的吗": 3} if label == "ours" else {}
    return ServerBench(label, f"{label}.tar.gz", phases, rss, samples, 0, handoffs)


def _results(ours_wrong: int, p95: float, saturated: float, train_s: float) -> BenchResults:
    r = BenchResults(MACHINE, "make bench")
    r.nlu = [_nlu("ours", ours_wrong), _nlu("baseline_rasa", 6), _nlu("baseline_tfidf", 8)]
    r.nlu.append(_nlu("baseline_linear", 7))
    r.load = {"ours": _server("ours", p95, saturated), "stock": _server("stock", 250, 30.0)}
    r.training = [TrainingCost("ours", "rasa train", train_s, 2100.0, 0)]
    r.total_seconds = 19 * 60
    r.foreign_cores = {"training ours": 0.02}
    return r


def test_all_targets_met() -> None:
    verdicts = targets(_results(ours_wrong=0, p95=150, saturated=27.0, train_s=200))
    assert [t.met for t in verdicts] == [True, True, True, True]
    assert "+" in verdicts[0].measured  # points above the best baseline


def test_each_target_can_fail_on_its_own() -> None:
    verdicts = targets(_results(ours_wrong=4, p95=260, saturated=20.0, train_s=420))
    assert [t.met for t in verdicts] == [False, False, False, False]
    assert "0.67x" in verdicts[2].measured
    assert "7.0 min" in verdicts[3].measured


def test_missing_measurements_are_reported_as_such() -> None:
    r = BenchResults(MACHINE, "make bench")
    assert [t.met for t in targets(r)] == [None, None, None, None]
    page = render(r, {})
    assert page.count("not measured") >= 4


def test_page_has_machine_facts_first_then_targets_nlu_load_and_cost() -> None:
    page = render(_results(0, 150, 27.0, 200), {"latency": "benchmarks/latency.png"})
    lines = page.splitlines()
    assert lines[0].startswith("# Benchmarks")
    assert "`make bench`" in lines[2] and "19.0 min" in lines[2]
    assert page.index("AMD EPYC") < page.index("## Targets") < page.index("## NLU")
    assert page.index("## NLU") < page.index("## Latency") < page.index("## Cost")
    assert "| Rasa | 3.6.21 (TensorFlow 2.12.0) |" in page
    assert "the machine was quiet" in page
    # faq sub-intent accuracy only for ours
    ours_row = next(line for line in lines if line.startswith("| ours (config.yml) | 100.0%"))
    assert "100.0% | 12.5 |" in ours_row
    assert "| (a) Jieba+CountVectors+DIET |" in page and "| — | 12.5 |" in page
    assert "| traditional | 4 |" in page
    assert "| 20/s | 0.60 |" in page  # p50 ratio ours/stock
    assert "**Stock Rasa**" in page
    assert "![latency and throughput](benchmarks/latency.png)" in page
    assert "| ours (config.yml) | 3.3 min (200 s) | 2100 MiB |" in page
    assert "「我的快递到哪了」 → 您的包裹 SF123 正在派送中" in page
    assert (
        "handed 3 simulated chats to a person (EscalationPolicy), after: 「空气炸锅有黑色的吗」 ×3"
        in page
    )
    assert "Failed turns" not in page  # none failed in these made-up results


def test_failed_turns_are_listed_with_their_reasons() -> None:
    r = _results(0, 150, 27.0, 200)
    phase = r.load["stock"].phases[2]
    r.load["stock"].phases[2] = PhaseSummary(
        **{**phase.__dict__, "failed": 7, "errors": {"not sent: too many turns already waiting": 7}}
    )
    page = render(r, {})
    assert "- stock Rasa, 40/s: not sent: too many turns already waiting ×7" in page


def test_busy_machine_is_flagged() -> None:
    r = _results(0, 150, 27.0, 200)
    r.foreign_cores["load ours 20/s"] = 1.3
    assert "**the machine was busy** (up to 1.3 of 2 cores" in render(r, {})


def test_plots_are_written_as_png(tmp_path: Path) -> None:
    drawn = write_plots(_results(1, 150, 27.0, 200), tmp_path)
    assert set(drawn) == {"nlu_slices", "nlu_intents", "latency"}
    for path in drawn.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
