"""`bot agent add|passwd|disable|list`: the console's accounts, without the demo seed.

Passwords are read from the terminal (getpass) or, for scripts, from the first line of standard
input with --password-stdin; never from the command line, where `ps` and shell history see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.db.models_handoff import ROLE_AGENT, ROLES
from bot.handoff import agents


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: settings)")
    sub = parser.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create an agent account")
    add.add_argument("username")
    add.add_argument("display_name")
    add.add_argument("--role", choices=ROLES, default=ROLE_AGENT)
    add.add_argument("--password-stdin", action="store_true")
    passwd = sub.add_parser("passwd", help="set a new password (ends the agent's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = sub.add_parser("disable", help="stop an agent from logging in (ends sessions)")
    disable.add_argument("username")
    sub.add_parser("list", help="list the accounts")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("the passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    from bot.db.session import session_scope

    with session_scope(args.database_url) as session:
        if args.agent_command == "list":
            for agent in agents.all_agents(session):
                state = "active" if agent.active else "disabled"
                print(f"{agent.username}\t{agent.display_name}\t{agent.role}\t{state}")
            return 0
        if args.agent_command == "disable":
            done = agents.disable_agent(session, args.username)
        else:
            password = _password(args.password_stdin)
            if len(password) < 10:
                print("bot agent: a password needs at least 10 characters", file=sys.stderr)
                return 2
            if args.agent_command == "add":
                if agents.agent_by_username(session, args.username) is not None:
                    print(f"bot agent: {args.username} exists already", file=sys.stderr)
                    return 1
                agents.create_agent(
                    session, args.username, args.display_name, password, role=args.role
                )
                done = True
            else:
                done = agents.set_password(session, args.username, password)
        if not done:
            print(f"bot agent: no agent named {args.username}", file=sys.stderr)
            return 1
    print(f"bot agent {args.agent_command}: {args.username} done")
    return 0
