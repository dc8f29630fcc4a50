"""Per-client request limits with pyrate-limiter: shared through Redis, or in this process.

Each limited thing (a conversation, a client address, console sign-ins from an address) is a
key with a GCRA token bucket (pyrate-limiter's ``StateBucket``): up to `limit` requests at once,
then one every `seconds / limit`. With ``REDIS_URL`` set, a key's state is one Redis hash that
pyrate-limiter's Lua script reads and writes atomically, so every Rasa instance behind the load
balancer counts against the same bucket; without it, buckets live in this process's memory
(the single server of ``make run``).

A Redis outage lets requests through (and logs it): the limits slow attackers down, while the
verification and sign-in lock-outs in the database hold by themselves.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections import OrderedDict

from pyrate_limiter import GCRA, InMemoryStateStore, RateItem, RedisStateStore, StateBucket
from pyrate_limiter import Rate as PyrateRate
from redis import asyncio as redis_asyncio
from redis.exceptions import RedisError

from bot.security.rates import Rate
from bot.settings import Settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "kefu:rate"
# In-memory buckets kept at most; idle ones go first (an idle GCRA bucket is the same as none).
MAX_MEMORY_KEYS = 50_000
REDIS_TIMEOUT_SECONDS = 0.5
OUTAGE_LOG_SECONDS = 60.0
# What a customer sending over the rate is told (REST 429 body, socket.io reply).
TOO_FAST_MESSAGE = "消息发得太快啦，小优有点跟不上，请{seconds}秒后再发送哦。"


class RateLimiter:
    """One limit, counted per key: ``await limiter.wait(key)`` is 0 when the request may go
    (and is counted), else the seconds until it may."""

    def __init__(self, scope: str, rate: Rate, redis_url: str = "") -> None:
        self.scope = scope
        self._rates = [PyrateRate(rate.limit, rate.seconds * 1000)]
        self._algorithm = GCRA()
        self._redis_url = redis_url
        self._redis: redis_asyncio.Redis | None = None
        self._redis_loop: asyncio.AbstractEventLoop | None = None
        self._memory: OrderedDict[str, StateBucket] = OrderedDict()
        self._outage_logged_at = -math.inf

    async def wait(self, key: str) -> float:
        try:
            bucket = self._bucket(key)
            decision = bucket.put_decision(RateItem(key, bucket.now()))
            if inspect.isawaitable(decision):
                decision = await decision
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            self._log_outage(error)
            return 0.0
        if decision.allowed:
            return 0.0
        # A weight of 1 always fits a bucket of >= 1, so a refusal always carries its wait.
        return max(decision.retry_after_ms or 0, 1) / 1000

    def _bucket(self, key: str) -> StateBucket:
        if self._redis_url:
            store = RedisStateStore(self._client(), f"{KEY_PREFIX}:{self.scope}:{key}")
            # A fresh bucket object per request: its last decision is per object, and the state
            # it stands for lives in Redis.
            return StateBucket(self._rates, self._algorithm, store)
        bucket = self._memory.get(key)
        if bucket is None:
            self._make_room()
            bucket = self._memory[key] = StateBucket(
                self._rates, self._algorithm, InMemoryStateStore()
            )
        else:
            self._memory.move_to_end(key)
        return bucket

    def _make_room(self) -> None:
        if len(self._memory) < MAX_MEMORY_KEYS:
            return
        idle = [key for key, bucket in self._memory.items() if bucket.count() == 0]
        for key in idle:
            del self._memory[key]
        # Still nearly full (a flood of keys): forget the least recent tenth, so that the scan
        # above runs once per MAX_MEMORY_KEYS / 10 new keys, not for each.
        while len(self._memory) > MAX_MEMORY_KEYS * 0.9:
            self._memory.popitem(last=False)

    def _client(self) -> redis_asyncio.Redis:
        # An asyncio client belongs to the loop it was made on (one per server).
        loop = asyncio.get_running_loop()
        if self._redis is None or self._redis_loop is not loop:
            self._redis = redis_asyncio.Redis.from_url(
                self._redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._redis_loop = loop
        return self._redis

    async def close(self) -> None:
        """Closes the Redis connections (at server stop: a loop must not end with them open)."""
        client, self._redis = self._redis, None
        if client is not None:
            await client.close(close_connection_pool=True)

    def _log_outage(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._outage_logged_at >= OUTAGE_LOG_SECONDS:
            self._outage_logged_at = now
            logger.warning(
                "rate limit %s: Redis unavailable (%s), requests pass unlimited",
                self.scope,
                type(error).__name__,
            )


def limiter(scope: str, rate: Rate | None, redis_url: str) -> RateLimiter | None:
    """The limiter for `rate`, or None when the rate is off."""
    return RateLimiter(scope, rate, redis_url) if rate is not None else None


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


class MessageLimits:
    """The limits on customer messages, the same on every channel: per client address, then per
    conversation (a person types a message every few seconds, a script many per second)."""

    def __init__(self, per_address: RateLimiter | None, per_sender: RateLimiter | None) -> None:
        self.per_address = per_address
        self.per_sender = per_sender

    @classmethod
    def from_settings(cls, settings: Settings) -> MessageLimits:
        redis_url = settings.rate_limit_redis_url
        return cls(
            limiter("address", settings.rate_limit_per_address, redis_url),
            limiter("sender", settings.rate_limit_per_sender, redis_url),
        )

    async def close(self) -> None:
        for limit in (self.per_address, self.per_sender):
            if limit is not None:
                await limit.close()

    async def wait(self, client_key: str, conversation_id: str | None) -> float:
        """0 when a message from `client_key` into `conversation_id` may go (and is counted),
        else the seconds to wait. A refused address is not counted against the conversation."""
        if self.per_address is not None:
            wait = await self.per_address.wait(client_key)
            if wait:
                return wait
        if self.per_sender is not None and conversation_id is not None:
            return await self.per_sender.wait(conversation_id)
        return 0.0
