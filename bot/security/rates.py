"""Request rates as configured in settings: "30/min", "5/10s", "1000/h" or "off".

Pure parsing, no limiter: ``bot.settings`` reads these at startup (a rate it cannot read stops
the server with the variable's name), ``bot.security.rate_limit`` enforces them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_SECONDS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*(s|sec|min|m|h|hour)\s*")
OFF = frozenset({"off", "none", "0"})


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests per `seconds`, spent at once or spread out (a token bucket)."""

    limit: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.limit}/{self.seconds}s"


def parse_rate(name: str, text: str) -> Rate | None:
    """The rate `text` spells; None for "off". `name` (the variable) makes errors readable."""
    if text.strip().lower() in OFF:
        return None
    match = _RATE.fullmatch(text.lower())
    if match is None or int(match[1]) < 1 or match[2] == "0":
        raise ValueError(f"{name} must look like 30/min, 5/10s, 1000/h or off, got {text!r}")
    return Rate(int(match[1]), int(match[2] or 1) * _UNIT_SECONDS[match[3]])
