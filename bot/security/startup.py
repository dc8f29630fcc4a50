"""The production check: outside demo mode the server does not start with guessable secrets.

Called by every customer channel as Rasa builds it from credentials.yml, i.e. before the server
listens: a missing or weak secret stops ``rasa run`` with a message saying which, instead of a
server anyone can sign in to.
"""

from __future__ import annotations

from bot.settings import Settings

MIN_SECRET_CHARS = 32
# Distinct characters: "aaaa…" or "abab…" of any length is no secret.
MIN_DISTINCT_CHARS = 10


class UnsafeSettings(RuntimeError):
    pass


def is_weak(secret: str) -> bool:
    # Placeholders such as "change-me" are all far shorter than the minimum.
    return len(secret) < MIN_SECRET_CHARS or len(set(secret)) < MIN_DISTINCT_CHARS


def refuse_unsafe_production(settings: Settings) -> None:
    """Raise UnsafeSettings when DEMO_MODE is off and a secret is missing or weak."""
    if settings.demo_mode:
        return
    problems = []
    if settings.rasa_token_generated or is_weak(settings.rasa_token):
        problems.append("RASA_TOKEN")
    if is_weak(settings.customer_jwt_secret):
        problems.append("CUSTOMER_JWT_SECRET")
    if problems:
        raise UnsafeSettings(
            f"DEMO_MODE is off and {' and '.join(problems)} is missing or weak: set "
            f"{MIN_SECRET_CHARS}+ random characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'), or DEMO_MODE=true for the demo store"
        )
