"""Search of past cases: by customer (name, phone, last four digits), order number, or text.

``GET api/search?q=...`` answers the newest matching cases the agent may read (access.py: an
agent their own cases and the queue, a supervisor all of them), each with what matched. The
text is looked for in the conversation itself (Rasa's events table, customer and bot/agent
messages), and a message belongs to the sender's first case that was still open when it was
written: what the customer said before and during a handoff is that case's.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.db.models import Customer, Order
from bot.db.models_handoff import WAITING, HandoffCase
from bot.handoff.console.access import CaseRoutes
from bot.handoff.console.auth import AgentInfo, console_now
from bot.handoff.console.case_data import agent_names
from bot.handoff.console.http import ApiError, ok
from bot.handoff.console.tracker_rows import BOT, EVENTS, USER, stored_form
from bot.handoff.console.views import case_brief
from bot.timeutil import BEIJING

MAX_QUERY = 50
MAX_RESULTS = 20
# Enough to fill the page from the newest hits; older ones would not be shown anyway.
MAX_MESSAGE_HITS = 500
SNIPPET = 60


def _visible(query: Select, me: AgentInfo) -> Select:
    if me.is_supervisor:
        return query
    return query.where(or_(HandoffCase.agent_id == me.id, HandoffCase.status == WAITING))


def _end(resolved_at: datetime | None) -> float:
    # Stored to the second: the whole of that second still belongs to the case.
    return resolved_at.replace(tzinfo=BEIJING).timestamp() + 1.0 if resolved_at else float("inf")


def case_of_message(cases_of_sender: list[HandoffCase], at: float) -> HandoffCase | None:
    """The first of the sender's cases (oldest first) not yet resolved at `at`, if any."""
    ends = [_end(c.resolved_at) for c in cases_of_sender]
    index = bisect_left(ends, at)
    return cases_of_sender[index] if index < len(cases_of_sender) else None


def _message_text(raw: str) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    return str(data.get("text") or "") if isinstance(data, dict) else ""


def _snippet(text: str, needle: str) -> str:
    start = max(0, text.find(needle) - SNIPPET // 3)
    cut = text[start : start + SNIPPET]
    return ("…" if start else "") + cut + ("…" if start + SNIPPET < len(text) else "")


def _by_customer(session: Session, me: AgentInfo, q: str) -> Iterable[tuple[HandoffCase, str]]:
    matches = [Customer.name.contains(q, autoescape=True)]
    if q.isdigit():
        matches.append(Customer.phone == q)
        if len(q) == 4:
            matches.append(Customer.phone.endswith(q))
    customers = select(Customer.id).where(or_(*matches))
    query = select(HandoffCase).where(HandoffCase.customer_id.in_(customers))
    for case in session.execute(_visible(query, me)).scalars():
        yield case, "顾客"


def _by_order(session: Session, me: AgentInfo, q: str) -> Iterable[tuple[HandoffCase, str]]:
    if not q.isdigit():
        return
    owners = select(Order.customer_id).where(Order.order_no == q)
    query = select(HandoffCase).where(HandoffCase.customer_id.in_(owners))
    for case in session.execute(_visible(query, me)).scalars():
        yield case, f"订单 {q}"


def _by_text(session: Session, me: AgentInfo, q: str) -> Iterable[tuple[HandoffCase, str]]:
    senders = _visible(select(HandoffCase.sender_id), me)
    hits = session.execute(
        select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data)
        .where(
            EVENTS.c.type_name.in_([USER, BOT]),
            EVENTS.c.data.contains(stored_form(q), autoescape=True),
            EVENTS.c.sender_id.in_(senders),
        )
        .order_by(EVENTS.c.timestamp.desc())
        .limit(MAX_MESSAGE_HITS)
    ).all()
    if not hits:
        return
    query = select(HandoffCase).where(HandoffCase.sender_id.in_({h.sender_id for h in hits}))
    by_sender: dict[str, list[HandoffCase]] = {}
    for case in session.execute(_visible(query, me).order_by(HandoffCase.id)).scalars():
        by_sender.setdefault(str(case.sender_id), []).append(case)
    for sender_id, at, raw in hits:
        case = case_of_message(by_sender.get(sender_id, []), float(at))
        text = _message_text(raw)
        if case is not None and q in text:
            yield case, "消息：" + _snippet(text, q)


def search_cases(session: Session, me: AgentInfo, q: str) -> list[dict[str, Any]]:
    """The newest cases `me` may read that match `q`, each brief with ``match``."""
    found: dict[int, tuple[HandoffCase, str]] = {}
    for source in (_by_order, _by_customer, _by_text):
        for case, match in source(session, me, q):
            found.setdefault(int(case.id), (case, match))
    names, now = agent_names(session), console_now(session)
    newest = sorted(found.values(), key=lambda item: int(item[0].id), reverse=True)
    return [
        {**case_brief(case, names, now), "match": match} for case, match in newest[:MAX_RESULTS]
    ]


class SearchRoutes(CaseRoutes):
    async def search(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)
        q = (request.args.get("q") or "").strip()
        if not q:
            raise ApiError(400, "bad_request", "请输入要搜索的内容。")
        if len(q) > MAX_QUERY:
            raise ApiError(400, "too_long", f"搜索内容不能超过 {MAX_QUERY} 个字。")
        return ok({"query": q, "cases": await self.db(lambda s: search_cases(s, me, q))})
