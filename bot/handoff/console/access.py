"""Who is asking, and what they may do with a case.

Every API route but login first resolves the signed-in agent (401 without one). A route that
names a case loads it through ``case_for`` with one of the checks below, which end the request
with a JSON error (404, 403 or 409) when the agent may not act on it:

- a waiting case may be looked at by anyone on the desk (to decide whether to take it), an
  active or resolved one only by the agent holding it and by supervisors;
- only the holding agent may write into it, and only while it is active;
- intent corrections are labels, not chat: the holder may give them after resolving too, and
  supervisors always.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sanic.request import Request
from sqlalchemy.orm import Session

from bot.db.models_handoff import ACTIVE, RESOLVED, WAITING, HandoffCase
from bot.handoff import cases
from bot.handoff.console.auth import AgentInfo, current_agent
from bot.handoff.console.http import ApiError, run_db

T = TypeVar("T")

Check = Callable[[HandoffCase, AgentInfo], None]


def any_agent(case: HandoffCase, me: AgentInfo) -> None:
    """Anyone signed in: for claiming, where the atomic claim itself decides."""


def check_read(case: HandoffCase, me: AgentInfo) -> None:
    if case.status == WAITING or me.is_supervisor or case.agent_id == me.id:
        return
    raise ApiError(403, "forbidden", "这个会话由其他客服处理中。")


def check_write(case: HandoffCase, me: AgentInfo) -> None:
    if case.agent_id != me.id or case.status == WAITING:
        raise ApiError(403, "forbidden", "请先接入这个会话。")
    if case.status != ACTIVE:
        raise ApiError(409, "closed", "这个会话已经结束。")


def check_resolve(case: HandoffCase, me: AgentInfo) -> None:
    # Resolved before by this agent, but handing back to the bot may have failed: a retry.
    if case.status == RESOLVED and case.agent_id == me.id:
        return
    check_write(case, me)


def check_correct(case: HandoffCase, me: AgentInfo) -> None:
    if not me.is_supervisor and (case.agent_id != me.id or case.status == WAITING):
        raise ApiError(403, "forbidden", "只有处理这个会话的客服可以纠正意图。")


def case_for(session: Session, case_id: int, me: AgentInfo, check: Check) -> HandoffCase:
    """The case, if it exists (404) and ``check`` lets this agent act on it."""
    case = cases.case_by_id(session, case_id)
    if case is None:
        raise ApiError(404, "not_found", "没有这个会话。")
    check(case, me)
    return case


class CaseRoutes:
    """What the case routes share: the signed-in agent and one transaction per piece of work.

    ``database_url()`` is asked on every request, so the configured database is honoured.
    """

    def __init__(self, database_url: Callable[[], str]) -> None:
        self.database_url = database_url

    async def signed_in(self, request: Request) -> AgentInfo:
        return await current_agent(request, self.database_url())

    async def db(self, work: Callable[[Session], T]) -> T:
        return await run_db(self.database_url(), work)
