"""`bot report --period day|week|month [--until YYYY-MM-DD] --out DIR`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    from bot.reports.period import PERIOD_DAYS

    parser.add_argument("--period", choices=sorted(PERIOD_DAYS), default="week")
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=None,
        help="last day covered, YYYY-MM-DD (default: today by the store's clock)",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for report.md + PNGs")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $DATABASE_URL, else kefu.db at the repository root)",
    )


def run(args: argparse.Namespace) -> int:
    from bot.reports.fonts import FontMissingError
    from bot.reports.writer import write_report

    try:
        report = write_report(args.database_url, args.period, args.until, args.out)
    except FontMissingError as error:
        print(f"error: {error}")
        return 1
    c = report.containment
    print(
        f"{report.period.title} {report.period.label}: {c.conversations} conversations, "
        f"containment {c.containment_rate:.1%}, {report.handoffs} handoffs -> "
        f"{args.out / 'report.md'}"
    )
    return 0
