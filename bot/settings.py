"""One typed settings object: the only place a default is written.

Read once per process, on first use (never at import): the environment, over `.env` at the repo
root, over the defaults below. ``scripts/env.sh`` asks this module for the values it exports
(``python -m bot.settings --export``), so the shell and Python cannot disagree.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.security.rates import Rate, parse_rate

REPO_ROOT = Path(__file__).resolve().parents[1]
TOKEN_FILE_NAME = ".rasa_token"
JWT_SECRET_FILE_NAME = ".customer_jwt_secret"
EXPORT_KEY_FILE_NAME = ".export_hmac_key"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
WECHAT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
# Per-client request rates (bot.security.rate_limit). A person types a message every few seconds;
# an address may hold a whole office or a carrier's NAT, hence more; console sign-ins are rare.
PER_SENDER_RATE = Rate(30, 60)
PER_ADDRESS_RATE = Rate(120, 60)
LOGIN_RATE = Rate(20, 300)

# KEY=value, KEY='literal', KEY="with \" escapes", optionally after `export`, with an optional
# trailing comment. A bare value runs to the first blank, and `#` inside it is part of it, as in
# the shell (env.sh used to source .env, so existing files keep their meaning). No $VAR expansion.
_ENV_LINE = re.compile(
    r"""\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*
    (?:'(?P<single>[^']*)'|"(?P<double>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s'"\#][^\s'"]*)?)
    \s*(?:\#.*)?""",
    re.VERBOSE,
)
# Inside double quotes the shell drops a backslash only before these characters.
_DOUBLE_QUOTED_ESCAPE = re.compile(r"""\\([$`"\\])""")


@dataclass(frozen=True)
class Settings:
    database_url: str
    rasa_port: int
    action_port: int
    rasa_url: str
    action_server_url: str
    rasa_token: str
    redis_url: str
    # Demo mode serves the customer picker and mints demo customer tokens; off unless asked for
    # (scripts/run.sh asks), so a production deployment that forgets it is not an open door.
    demo_mode: bool
    # HS256 key of the customer tokens the shop signs (bot.security.customer_token).
    customer_jwt_secret: str
    # True when RASA_TOKEN was not configured and the locally kept one is used: fine for the
    # demo, refused in production (bot.security.startup).
    rasa_token_generated: bool
    # Key of the HMAC that replaces conversation ids in log exports; empty means the key kept
    # in `.export_hmac_key` (bot.retrain.export), so aliases stay stable between exports.
    export_hmac_key: str
    # Customer messages per conversation and per client address, console sign-ins per address;
    # None is off. Defaulted here too, so that a Settings built field by field has them.
    rate_limit_per_sender: Rate | None = PER_SENDER_RATE
    rate_limit_per_address: Rate | None = PER_ADDRESS_RATE
    rate_limit_login: Rate | None = LOGIN_RATE
    # REDIS_URL when it is set: the rate-limit buckets are shared by every Rasa instance through
    # it; "" keeps them in this process's memory (a single `make run` server).
    rate_limit_redis_url: str = ""
    # REDIS_URL when it is set: the socket.io channel shares its rooms through it
    # (python-socketio's Redis manager), so an emit from any Rasa instance reaches a socket on
    # any other; "" keeps them in this process (a single `make run` server).
    socketio_redis_url: str = ""
    # The WeChat channel (credentials.yml expands ${WECHAT_...}): off without a token.
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = WECHAT_API_BASE


