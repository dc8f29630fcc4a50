"""The environment each production process gets: what endpoints.prod.yml and bot.settings read.

Pure functions, so the mapping from one REDIS_URL and one DATABASE_URL to Rasa's split-up
lock-store settings is tested without starting anything.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from bot.settings import export_lines

# Rasa's lock store takes alphanumeric key prefixes only (RedisLockStore._set_key_prefix).
DEFAULT_LOCK_PREFIX = "kefu"


def lock_store_env(redis_url: str, key_prefix: str = DEFAULT_LOCK_PREFIX) -> dict[str, str]:
    """REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD and REDIS_LOCK_PREFIX for
    endpoints.prod.yml: Rasa 3.6 builds ``RedisLockStore(host=url, **other keys)`` and does not
    parse a redis:// URL itself."""
    parts = urlsplit(redis_url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ValueError(f"REDIS_URL must look like redis://host:port/db, got {redis_url!r}")
    database = parts.path.strip("/") or "0"
    if not database.isdigit():
        raise ValueError(f"the database of REDIS_URL must be a number, got {database!r}")
    if not key_prefix.isalnum():
        raise ValueError(f"the lock key prefix must be letters and digits, got {key_prefix!r}")
    return {
        "REDIS_HOST": parts.hostname,
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": database,
        "REDIS_PASSWORD": unquote(parts.password or ""),
        "REDIS_LOCK_PREFIX": key_prefix,
    }


def rasa_env(
    *,
    database_url: str,
    redis_url: str,
    action_server_url: str,
    rasa_token: str,
    customer_jwt_secret: str,
    forwarded_secret: str,
    demo_mode: bool,
    lock_prefix: str = DEFAULT_LOCK_PREFIX,
) -> dict[str, str]:
    """What one Rasa instance of the cluster needs on top of the inherited environment."""
    return {
        **quiet_env(),
        **lock_store_env(redis_url, lock_prefix),
        "DATABASE_URL": database_url,
        # Set, it also makes the socket.io channel share its rooms through Redis (bot.settings).
        "REDIS_URL": redis_url,
        "ACTION_SERVER_URL": action_server_url,
        "RASA_TOKEN": rasa_token,
        "CUSTOMER_JWT_SECRET": customer_jwt_secret,
        "DEMO_MODE": "true" if demo_mode else "false",
        # Sanic reads SANIC_* into its config: proxy headers are believed only with this secret.
        "SANIC_FORWARDED_SECRET": forwarded_secret,
    }


def action_env(database_url: str) -> dict[str, str]:
    return {**quiet_env(), "DATABASE_URL": database_url}


def quiet_env() -> dict[str, str]:
    # As scripts/env.sh: TensorFlow and SQLAlchemy are chatty, and Rasa must not phone home.
    return {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }


def with_settings_exports(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` plus what scripts/env.sh would export for it (bot.settings --export): the
    ${VAR}s that endpoints and credentials YAML name, with their defaults filled in."""
    exported = dict(environ)
    for line in export_lines(environ):
        _, assignment = shlex.split(line)
        key, _, value = assignment.partition("=")
        exported[key] = value
    return exported
