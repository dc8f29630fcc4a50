"""The pure parts of the request limits: rates as configured, client keys, the sign-in back-off,
and the in-memory token bucket (windows of an hour, so nothing here depends on timing)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.security.client_address import client_key
from bot.security.login_throttle import FREE_ATTEMPTS, MAX_DELAY, delay_after, subject_of
from bot.security.rate_limit import MessageLimits, RateLimiter
from bot.security.rates import Rate, parse_rate
from bot.settings import read_settings


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/min", Rate(30, 60)),
        ("5/10s", Rate(5, 10)),
        ("1000/h", Rate(1000, 3600)),
        (" 20 / 5min ", Rate(20, 300)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_rates_read_as_written(text: str, rate: Rate | None) -> None:
    assert parse_rate("RATE", text) == rate


@pytest.mark.parametrize("text", ["30", "30/", "30/fortnight", "-1/min", "0/min", "3/0s", "x"])
def test_an_unreadable_rate_names_its_variable(text: str) -> None:
    with pytest.raises(ValueError, match="RATE_LIMIT_PER_SENDER"):
        parse_rate("RATE_LIMIT_PER_SENDER", text)


def test_settings_default_to_limits_in_memory(tmp_path: Path) -> None:
    settings = read_settings({}, tmp_path)
    assert settings.rate_limit_per_sender == Rate(30, 60)
    assert settings.rate_limit_per_address == Rate(120, 60)
    assert settings.rate_limit_login == Rate(20, 300)
    assert settings.rate_limit_redis_url == ""
    shared = read_settings(
        {"REDIS_URL": "redis://cache:6379/1", "RATE_LIMIT_PER_ADDRESS": "off"}, tmp_path
    )
    assert shared.rate_limit_redis_url == "redis://cache:6379/1"
    assert shared.rate_limit_per_address is None


def test_client_keys_hide_the_address_and_group_an_ipv6_line() -> None:
    key = client_key("203.0.113.7", "secret")
    assert len(key) == 32 and "203" not in key
    assert client_key("203.0.113.7", "secret") == key
    assert client_key("203.0.113.8", "secret") != key
    assert client_key("203.0.113.7", "another secret") != key
    assert client_key("::ffff:203.0.113.7", "secret") == key
    # One subscriber's /64 is one client; the next /64 is another.
    assert client_key("2001:db8:1:2::1", "s") == client_key("2001:db8:1:2:ffff::9", "s")
    assert client_key("2001:db8:1:3::1", "s") != client_key("2001:db8:1:2::1", "s")
    assert client_key("unknown", "s") == client_key("unknown", "s")


def test_sign_in_back_off_doubles_after_the_free_attempts_up_to_a_cap() -> None:
    delays = [delay_after(n) for n in range(1, FREE_ATTEMPTS + 5)]
    assert delays[: FREE_ATTEMPTS - 1] == [timedelta(0)] * (FREE_ATTEMPTS - 1)
    assert [d.total_seconds() for d in delays[FREE_ATTEMPTS - 1 :]] == [1, 2, 4, 8, 16]
    assert delay_after(1000) == MAX_DELAY


def test_sign_in_back_off_is_per_username_and_client() -> None:
    subject = subject_of("agent02", "client-a")
    assert subject_of(" Agent02 ", "client-a") == subject  # as the login form normalises it
    assert subject_of("agent02", "client-b") != subject
    assert subject_of("agent01", "client-a") != subject


def test_a_bucket_admits_its_burst_then_tells_how_long_to_wait() -> None:
    async def run() -> tuple[list[float], float]:
        limiter = RateLimiter("test", Rate(3, 3600))
        waits = [await limiter.wait("k") for _ in range(4)]
        return waits, await limiter.wait("other")

    waits, other = asyncio.run(run())
    assert waits[:3] == [0, 0, 0]
    # One request per 1,200 s refills: the fourth waits (nearly) that long.
    assert 1100 < waits[3] <= 1200
    assert other == 0  # keys do not share a bucket


def test_a_refused_address_does_not_spend_the_conversation() -> None:
    async def run() -> list[float]:
        limits = MessageLimits(RateLimiter("a", Rate(2, 3600)), RateLimiter("s", Rate(3, 3600)))
        first = [await limits.wait("client", "conversation") for _ in range(3)]
        # The same conversation from another client still has its third message.
        return [*first, await limits.wait("other client", "conversation")]

    waits = asyncio.run(run())
    assert waits[:2] == [0, 0] and waits[2] > 0
    assert waits[3] == 0


def test_memory_stays_bounded_under_a_flood_of_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.security.rate_limit.MAX_MEMORY_KEYS", 10)

    async def run() -> tuple[int, float]:
        limiter = RateLimiter("test", Rate(1, 3600))
        for n in range(25):
            await limiter.wait(f"key-{n}")
        # The most recent clients are still remembered (and refused a second request).
        return len(limiter._memory), await limiter.wait("key-24")

    remembered, recent_wait = asyncio.run(run())
    assert remembered <= 10
    assert recent_wait > 0