def read_env_file(path: Path) -> dict[str, str]:
    """The assignments of a `.env` file; {} when there is none. A line it cannot read is an error
    (with its line number) rather than a silently missing setting."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        if match is None:
            raise ValueError(f"{path}:{number}: expected KEY=value, got {line!r}")
        if match["double"] is not None:
            value = _DOUBLE_QUOTED_ESCAPE.sub(r"\1", match["double"])
        else:
            value = match["single"] if match["single"] is not None else match["bare"] or ""
        values[match["key"]] = value
    return values


def kept_secret(path: Path) -> str:
    """The secret kept in `path`; a random one, readable by the owner only, if there is none.

    Kept rather than made per process so that `bot retrain` in another shell can still reach the
    server that `make run` started.
    """
    existing = path.read_text().strip() if path.is_file() else ""
    if existing:
        return existing
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(16))
        try:
            # A hard link never replaces a token that another process has just written.
            os.link(draft, path)
        except FileExistsError:
            if not path.read_text().strip():
                os.replace(draft, path)  # an empty file holds nobody's token
    finally:
        Path(draft).unlink(missing_ok=True)
    return path.read_text().strip()


def _port(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a port number, got {value!r}") from None


def _flag(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _rate(given: Mapping[str, str], name: str, default: Rate) -> Rate | None:
    return parse_rate(name, given[name]) if name in given else default


def read_settings(environ: Mapping[str, str], root: Path = REPO_ROOT) -> Settings:
    """Settings from `environ` over `root/.env` over the defaults; an empty value counts as unset.

    Without RASA_TOKEN the token kept in `root/.rasa_token` is used (and made on first use); in
    demo mode the same goes for CUSTOMER_JWT_SECRET and `root/.customer_jwt_secret`.
    """
    given = {
        key: value
        for layer in (read_env_file(root / ".env"), environ)
        for key, value in layer.items()
        if value
    }
    rasa_port = _port("RASA_PORT", given.get("RASA_PORT", "5005"))
    action_port = _port("ACTION_PORT", given.get("ACTION_PORT", "5055"))
    demo_mode = _flag("DEMO_MODE", given.get("DEMO_MODE", "false"))
    kept_token_file = root / TOKEN_FILE_NAME
    rasa_token = given.get("RASA_TOKEN") or kept_secret(kept_token_file)
    kept_token = kept_token_file.read_text().strip() if kept_token_file.is_file() else None
    jwt_secret = given.get("CUSTOMER_JWT_SECRET", "")
    if not jwt_secret and demo_mode:
        jwt_secret = kept_secret(root / JWT_SECRET_FILE_NAME)
    return Settings(
        database_url=given.get("DATABASE_URL", f"sqlite:///{root / 'kefu.db'}"),
        rasa_port=rasa_port,
        action_port=action_port,
        rasa_url=given.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
        action_server_url=given.get("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook"),
        rasa_token=rasa_token,
        redis_url=given.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        demo_mode=demo_mode,
        customer_jwt_secret=jwt_secret,
        # Compared with the kept file rather than "was RASA_TOKEN set": scripts/env.sh exports
        # the kept token to Rasa's processes, so there it arrives as RASA_TOKEN too.
        rasa_token_generated=rasa_token == kept_token,
        export_hmac_key=given.get("EXPORT_HMAC_KEY", ""),
        rate_limit_per_sender=_rate(given, "RATE_LIMIT_PER_SENDER", PER_SENDER_RATE),
        rate_limit_per_address=_rate(given, "RATE_LIMIT_PER_ADDRESS", PER_ADDRESS_RATE),
        rate_limit_login=_rate(given, "RATE_LIMIT_LOGIN", LOGIN_RATE),
        rate_limit_redis_url=given.get("REDIS_URL", ""),
        socketio_redis_url=given.get("REDIS_URL", ""),
        wechat_token=given.get("WECHAT_TOKEN", ""),
        wechat_appid=given.get("WECHAT_APPID", ""),
        wechat_secret=given.get("WECHAT_SECRET", ""),
        wechat_aes_key=given.get("WECHAT_AES_KEY", ""),
        wechat_api_base=given.get("WECHAT_API_BASE", WECHAT_API_BASE),
    )


@functools.cache
def get_settings() -> Settings:
    """This process's settings, read on the first call. Tests that change the environment call
    ``get_settings.cache_clear()`` so the next call reads it again."""
    return read_settings(os.environ)


def export_lines(environ: Mapping[str, str], root: Path = REPO_ROOT) -> list[str]:
    """`export KEY=value` lines for the shell: every variable of `.env` (Rasa may expand any of
    them in its YAML, as when env.sh sourced the file) and the settings Rasa and the scripts read
    from the environment, defaults filled in."""
    settings = read_settings(environ, root)
    values = {key: environ.get(key) or value for key, value in read_env_file(root / ".env").items()}
    # Rasa expands ${ACTION_SERVER_URL} and ${DATABASE_URL} in endpoints.yml; scripts/run.sh
    # passes the ports and the token to `rasa run`. The rest Python reads for itself.
    values |= {
        "DATABASE_URL": settings.database_url,
        "ACTION_SERVER_URL": settings.action_server_url,
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "RASA_TOKEN": settings.rasa_token,
        # Rasa refuses to start when a ${VAR} of credentials.yml is unset: always export these,
        # empty when WeChat is not set up (the channel then answers 404).
        "WECHAT_TOKEN": settings.wechat_token,
        "WECHAT_APPID": settings.wechat_appid,
        "WECHAT_SECRET": settings.wechat_secret,
        "WECHAT_AES_KEY": settings.wechat_aes_key,
        "WECHAT_API_BASE": settings.wechat_api_base,
    }
    return [f"export {key}={shlex.quote(value)}" for key, value in values.items()]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["--export"]:
        print("usage: python -m bot.settings --export", file=sys.stderr)
        return 2
    try:
        lines = export_lines(os.environ)
    except ValueError as error:  # a .env line or a port it cannot read: say which, briefly
        print(f"bot.settings: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
