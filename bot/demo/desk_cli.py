"""``bot receive-return`` and ``bot notify``: the warehouse and the carrier, played by hand.

In a real shop the warehouse system reports a return parcel's arrival and the carrier a stuck
parcel; in the demo these commands stand in for them, so the whole after-sale and proactive
notice flow can be tried: the customer is told in their chat (live if the widget is open,
otherwise at their next visit).
"""

from __future__ import annotations

import argparse
import sys


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $DATABASE_URL, else kefu.db at the repository root)",
    )


def configure_receive(parser: argparse.ArgumentParser) -> None:
    _database_option(parser)
    parser.add_argument("ticket_no", help="after-sale ticket number, e.g. AS20261119000001")


def run_receive(args: argparse.Namespace) -> int:
    # Imported here, as every command's work is, so `bot --help` stays instant (bot/cli.py).
    from bot.db.session import session_scope
    from bot.services.aftersales.review import ReviewError, receive_return
    from bot.timeutil import beijing_now

    try:
        with session_scope(args.database_url) as session:
            step = receive_return(session, args.ticket_no, now=beijing_now())
    except LookupError:
        print(f"error: no after-sale ticket {args.ticket_no}", file=sys.stderr)
        return 1
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{step.ticket_no}: {step.status.value}\n顾客将收到：{step.customer_text}")
    return 0


def configure_notify(parser: argparse.ArgumentParser) -> None:
    _database_option(parser)
    parser.add_argument(
        "kind",
        choices=("logistics", "shipment"),
        help="logistics: a parcel stuck or in trouble; shipment: an order leaving late",
    )
    parser.add_argument("order_no", help="the 18-digit order number")
    parser.add_argument("text", help="what happened, in the customer's language")


def run_notify(args: argparse.Namespace) -> int:
    from bot.db.session import session_scope
    from bot.services.clock import store_now
    from bot.services.notices.proactive import notify_late_shipment, notify_logistics_exception

    notify = notify_logistics_exception if args.kind == "logistics" else notify_late_shipment
    try:
        with session_scope(args.database_url) as session:
            told = notify(session, args.order_no, args.text, now=store_now(session))
    except LookupError:
        print(f"error: no order {args.order_no}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"notice #{told.notice_id} queued; 顾客将收到：{told.customer_text}")
    return 0
