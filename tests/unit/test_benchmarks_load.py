"""The load generator's schedule and conversations, against a tiny stand-in server on loopback."""

from __future__ import annotations

import asyncio
import itertools
import statistics
from collections import defaultdict

import aiohttp
import pytest
from aiohttp import web

from benchmarks.load_bench import (
    SCRIPT,
    CustomerFactory,
    RestClient,
    arrival_schedule,
    closed_loop,
    conversation,
    open_loop,
)


def test_schedule_is_a_seeded_poisson_process_within_the_phase() -> None:
    times = arrival_schedule(20, 30, seed=7)
    assert times == arrival_schedule(20, 30, seed=7)
    assert times != arrival_schedule(20, 30, seed=8)
    assert all(0 <= t < 30 for t in times)
    assert times == sorted(times)
    # 600 expected arrivals; a Poisson count stays within 4 standard deviations (~98)
    assert abs(len(times) - 600) < 100
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert statistics.mean(gaps) == pytest.approx(1 / 20, rel=0.15)


def test_schedule_is_empty_for_nothing_offered() -> None:
    assert arrival_schedule(0, 30, seed=1) == []
    assert arrival_schedule(5, 0, seed=1) == []


def test_every_conversation_is_greet_track_product_faq_thanks() -> None:
    for i in range(10):
        turns = conversation(i)
        assert [kind for kind, _ in turns] == [kind for kind, _ in SCRIPT]
        assert all(text and "{" not in text for _, text in turns)
    assert conversation(0) != conversation(1)


def test_factory_cycles_through_the_demo_customers() -> None:
    factory = CustomerFactory("t", [6, 9])
    customers = [factory.new() for _ in range(3)]
    assert [c.customer_id for c in customers] == [6, 9, 6]
    assert len({c.sender for c in customers}) == 3


def test_only_loopback_targets_are_accepted() -> None:
    async def build() -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(ValueError):
                RestClient("http://10.0.0.5:5005", 5, session)

    asyncio.run(build())


class StandIn:
    """A REST channel that answers after a short delay and records who said what."""

    def __init__(self, delay: float, hand_over_on: str = "") -> None:
        self.delay = delay
        self.hand_over_on = hand_over_on
        self.handed_over: set[str] = set()
        self.messages: dict[str, list[str]] = defaultdict(list)
        self.metadata: list[object] = []

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.messages[body["sender"]].append(body["message"])
        self.metadata.append(body.get("metadata"))
        await asyncio.sleep(self.delay)
        if body["sender"] in self.handed_over:
            return web.json_response([])  # a person takes over: the bot stays silent
        if body["message"] == self.hand_over_on:
            self.handed_over.add(body["sender"])
            return web.json_response([{"text": "这就为您转接人工客服，请稍等"}])
        return web.json_response([{"recipient_id": body["sender"], "text": "好的"}])


async def _serve(stand_in: StandIn, run):  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", stand_in.webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            return await run(RestClient(f"http://127.0.0.1:{port}", 5, session))
    finally:
        await runner.cleanup()


def test_open_loop_keeps_each_conversation_in_order_and_offers_the_rate() -> None:
    stand_in = StandIn(delay=0.02)
    factory = CustomerFactory("open", [6, 9, 10])
    phase = asyncio.run(
        _serve(stand_in, lambda c: open_loop(c, factory, "20/s", 20, 2.0, seed=3, max_in_flight=50))
    )
    # Every scheduled turn was offered, at its scheduled time (latency is timed from there; how
    # long the replies took is the benchmark's to report, not a unit test's to bound).
    schedule = arrival_schedule(20, 2.0, seed=3)
    assert sorted(t.sent_at for t in phase.turns) == pytest.approx(schedule)
    assert all(t.ok for t in phase.turns) and phase.shed == 0
    assert all(t.latency >= 0.02 for t in phase.turns)  # no reply before the server answered
    for sender, said in stand_in.messages.items():
        index = int(sender.rsplit("-", 1)[1])
        assert said == [text for _, text in conversation(index)][: len(said)]
    assert {"customer_id": 6} in stand_in.metadata


def test_open_loop_sheds_turns_beyond_the_in_flight_bound() -> None:
    stand_in = StandIn(delay=1.0)
    factory = CustomerFactory("shed", [6])
    phase = asyncio.run(
        _serve(stand_in, lambda c: open_loop(c, factory, "40/s", 40, 1.0, seed=5, max_in_flight=5))
    )
    assert len(phase.turns) == 5
    assert phase.shed == len(arrival_schedule(40, 1.0, seed=5)) - 5


def test_closed_loop_runs_whole_conversations_for_the_duration() -> None:
    stand_in = StandIn(delay=0.01)
    factory = CustomerFactory("closed", [6, 9])
    phase = asyncio.run(_serve(stand_in, lambda c: closed_loop(c, factory, "saturated", 4, 1.0)))
    assert phase.concurrency == 4 and phase.offered_rate is None
    assert len(phase.turns) > 20
    assert all(t.ok for t in phase.turns)
    assert phase.elapsed < 3
    for sender, said in stand_in.messages.items():
        index = int(sender.rsplit("-", 1)[1])
        assert said == [text for _, text in conversation(index)][: len(said)]


def test_chats_handed_to_a_person_are_counted_and_their_silent_turns_fail() -> None:
    stand_in = StandIn(delay=0.0, hand_over_on=conversation(0)[2][1])
    factory = CustomerFactory("handoff", [6])

    async def one_conversation(client: RestClient) -> list[bool]:
        customer = factory.new()
        results = []
        while not customer.done:
            results.append((await client.turn(customer, 0.0, 0.0)).ok)
        assert client.handoffs == {conversation(0)[2][1]: 1}
        return results

    assert asyncio.run(_serve(stand_in, one_conversation)) == [True, True, True, False, False]
