"""The ``bot`` command: a small dispatcher of subcommands.

To add a subcommand, write ``configure(parser)`` and ``run(args) -> exit code`` functions and
append a :class:`Command` to ``COMMANDS``. Handlers import what they need inside their body so
``bot --help`` stays instant and one command's heavy dependencies (Rasa, TensorFlow) never slow
down another.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.demo import desk_cli
from bot.handoff import agent_cli
from bot.reports import cli as report_cli
from bot.retrain import cli as retrain_cli


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $DATABASE_URL, else kefu.db at the repository root)",
    )


# --- bot migrate -----------------------------------------------------------------------------


def _run_migrate(args: argparse.Namespace) -> int:
    from bot.db.migrate import current_revision, upgrade

    upgrade(args.database_url)
    print(f"database at revision {current_revision(args.database_url)}")
    return 0


# --- bot seed --------------------------------------------------------------------------------


def _configure_seed(parser: argparse.ArgumentParser) -> None:
    _database_option(parser)
    parser.add_argument(
        "--reset", action="store_true", help="empty the store's tables first, then seed afresh"
    )


def _run_seed(args: argparse.Namespace) -> int:
    from bot.db.session import resolve_url
    from bot.demo.seed import SeedError, seed

    url = resolve_url(args.database_url)
    try:
        report = seed(url, reset=args.reset)
    except SeedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    state = "seeded" if report.created else "already seeded, nothing changed"
    print(f"{_display_url(url)}: {state} ({report.seconds:.2f} s)")
    print("\nrows per table:")
    for table, count in report.table_counts.items():
        print(f"  {table:<20} {count:>6}")
    print("\norders per state:")
    for status, count in report.status_counts.items():
        print(f"  {status:<6} {count:>6}")
    return 0


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    # Never print a password.
    return str(make_url(url).render_as_string(hide_password=True))


# --- bot demo --------------------------------------------------------------------------------


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    _database_option(parser)
    parser.add_argument("--limit", type=int, default=6, help="demo customers to list")
    parser.add_argument("--per-status", type=int, default=3, help="sample orders per state")


def _run_demo(args: argparse.Namespace) -> int:
    from bot.db.migrate import current_revision
    from bot.db.session import session_scope
    from bot.demo.story import render_demo

    text = None
    if current_revision(args.database_url) is not None:
        with session_scope(args.database_url) as session:
            text = render_demo(session, args.limit, args.per_status)
    if text is None:
        print("error: no customers in the database; run 'bot seed' first", file=sys.stderr)
        return 1
    print(text)
    return 0


# --- bot nlu-dict / nlu-report ---------------------------------------------------------------


def _configure_nothing(parser: argparse.ArgumentParser) -> None:
    pass


def _run_nlu_dict(args: argparse.Namespace) -> int:
    from bot.nlu.dictionary import write_dictionary

    print(f"wrote {write_dictionary()}")
    return 0


def _configure_nlu_report(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    parser.add_argument("--models", type=Path, default=Path("models"), help="models directory")
    parser.add_argument("--test-data", type=Path, default=Path("data/test/nlu"))
    parser.add_argument("--out", type=Path, default=Path("docs/nlu_report.md"))


def _quiet_rasa() -> None:
    """Rasa logs every parsed message at debug level through structlog; keep the console
    readable when evaluating hundreds of messages."""
    import logging

    import structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def _run_nlu_report(args: argparse.Namespace) -> int:
    from bot.retrain.report import write_nlu_report

    _quiet_rasa()

    report = write_nlu_report(args.models, args.test_data, args.out)
    o = report.overall
    print(
        f"held-out: {o.support} messages, accuracy {o.accuracy:.3f}, macro-F1 {o.macro_f1:.3f}, "
        f"faq topics {report.faq_accuracy:.3f} -> {args.out}"
    )
    return 0


COMMANDS: list[Command] = [
    Command(
        "migrate",
        "upgrade the database schema to the latest revision",
        _database_option,
        _run_migrate,
    ),
    Command(
        "seed",
        "migrate and fill the deterministic demo store (safe to re-run)",
        _configure_seed,
        _run_seed,
    ),
    Command(
        "demo", "print the demo customers and sample orders as Markdown", _configure_demo, _run_demo
    ),
    Command(
        "nlu-dict",
        "regenerate the jieba user dictionary from the catalogue",
        _configure_nothing,
        _run_nlu_dict,
    ),
    Command(
        "nlu-report",
        "evaluate the newest model on the frozen split and write docs/nlu_report.md",
        _configure_nlu_report,
        _run_nlu_report,
    ),
    Command(
        "report",
        "service report for a day, week or month: report.md and PNG plots",
        report_cli.configure,
        report_cli.run,
    ),
    Command(
        "receive-return",
        "demo: the warehouse received a return parcel; refund or reship and tell the customer",
        desk_cli.configure_receive,
        desk_cli.run_receive,
    ),
    Command(
        "notify",
        "tell a customer unasked of a stuck parcel or a late shipment (opens a follow-up)",
        desk_cli.configure_notify,
        desk_cli.run_notify,
    ),
    Command(
        "agent",
        "agent console accounts: add, passwd, disable, list",
        agent_cli.configure,
        agent_cli.run,
    ),
    Command(
        "logs",
        "export the customers' turns from the tracker store (bot logs export)",
        retrain_cli.configure_logs,
        retrain_cli.run_logs,
    ),
    Command(
        "inbox",
        "queue the messages most worth labelling; `bot inbox apply FILE` adds the labels",
        retrain_cli.configure_inbox,
        retrain_cli.run_inbox,
    ),
    Command(
        "retrain",
        "train a candidate, compare it with the live model, promote it if it passes the gate",
        retrain_cli.configure_retrain,
        retrain_cli.run_retrain,
    ),
    Command(
        "model",
        "list the trained models, print the live one, or roll back to an earlier one",
        retrain_cli.configure_model,
        retrain_cli.run_model,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="电商客服助手 command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(child)
        child.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
