"""Handlers of `bot logs export`, `bot inbox [apply]`, `bot retrain` and `bot model ...`.

Registered in bot/cli.py. Heavy imports (Rasa, TensorFlow, matplotlib) stay inside the
handlers so `bot --help` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.settings import REPO_ROOT

EXPORTS = Path("exports")
MODELS = REPO_ROOT / "models"


def _stamp() -> str:
    from bot.timeutil import beijing_now

    return beijing_now().strftime("%Y%m%d-%H%M%S")


def _progress() -> bool:
    return sys.stderr.isatty()


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL (default: $DATABASE_URL)"
    )


def _data_options(parser: argparse.ArgumentParser) -> None:
    from bot.retrain.trainingdata import DEFAULT_DATA, DEFAULT_DOMAIN, DEFAULT_TEST_DATA

    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="training data root")
    parser.add_argument(
        "--test-data", type=Path, default=DEFAULT_TEST_DATA, help="frozen held-out split"
    )
    parser.add_argument("--domain", type=Path, default=DEFAULT_DOMAIN)


def _date(value: str) -> datetime:
    from bot.timeutil import BEIJING

    return datetime.fromisoformat(value).replace(tzinfo=BEIJING)


# --- bot logs export -------------------------------------------------------------------------


def configure_logs(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="logs_command", metavar="SUBCOMMAND", required=True)
    export = sub.add_parser("export", help="write the customers' turns as JSONL (masked)")
    _database_option(export)
    export.add_argument("--out", type=Path, default=None, help="default exports/turns-<time>")
    export.add_argument("--no-mask", action="store_true", help="keep personal data (careful)")
    export.add_argument("--since", type=_date, default=None, help="YYYY-MM-DD (Beijing)")


def run_logs(args: argparse.Namespace) -> int:
    from bot.db.session import resolve_url
    from bot.retrain.export import ExportError, export_turns

    out = args.out or EXPORTS / f"turns-{_stamp()}.jsonl"
    try:
        count = export_turns(
            resolve_url(args.database_url), out, not args.no_mask, args.since, _progress()
        )
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    note = " (NOT masked: keep it off shared drives)" if args.no_mask else " (masked)"
    print(f"wrote {count} turns to {out}{note}")
    return 0


# --- bot inbox [apply] -----------------------------------------------------------------------


def configure_inbox(parser: argparse.ArgumentParser) -> None:
    _database_option(parser)
    _data_options(parser)
    parser.add_argument(
        "--turns", type=Path, nargs="*", default=None, help="exported JSONL (default: read the DB)"
    )
    parser.add_argument("--out", type=Path, default=None, help="default exports/inbox-<time>.yml")
    parser.add_argument("--limit", type=int, default=200, help="items in the queue")
    sub = parser.add_subparsers(dest="inbox_command", metavar="SUBCOMMAND")
    apply = sub.add_parser("apply", help="add the labelled items to data/nlu/")
    apply.add_argument("file", type=Path, help="a labelling file written by `bot inbox`")
    _data_options(apply)
    apply.add_argument("--config", type=Path, default=None, help="default config.yml")
    apply.add_argument("--dry-run", action="store_true", help="report only, change nothing")


def run_inbox(args: argparse.Namespace) -> int:
    if getattr(args, "inbox_command", None) == "apply":
        return _run_apply(args)
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.session import resolve_url
    from bot.retrain.inbox_build import build_inbox

    out = args.out or EXPORTS / f"inbox-{_stamp()}.yml"
    try:
        summary = build_inbox(
            database_url=resolve_url(args.database_url),
            turn_files=args.turns,
            data=args.data,
            test_data=args.test_data,
            out=out,
            limit=args.limit,
            progress=_progress(),
        )
    except SQLAlchemyError as error:
        print(f"error: cannot read the tracker store: {error}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _run_apply(args: argparse.Namespace) -> int:
    from bot.retrain.apply import apply_labels
    from bot.retrain.trainingdata import DEFAULT_CONFIG

    result = apply_labels(
        args.file, args.data, args.test_data, args.domain, args.config or DEFAULT_CONFIG,
        dry_run=args.dry_run,
    )  # fmt: skip
    for item, why in result.refused:
        print(f"refused  #{item.id} {item.text!r}: {why}", file=sys.stderr)
    if result.refused and not result.added:
        print("nothing applied: fix the labels above and run again", file=sys.stderr)
        return 1
    for item, existing in result.conflicts:
        print(f"conflict #{item.id} {item.text!r}: labelled {item.label}, already {existing}")
    for item in result.held_out:
        print(f"held-out #{item.id} {item.text!r}: in the frozen test split, not added")
    verb = "would add" if args.dry_run else "added"
    for intent, example, path in result.added:
        print(f"{verb:9} {intent:<20} {example}  -> {path.name}")
    if result.validation_errors:
        print("validation failed, files restored:", file=sys.stderr)
        for problem in result.validation_errors:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"{len(result.added)} {verb}, {len(result.already_present)} already present, "
        f"{len(result.conflicts)} conflicts, {len(result.held_out)} held-out, "
        f"{result.skipped} skipped"
    )
    return 0 if result.ok else 1


# --- bot retrain ---------------------------------------------------------------------------


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rasa-url", default=None, help="default $RASA_URL")
    parser.add_argument("--no-load", action="store_true", help="do not PUT /model to the server")


def configure_retrain(parser: argparse.ArgumentParser) -> None:
    from bot.retrain.gate import DEFAULT_MARGIN
    from bot.retrain.trainingdata import DEFAULT_CONFIG

    _data_options(parser)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--models", type=Path, default=MODELS, help="models directory")
    parser.add_argument("--report-dir", type=Path, default=REPO_ROOT / "docs" / "retrain")
    parser.add_argument(
        "--margin",
        type=float,
        default=DEFAULT_MARGIN,
        help="largest F1 drop of any intent the gate accepts",
    )
    parser.add_argument(
        "--candidate", type=Path, default=None, help="gate this trained model, do not train"
    )
    _server_options(parser)


def run_retrain(args: argparse.Namespace) -> int:
    from bot.retrain.registry import RegistryError
    from bot.retrain.retrain import RetrainError, RetrainOptions, retrain

    options = RetrainOptions(
        config=args.config, data=args.data, test_data=args.test_data, models=args.models,
        domain=args.domain, report_dir=args.report_dir, margin=args.margin,
        candidate=args.candidate, load=not args.no_load, rasa_url=args.rasa_url,
        progress=_progress(),
    )  # fmt: skip
    try:
        outcome = retrain(options)
    except (RetrainError, RegistryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    verdict = "PROMOTED" if outcome.promoted else "REJECTED"
    print(f"{verdict} {outcome.candidate} (live before: {outcome.live_before or 'none'})")
    for reason in outcome.decision.reasons:
        print(f"  {reason}")
    print(f"report: {outcome.report}")
    if outcome.server is not None:
        print(f"server: {outcome.server.message}")
    return 0 if outcome.promoted else 2


# --- bot model list | live | rollback ------------------------------------------------------


def configure_model(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="model_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="models, their scores, and which one is live")
    live = sub.add_parser("live", help="print the path of the live model (for scripts/run.sh)")
    rollback = sub.add_parser("rollback", help="make an earlier model live again")
    rollback.add_argument("name", nargs="?", default=None, help="default: the previous live one")
    _server_options(rollback)
    for child in (listing, live, rollback):
        child.add_argument("--models", type=Path, default=MODELS, help="models directory")


def run_model(args: argparse.Namespace) -> int:
    from bot.retrain.models_cli import list_models, print_live, rollback

    if args.model_command == "list":
        return list_models(args.models)
    if args.model_command == "live":
        return print_live(args.models)
    return rollback(args.models, args.name, not args.no_load, args.rasa_url)
