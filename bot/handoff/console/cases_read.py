"""The console's reading routes: the queue, case cards, live updates, the supervisor's view.

Also who am I, the colleagues a case can go to and the intents an agent may correct to. The
conversation itself is read from Rasa's tracker store (see conversation.py); who may see
which case is decided in access.py.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.db.models_handoff import ACTIVE
from bot.handoff import agents as agent_service
from bot.handoff import cases
from bot.handoff.console import live
from bot.handoff.console.access import CaseRoutes, case_for, check_read
from bot.handoff.console.auth import AgentInfo, console_now
from bot.handoff.console.canned import canned_replies
from bot.handoff.console.case_data import CaseView, agent_names, case_view
from bot.handoff.console.conversation import load_events, unreachable_notice
from bot.handoff.console.http import ApiError, float_arg, int_arg, ok
from bot.handoff.console.intents import known_intents
from bot.handoff.console.unread import mark_read, unread_counts
from bot.handoff.console.views import case_brief, intent_labels, intents_of, transcript
from bot.handoff.suggestions import suggested_replies


def _lists(session: Session, me: AgentInfo) -> dict[str, Any]:
    names, now = agent_names(session), console_now(session)
    queue, mine = cases.queue(session), cases.cases_of_agent(session, me.id)
    unread = unread_counts(session, me.id, [*queue, *mine])

    def brief(case: Any) -> dict[str, Any]:
        return {**case_brief(case, names, now), "unread": unread.get(int(case.id), 0)}

    return {"queue": [brief(c) for c in queue], "mine": [brief(c) for c in mine]}


def _is_mine(view: CaseView, me: AgentInfo) -> bool:
    return bool(view.brief["agent_id"] == me.id and view.brief["status"] == ACTIVE)


class CaseReader(CaseRoutes):
    """Routes that only read: any signed-in agent, each case as ``check_read`` allows."""

    async def me(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)
        return ok({"agent": me.as_json()})

    async def queue(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)
        return ok(await self.db(lambda session: _lists(session, me)))

    async def agents(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)

        def work(session: Session) -> list[dict[str, Any]]:
            return [
                {"id": a.id, "display_name": a.display_name, "role": a.role}
                for a in agent_service.active_agents(session)
                if a.id != me.id
            ]

        return ok({"agents": await self.db(work)})

    async def mark_read(self, case_id: int, me: AgentInfo, entries: list[dict[str, Any]]) -> None:
        """The agent has now been shown the case up to its newest message (unread.py)."""
        if not entries:
            return
        until = max(float(e["at"]) for e in entries)
        await self.db(lambda session: mark_read(session, case_id, me.id, until))

    async def case(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self.signed_in(request)
        view = await self.db(
            lambda session: case_view(session, case_for(session, case_id, me, check_read))
        )
        events = await load_events(request.app, view.sender_id)
        entries = transcript(events, view.corrections)
        await self.mark_read(case_id, me, entries)
        reasons = [r["code"] for r in view.brief["reasons"]]
        intents = intents_of(events) or [str(i) for i in view.summary.get("intents") or []]
        suggestions = suggested_replies(reasons, intents, agent_name=me.display_name)
        return ok(
            {
                **view.brief,
                "sender_id": view.sender_id,
                "mine": _is_mine(view, me),
                # Set when the customer can no longer be messaged (WeChat's 48-hour window).
                "unreachable": await unreachable_notice(request.app, view.sender_id, events),
                "summary": view.summary,
                "intents": intent_labels(intents),
                "transcript": entries,
                "suggestions": [{"title": s.title, "text": s.text} for s in suggestions],
                "canned": await self.db(canned_replies),
            }
        )

    async def updates(self, request: Request) -> HTTPResponse:
        """Everything the page refreshes, in one request: when the live socket pokes it, and
        every 15 seconds as a fallback."""
        me = await self.signed_in(request)
        case_id = int_arg(request, "case")
        since = float_arg(request, "since")

        def work(session: Session) -> tuple[dict[str, Any], CaseView | None, str | None]:
            lists = _lists(session, me)
            if case_id is None:
                return lists, None, None
            try:
                case = case_for(session, case_id, me, check_read)
            except ApiError as error:
                # The lists still refresh; the open case reports why it is gone.
                return lists, None, error.code
            return lists, case_view(session, case), None

        lists, view, problem = await self.db(work)
        body: dict[str, Any] = {**lists, "case": None}
        if problem:
            body["case"] = {"id": case_id, "error": problem}
        elif view is not None:
            events = await load_events(request.app, view.sender_id)
            entries = transcript(events, view.corrections)
            new = [e for e in entries if since is None or e["at"] > since]
            await self.mark_read(int(view.brief["id"]), me, entries)
            body["case"] = {
                **view.brief,
                "mine": _is_mine(view, me),
                "unreachable": await unreachable_notice(request.app, view.sender_id, events),
                "messages": new,
            }
        return ok(body)

    async def supervisor(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)
        if not me.is_supervisor:
            raise ApiError(403, "forbidden", "只有主管可以查看全部会话。")

        def work(session: Session) -> dict[str, Any]:
            names, now = agent_names(session), console_now(session)
            open_now = [case_brief(c, names, now) for c in cases.open_cases(session)]
            load = {agent_id: 0 for agent_id in names}
            for brief in open_now:
                if brief["status"] == ACTIVE and brief["agent_id"] in load:
                    load[brief["agent_id"]] += 1
            return {
                "cases": open_now,
                "agents": [
                    {"id": agent_id, "display_name": name, "active_cases": load[agent_id]}
                    for agent_id, name in names.items()
                ],
            }

        return ok(await self.db(work))

    async def live_ticket(self, request: Request) -> HTTPResponse:
        """A one-minute ticket for the console's socket (live.py: the cookie does not reach it)."""
        me = await self.signed_in(request)
        ticket = live.issue_ticket(me.id)
        return ok({"ticket": ticket, "namespace": live.NAMESPACE, "agent_id": me.id})

    async def intents(self, request: Request) -> HTTPResponse:
        await self.signed_in(request)
        return ok({"intents": intent_labels(await known_intents())})
