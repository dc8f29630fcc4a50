"""Faults the production deployment survives, against real processes (README, Production).

Two Rasa instances and an action server behind nginx (bot.deploy.cluster), on a PostgreSQL and
a Redis of the test's own (tests/fault_services.py): the action server is stopped and
restarted during traffic, PostgreSQL and Redis are restarted, hand-overs are worked by agents
on both instances under concurrent load, and finally one Rasa instance is killed
mid-conversation. The tests share one cluster (starting one costs minutes of CPU), so they
run in file order, the destructive one last.

``FAULT_HANDOFFS`` sets how many hand-over round trips the load test makes: 100 in
`make test`, 1,000 in `make test-prod`.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.db.models import Order
from bot.db.models_handoff import RESOLVED, HandoffCase
from bot.db.session import dispose_engines, session_scope
from bot.deploy.cluster import Cluster, ClusterConfig
from bot.deploy.database import prepare_database
from bot.deploy.nginx import NginxMissing, nginx_binary
from bot.resilience.guard import OUTAGE_REPLY
from tests.fault_services import (
    AGENT_API,
    REQUEST_TIMEOUT_S,
    Deployment,
    OwnPostgres,
    OwnRedis,
    SocketCustomer,
    missing_services,
    wait_until,
)

pytestmark = pytest.mark.model

HANDOFFS = int(os.environ.get("FAULT_HANDOFFS", "100"))
MESSAGES_EACH_WAY = 3
LOAD_WORKERS = 8
AGENTS = [("agent01", "kefu-demo-1"), ("agent02", "kefu-demo-2")]
TRACKED_ORDER = "926111453460400021"  # 王晓明's parcel in transit
WANG = 1
REDIS_RESUBSCRIBE_S = 4


def _skip_reason() -> str | None:
    missing = missing_services()
    try:
        nginx_binary()
    except NginxMissing:
        missing.append("nginx (make nginx)")
    if missing:
        return "fault tests need " + ", ".join(missing)
    return None


@pytest.fixture(scope="module")
def deployment(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("faults")
    postgres, redis_server = OwnPostgres.create(), OwnRedis.in_dir(directory / "redis")
    try:
        postgres.start()
        redis_server.start()
        prepare_database(postgres.url)
        dispose_engines()
        config = ClusterConfig(
            database_url=postgres.url,
            redis_url=redis_server.url,
            model=trained_model,
            log_dir=directory / "logs",
            instances=2,
            port=0,
            # Load from one address in a few conversations is the test, not an attack.
            extra_env={
                "RATE_LIMIT_PER_SENDER": "off",
                "RATE_LIMIT_PER_ADDRESS": "off",
                "RATE_LIMIT_LOGIN": "off",
            },
        )
        with Cluster(config) as cluster:
            yield Deployment(cluster, postgres, redis_server)
    finally:
        dispose_engines()
        redis_server.stop()
        postgres.remove()


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


def polite_retry(replies: list[str]) -> bool:
    text = joined(replies)
    return bool(replies) and ("开小差" in text or "稍后" in text or "稍等" in text)


def verify_anonymously(deployment: Deployment, sender: str, via: str | None = None) -> None:
    with session_scope(deployment.database_url) as session:
        tail = session.scalars(
            select(Order.ship_phone).where(Order.order_no == TRACKED_ORDER)
        ).one()
    deployment.say(sender, "我的快递到哪了", via=via)
    shown = joined(deployment.say(sender, f"{TRACKED_ORDER} 尾号{tail[-4:]}", via=via))
    assert "运输中" in shown, shown


def hand_over(deployment: Deployment, sender: str, via: str | None = None) -> int:
    assert "人工客服" in joined(deployment.say(sender, "转人工", via=via))
    case = deployment.case_of(sender)
    assert case is not None
    return int(case.id)


def recovering(ask: Callable[[], list[str]], attempts: int = 5) -> list[str]:
    """The first answer that is not the outage apology: a pooled connection the restart cut
    may fail once more before the pool notices."""
    replies = ask()
    for _ in range(attempts):
        if replies != [OUTAGE_REPLY]:
            break
        time.sleep(1)
        replies = ask()
    return replies


# --- the action server ------------------------------------------------------------------------


def test_without_the_action_server_customers_are_answered_and_still_reach_a_person(
    deployment: Deployment,
) -> None:
    deployment.cluster.stop_action_servers()
    try:
        assert deployment.say("fault-as-hello", "你好"), "a greeting went unanswered"

        asked = deployment.say("fault-as-order", "我的快递到哪了", WANG)
        assert polite_retry(asked), asked

        assert "人工客服" in joined(deployment.say("fault-as-human", "转人工"))
        assert deployment.tracker("fault-as-human")["paused"]
        assert deployment.case_of("fault-as-human") is not None

        threat = deployment.say("fault-as-12315", "再不给我退款我就去12315投诉你们")
        assert "人工客服" in joined(threat), threat
        assert deployment.tracker("fault-as-12315")["paused"]
        legal = deployment.case_of("fault-as-12315")
        assert legal is not None and legal.priority == 3  # a legal threat: first in the queue
    finally:
        deployment.cluster.start_action_servers()
    # The same request, once the action server is back, gets its real answer.
    again = deployment.say("fault-as-order", "我的快递到哪了", WANG)
    assert again and not polite_retry(again), again


def test_an_action_server_restart_during_traffic_leaves_nobody_in_silence(
    deployment: Deployment,
) -> None:
    stop = threading.Event()
    silent: list[tuple[str, str]] = []
    turns = [0]

    def customer(number: int) -> None:
        # A fresh conversation each round: one asking the same thing over and over would
        # rightly be handed to a person, which is not what this test is about.
        for round_no in itertools.count():
            if stop.is_set():
                return
            sender = f"fault-restart-{number}-{round_no}"
            for text in ("你好", "我的快递到哪了"):
                if not deployment.say(sender, text, WANG):
                    silent.append((sender, text))
                turns[0] += 1

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(customer, n) for n in range(4)]
        time.sleep(2)
        deployment.cluster.restart_action_servers()
        time.sleep(2)
        stop.set()
        for future in running:
            future.result()
    assert turns[0] > 8
    assert silent == []
    after = deployment.say("fault-restart-after", "我的快递到哪了", WANG)
    assert after and not polite_retry(after), after


# --- PostgreSQL and Redis ---------------------------------------------------------------------


def test_a_postgresql_restart_loses_no_conversation_or_hand_over(deployment: Deployment) -> None:
    verify_anonymously(deployment, "fault-pg-verified")
    case_id = hand_over(deployment, "fault-pg-handed")

    socket = SocketCustomer(deployment.url)
    deployment.postgres.stop()
    try:
        assert deployment.say("fault-pg-verified", "谢谢") == [OUTAGE_REPLY]
        assert deployment.say("fault-pg-handed", "还在吗") == [OUTAGE_REPLY]
        socket.say("你好")
        socket.hears(OUTAGE_REPLY)
    finally:
        socket.close()
        deployment.postgres.start()
        dispose_engines()  # this process's pooled connections died with the server

    answered = recovering(lambda: deployment.say("fault-pg-verified", "谢谢"))
    assert answered and OUTAGE_REPLY not in answered
    slots = deployment.tracker("fault-pg-verified")["slots"]
    assert TRACKED_ORDER in (slots.get("verified_order_ids") or [])
    # The handed-over chat is still the agent's: the bot stays silent, the case still open.
    assert recovering(lambda: deployment.say("fault-pg-handed", "还在吗")) == []
    assert deployment.tracker("fault-pg-handed")["paused"]
    case = deployment.case_of("fault-pg-handed")
    assert case is not None and case.id == case_id and case.status != RESOLVED


def test_a_redis_restart_leaves_no_conversation_or_socket_stuck(deployment: Deployment) -> None:
    # A customer's socket on one instance, their agent on the other: agent messages reach the
    # socket through Redis, before the restart and after it.
    socket_side, agent_side = deployment.cluster.instance_urls
    customer = SocketCustomer(socket_side)
    try:
        customer.say("转人工")
        customer.hears("人工客服")
        case = wait_until(lambda: deployment.case_of(customer.session_id))
        agent = deployment.agent(*AGENTS[0])
        api = f"{agent_side}{AGENT_API}cases/{case.id}"
        assert agent.post(f"{api}/claim", timeout=REQUEST_TIMEOUT_S).status_code == 200

        def agent_says(text: str) -> None:
            sent = agent.post(f"{api}/messages", json={"text": text}, timeout=REQUEST_TIMEOUT_S)
            assert sent.status_code == 201, sent.text

        agent_says("重启前的客服消息")
        customer.hears("重启前的客服消息")

        assert deployment.say("fault-redis", "你好")
        deployment.redis.stop()
        try:
            assert deployment.say("fault-redis", "运费怎么算") == [OUTAGE_REPLY]
        finally:
            deployment.redis.start()
        # Each instance takes the conversation's lock again (none is left held by the outage).
        for text, url in zip(
            ("运费怎么算", "你是机器人吗"), deployment.cluster.instance_urls, strict=True
        ):
            replies = recovering(lambda: deployment.say("fault-redis", text, via=url))  # noqa: B023
            assert replies and OUTAGE_REPLY not in replies, replies
        # python-socketio's listener resubscribes after 1 s, then 2 s more if Redis was slow.
        time.sleep(REDIS_RESUBSCRIBE_S)
        agent_says("重启后的客服消息")
        customer.hears("重启后的客服消息", timeout=10)
    finally:
        customer.close()


# --- hand-overs under load ----------------------------------------------------------------------


def round_trip(deployment: Deployment, agent: requests.Session, sender: str, n: int) -> None:
    """One hand-over: the customer asks, the agent claims, they talk, the agent resolves.

    Each step goes to another instance than the step before (their own URLs, not nginx's), so
    every round trip crosses instances several times on both sides.
    """
    urls = deployment.cluster.instance_urls
    hops = itertools.count(n)

    def at() -> str:
        return urls[next(hops) % len(urls)]

    before = deployment.case_of(sender)
    reply = deployment.say(sender, "转人工", via=at())
    case = deployment.case_of(sender)
    assert case is not None and (before is None or case.id != before.id), reply
    api = f"{AGENT_API}cases/{case.id}"
    claimed = agent.post(f"{at()}{api}/claim", timeout=REQUEST_TIMEOUT_S)
    assert claimed.status_code == 200, claimed.text
    for k in range(MESSAGES_EACH_WAY):
        assert deployment.say(sender, f"顾客消息 {n}-{k}", via=at()) == []
        sent = agent.post(f"{at()}{api}/messages", json={"text": f"客服消息 {n}-{k}"},
                          timeout=REQUEST_TIMEOUT_S)  # fmt: skip
        assert sent.status_code == 201, sent.text
    resolved = agent.post(f"{at()}{api}/resolve", timeout=REQUEST_TIMEOUT_S)
    assert resolved.status_code == 200, resolved.text


def test_hand_overs_under_load_lose_and_duplicate_nothing(deployment: Deployment) -> None:
    conversations = [f"fault-load-{i}" for i in range(min(LOAD_WORKERS * 4, HANDOFFS))]
    per_conversation = -(-HANDOFFS // len(conversations))
    plan = {
        sender: [n for n in range(i * per_conversation, (i + 1) * per_conversation) if n < HANDOFFS]
        for i, sender in enumerate(conversations)
    }

    # One sign-in per agent (the console throttles sign-ins per address); each worker its own
    # HTTP session carrying that agent's cookie.
    signed_in = [deployment.agent(*credentials).cookies for credentials in AGENTS]

    def work(index: int, sender: str) -> None:
        agent = requests.Session()
        agent.cookies.update(signed_in[index % len(signed_in)])
        for n in plan[sender]:
            round_trip(deployment, agent, sender, n)

    started = time.monotonic()
    with ThreadPoolExecutor(LOAD_WORKERS) as pool:
        for future in [pool.submit(work, i, c) for i, c in enumerate(conversations)]:
            future.result()
    print(f"\n{HANDOFFS} hand-over round trips in {time.monotonic() - started:.0f} s")

    for sender in conversations:
        events = deployment.tracker(sender)["events"]
        customer = [e["text"] for e in events
                    if e["event"] == "user" and e["text"].startswith("顾客消息")]  # fmt: skip
        agent_side = [e["text"] for e in events if e["event"] == "bot"
                      and (e.get("metadata") or {}).get("agent")]  # fmt: skip
        expected = [f"{n}-{k}" for n in plan[sender] for k in range(MESSAGES_EACH_WAY)]
        assert customer == [f"顾客消息 {x}" for x in expected], sender
        assert agent_side == [f"客服消息 {x}" for x in expected], sender
        with session_scope(deployment.database_url) as session:
            cases = session.scalars(
                select(HandoffCase.status).where(HandoffCase.sender_id == sender)
            ).all()
        assert cases == [RESOLVED] * len(plan[sender]), sender


# --- one instance dies ------------------------------------------------------------------------


def test_killing_an_instance_mid_conversation_loses_nothing(deployment: Deployment) -> None:
    doomed = deployment.cluster.instance_urls[0]
    verify_anonymously(deployment, "fault-kill-verified", via=doomed)
    signed_in = "fault-kill-signed"
    assert deployment.say(signed_in, "你好", WANG, via=doomed)
    case_id = hand_over(deployment, "fault-kill-handed", via=doomed)

    deployment.cluster.kill_instance(0)

    # nginx now has only the other instance to send these to.
    shown = joined(deployment.say("fault-kill-verified", f"{TRACKED_ORDER}到哪了"))
    assert "运输中" in shown and "后四位" not in shown, shown
    assert deployment.say(signed_in, "我的快递到哪了", WANG)
    slots = deployment.tracker(f"{signed_in}~c{WANG}")["slots"]
    assert str(slots.get("customer_id")) == str(WANG)
    assert deployment.say("fault-kill-handed", "人呢") == []
    assert deployment.tracker("fault-kill-handed")["paused"]
    case = deployment.case_of("fault-kill-handed")
    assert case is not None and case.id == case_id and case.status != RESOLVED
