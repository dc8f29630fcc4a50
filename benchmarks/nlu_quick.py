"""`make nlu-quick`: our intent model against baseline (c) in about a minute, no Rasa training.

A full `rasa train` takes minutes and `make bench` half an hour; a maintainer adding examples
wants to know at once whether they help. This trains the pipeline's intent model
(bot.nlu.linear_model, with the same normalisation, jieba dictionary and identifier handling as
bot.nlu.linear_intent) and the strongest baseline (benchmarks.nlu_bench.linear_predictor) on
data/nlu in-process and prints macro-F1 and accuracy overall and per slice of the held-out split.

``--leave-out FILE`` trains without a training file and scores both models on it instead: how
well each generalises to messages written by another hand (docs/nlu_experiments.md,
"leave-one-writer-out"). The held-out split only chooses between models; never copy from it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from bot.retrain.evaluation import Example, Prediction, Report, examples_of, load_examples, score

REPO = Path(__file__).resolve().parents[1]
TRAINING = REPO / "data" / "nlu"
HELD_OUT = REPO / "data" / "test" / "nlu"
DICTIONARIES = REPO / "data" / "dictionaries"

Predictor = Callable[[Sequence[str]], list[Prediction]]


def shipped_c(config: Path = REPO / "config.yml") -> float:
    """The LinearIntentClassifier's C in config.yml, so the quick model is the shipped one."""
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    step = next(s for s in pipeline if str(s["name"]).endswith("LinearIntentClassifier"))
    return float(step.get("C", 30))


def ours_predictor(training: Sequence[tuple[str, str]], c: float) -> Predictor:
    """Our intent model fitted on (text, intent) pairs the way the Rasa component trains it:
    normalised text, identifiers left out, identifier-only messages `inform` by rule."""
    import jieba
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.linear_intent import linear_input, only_identifiers
    from bot.nlu.linear_model import LinearInput, LinearIntentModel
    from bot.nlu.text import normalise

    for dictionary in sorted(DICTIONARIES.glob("*.txt")):  # what JiebaTokenizer loads
        jieba.load_userdict(str(dictionary))

    def view(text: str) -> tuple[str, LinearInput | None]:
        normalised = normalise(text).text
        return normalised, linear_input(Message({TEXT: normalised}))

    views = [view(text) for text, _ in training]
    kept = [
        (features, intent)
        for (text, features), (_, intent) in zip(views, training, strict=True)
        if features is not None and not only_identifiers(text)
    ]
    model = LinearIntentModel.fit(
        [features for features, _ in kept], [intent for _, intent in kept], c=c, seed=42
    )

    def predict(batch: Sequence[str]) -> list[Prediction]:
        views = [view(text) for text in batch]
        readable = [features for _, features in views if features is not None]
        rows = iter(model.predict_proba(readable))  # one matrix product for the whole batch
        out = []
        for text, features in views:
            if features is None:  # nothing to read: the fallback asks
                out.append(Prediction("nlu_fallback", "nlu_fallback", 0.0))
                continue
            scores = next(rows)
            if only_identifiers(text):  # the component's rule
                out.append(Prediction("inform", "inform", 1.0))
            else:
                label = model.labels[int(scores.argmax())]
                out.append(Prediction(label, label, float(scores.max())))
        return out

    return predict


def compare(training: Sequence[Example], test: Sequence[Example], c: float) -> dict[str, Report]:
    """Macro-F1 reports of our intent model and baseline (c), both trained on ``training``."""
    from benchmarks.nlu_bench import linear_predictor, training_pairs

    pairs = training_pairs(training)
    texts = [e.text for e in test]
    return {
        "ours": score(test, ours_predictor(pairs, c)(texts)),
        "baseline (c)": score(test, linear_predictor(pairs)(texts)),
    }


def render(reports: dict[str, Report]) -> str:
    slices = sorted(next(iter(reports.values())).per_slice)
    lines = [
        "| model | macro-F1 | accuracy | " + " | ".join(slices) + " |",
        "|---" * (3 + len(slices)) + "|",
    ]
    for name, r in reports.items():
        cells = [f"{r.per_slice[s].macro_f1:.3f}" for s in slices]
        lines.append(
            f"| {name} | {r.overall.macro_f1:.3f} | {r.overall.accuracy:.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nlu_quick", description=__doc__)
    parser.add_argument("--leave-out", type=Path, nargs="*", default=[],
                        help="training files to train without and score on instead")  # fmt: skip
    args = parser.parse_args(argv)
    left_out = {p.resolve() for p in args.leave_out}
    files = [p for p in sorted(TRAINING.glob("*.yml")) if p.resolve() not in left_out]
    training = [e for path in files for e in examples_of(path)]
    if left_out:
        test = [e for path in sorted(left_out) for e in examples_of(path)]
    else:
        test = load_examples(HELD_OUT)
    print(f"{len(training)} training examples, {len(test)} scored")
    print(render(compare(training, test, shipped_c())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
