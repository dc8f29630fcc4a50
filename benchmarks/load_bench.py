"""Bounded load generator: simulated signed-in customers chatting over the REST channel.

Every simulated customer has a whole conversation (greet, track an order, a product question,
a policy question, thanks) as a demo customer with exactly one parcel to track, so the order
lookup and the product lookup run against the database like in real chats.

Open loop: turns are offered on a seeded Poisson schedule at a fixed rate whatever the server
does, so a slow server meets a growing queue instead of a politely waiting client (latency is
timed from the scheduled send). A turn goes to a customer whose previous reply has arrived, or
to a new customer when every started one is still waiting. Closed loop ("saturated"): N
customers chat back to back, each sending its next message as soon as the reply arrives.

Everything is bounded: phases last a fixed time, requests time out, and at most
`max_in_flight` turns wait at once (further scheduled turns are shed and counted as failures).
Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from benchmarks.stats import PhaseResult, TurnResult

# Variants per step; customer i takes variant i % len for each step.
SCRIPT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("greet", ("你好", "在吗", "您好，请问客服在吗")),
    ("track", ("我的快递到哪了", "帮我查一下物流", "我买的东西到哪了")),
    ("product", ("{product}是什么面料", "{product}有黑色的吗", "{product}怎么洗")),
    ("faq", ("怎么开发票", "满多少包邮", "可以用花呗付款吗")),
    ("thank", ("谢谢", "好的，谢谢", "多谢了")),
)
HANDOFF_MARK = "转接人工客服"  # in action_handoff's message (actions/handoff.py)
PRODUCT_WORDS = ("卫衣", "羽绒服", "跑鞋", "牛仔裤", "冲锋衣", "T恤", "毛衣", "空气炸锅")


def conversation(index: int, products: Sequence[str] = PRODUCT_WORDS) -> list[tuple[str, str]]:
    """The (step, message) turns of simulated customer number `index` (deterministic)."""
    product = products[index % len(products)]
    return [
        (kind, variants[index % len(variants)].format(product=product)) for kind, variants in SCRIPT
    ]


def arrival_schedule(rate: float, duration: float, seed: int) -> list[float]:
    """Send times (s from the start) of a Poisson process at `rate` per second, seeded."""
    if rate <= 0 or duration <= 0:
        return []
    rng = random.Random(seed)
    times: list[float] = []
    limit = int(rate * duration * 2) + 10  # bound even for an unlucky draw
    t = rng.expovariate(rate)
    while t < duration and len(times) < limit:
        times.append(t)
        t += rng.expovariate(rate)
    return times


@dataclass
class Customer:
    sender: str
    customer_id: int
    turns: list[tuple[str, str]]
    position: int = 0

    @property
    def done(self) -> bool:
        return self.position >= len(self.turns)


@dataclass
class CustomerFactory:
    """New simulated customers, cycling through the demo customers given."""

    prefix: str
    customer_ids: Sequence[int]
    count: int = 0

    def new(self) -> Customer:
        i = self.count
        self.count += 1
        customer_id = self.customer_ids[i % len(self.customer_ids)]
        return Customer(f"{self.prefix}-{i}", customer_id, conversation(i))


@dataclass
class RestClient:
    """Posts one customer message to the Rasa REST channel and times the reply."""

    base_url: str
    timeout: float
    session: aiohttp.ClientSession
    samples: dict[str, list[str]] = field(default_factory=dict)  # kind -> first replies seen
    handoffs: Counter[str] = field(default_factory=Counter)  # message -> times handed over

    def __post_init__(self) -> None:
        host = urlsplit(self.base_url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"load targets must be on loopback, not {host}")

    async def turn(self, customer: Customer, phase_start: float, scheduled: float) -> TurnResult:
        kind, text = customer.turns[customer.position]
        customer.position += 1
        body: dict[str, object] = {
            "sender": customer.sender,
            "message": text,
            "metadata": {"customer_id": customer.customer_id},
        }
        try:
            async with self.session.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json=body,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                replies = await response.json(content_type=None)
                ok = response.status == 200 and isinstance(replies, list) and bool(replies)
                error = "" if ok else f"HTTP {response.status}, no bot message"
                if not isinstance(replies, list):
                    replies = []  # an error body (e.g. a 429's JSON object), not messages
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            ok, error, replies = False, type(exc).__name__, []
        latency = time.monotonic() - scheduled
        if any(HANDOFF_MARK in str(r.get("text", "")) for r in replies):
            # The assistant handed the chat to a person: it stays silent until an agent answers.
            self.handoffs[text] += 1
        if ok and kind not in self.samples:
            self.samples[kind] = [text, *(str(r.get("text", "")) for r in replies)]
        return TurnResult(kind, scheduled - phase_start, latency, ok, error)


async def open_loop(
    client: RestClient,
    factory: CustomerFactory,
    name: str,
    rate: float,
    duration: float,
    seed: int,
    max_in_flight: int,
) -> PhaseResult:
    offsets = arrival_schedule(rate, duration, seed)
    ready: deque[Customer] = deque()
    results: list[TurnResult] = []
    tasks: list[asyncio.Task[None]] = []
    shed = in_flight = 0
    start = time.monotonic()

    async def one(customer: Customer, scheduled: float) -> None:
        nonlocal in_flight
        try:
            results.append(await client.turn(customer, start, scheduled))
        finally:
            in_flight -= 1
        if not customer.done:
            ready.append(customer)

    for offset in offsets:
        delay = start + offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if in_flight >= max_in_flight:
            shed += 1
            continue
        customer = ready.popleft() if ready else factory.new()
        in_flight += 1
        tasks.append(asyncio.create_task(one(customer, start + offset)))
    if tasks:
        # Every request times out by itself; this only guards against a stuck event loop.
        _, pending = await asyncio.wait(tasks, timeout=client.timeout + 5)
        for task in pending:
            task.cancel()
        shed += len(pending)
    elapsed = time.monotonic() - start
    return PhaseResult(name, rate, None, duration, elapsed, tuple(results), shed=shed)


async def closed_loop(
    client: RestClient,
    factory: CustomerFactory,
    name: str,
    concurrency: int,
    duration: float,
) -> PhaseResult:
    results: list[TurnResult] = []
    start = time.monotonic()
    end = start + duration
    max_conversations = int(duration * 100)  # a bound far above what two cores can serve

    async def worker() -> None:
        while time.monotonic() < end and factory.count < max_conversations:
            customer = factory.new()
            while not customer.done and time.monotonic() < end:
                results.append(await client.turn(customer, start, time.monotonic()))

    await asyncio.wait_for(
        asyncio.gather(*(worker() for _ in range(concurrency))), duration + client.timeout + 5
    )
    elapsed = time.monotonic() - start
    return PhaseResult(name, None, concurrency, duration, elapsed, tuple(results))


@dataclass(frozen=True)
class LoadPlan:
    rates: tuple[float, ...] = (5, 20, 40)
    duration: float = 30.0
    concurrency: int = 16
    warmup_conversations: int = 3
    timeout: float = 30.0
    max_in_flight: int = 120
    seed: int = 20261120


@dataclass
class ServerLoad:
    phases: list[PhaseResult]
    samples: dict[str, list[str]]  # kind -> [message, replies...] of one successful turn
    warmup_failures: int
    handoffs: Counter[str]  # message -> times the assistant handed the chat to a person


async def _warm_up(client: RestClient, label: str, customer_ids: Sequence[int], n: int) -> int:
    """Whole conversations one after the other (loads TensorFlow's graphs); failures."""
    factory = CustomerFactory(f"bench-{label}-warm", customer_ids)
    failures = 0
    for _ in range(n):
        customer = factory.new()
        while not customer.done:
            failures += not (await client.turn(customer, 0.0, time.monotonic())).ok
    return failures


async def run_interleaved(
    servers: Mapping[str, str],
    customer_ids: Mapping[str, Sequence[int]],
    plan: LoadPlan,
    between_phases: Callable[[str, str], None],
) -> dict[str, ServerLoad]:
    """Warm-up, the open-loop rates, then the saturated closed loop, for every server.

    The servers take turns phase by phase (A 5/s, B 5/s, A 20/s, B 20/s, ...), so that a
    change in what else the machine is doing affects both alike. `between_phases(label,
    event)` is called after the warm-up ("warm") and around each phase ("start:<name>",
    "end:<name>") so the caller can read the servers' memory and CPU time.
    """
    connector = aiohttp.TCPConnector(limit=plan.max_in_flight + plan.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        clients = {label: RestClient(url, plan.timeout, session) for label, url in servers.items()}
        loads = {
            label: ServerLoad([], client.samples, 0, client.handoffs)
            for label, client in clients.items()
        }
        for label, client in clients.items():
            ids = customer_ids[label]
            loads[label].warmup_failures = await _warm_up(
                client, label, ids, plan.warmup_conversations
            )
            between_phases(label, "warm")
        phases: list[tuple[str, float | None]] = [(f"{r:g}/s", r) for r in plan.rates]
        for i, (name, rate) in enumerate([*phases, ("saturated", None)]):
            for label, client in clients.items():
                factory = CustomerFactory(f"bench-{label}-{i}", customer_ids[label])
                between_phases(label, f"start:{name}")
                if rate is None:
                    result = await closed_loop(
                        client, factory, name, plan.concurrency, plan.duration
                    )
                else:
                    result = await open_loop(
                        client, factory, name, rate, plan.duration, plan.seed + i,
                        plan.max_in_flight,
                    )  # fmt: skip
                between_phases(label, f"end:{name}")
                loads[label].phases.append(result)
        return loads
