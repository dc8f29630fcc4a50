"""The console's 跟进 tab: open promises by due time (overdue first), and closing one.

Closing sends the customer the outcome (bot.services.followups.promises). A follow-up owned by
the supervisors (a low rating to call back) is theirs to close; one owned by a named agent is
that agent's or a supervisor's; the desk's are anyone's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.db.models_followup import OWNER_DESK, OWNER_SUPERVISOR, FollowUp
from bot.handoff.console.access import CaseRoutes
from bot.handoff.console.auth import AgentInfo, console_now
from bot.handoff.console.http import ApiError, json_body, ok
from bot.services.aftersales.review import ensure_review_follow_ups
from bot.services.clock import store_now
from bot.services.followups.promises import (
    KIND_LABELS,
    AlreadyClosed,
    CloseError,
    close_follow_up,
    open_follow_ups,
    urgency,
)

OWNER_LABELS = {OWNER_DESK: "客服组", OWNER_SUPERVISOR: "主管"}


def follow_up_row(follow_up: FollowUp, now: datetime) -> dict[str, Any]:
    customer = follow_up.customer
    return {
        "id": follow_up.id,
        "kind": follow_up.kind,
        "kind_label": KIND_LABELS[follow_up.kind],
        "promise": follow_up.promise,
        "owner": follow_up.owner,
        "owner_label": OWNER_LABELS.get(follow_up.owner, follow_up.owner),
        "due_at": follow_up.due_at.strftime("%Y-%m-%d %H:%M"),
        "urgency": urgency(follow_up.due_at, now).value,
        "order_no": follow_up.order.order_no if follow_up.order is not None else None,
        "customer": customer.name if customer is not None else None,
    }


def may_close(follow_up: FollowUp, me: AgentInfo) -> bool:
    if me.is_supervisor or follow_up.owner == OWNER_DESK:
        return True
    return bool(follow_up.owner == me.username)


class FollowUpRoutes(CaseRoutes):
    async def listing(self, request: Request) -> HTTPResponse:
        await self.signed_in(request)

        def work(session: Session) -> dict[str, Any]:
            now = store_now(session)
            # Reviews waiting are promises too; recorded here so tickets from any source count.
            ensure_review_follow_ups(session, now)
            rows = [follow_up_row(f, now) for f in open_follow_ups(session)]
            order = {"overdue": 0, "due": 1, "later": 2}
            rows.sort(key=lambda r: order[r["urgency"]])
            return {
                "now": now.strftime("%Y-%m-%d %H:%M"),
                "followups": rows,
                "overdue": sum(r["urgency"] == "overdue" for r in rows),
                "due": sum(r["urgency"] == "due" for r in rows),
            }

        return ok(await self.db(work))

    async def close(self, request: Request, follow_up_id: int) -> HTTPResponse:
        me = await self.signed_in(request)
        outcome = json_body(request).get("outcome")
        if not isinstance(outcome, str):
            raise ApiError(400, "bad_request", "请填写处理结果，客户会收到这段话。")

        def work(session: Session) -> dict[str, Any]:
            follow_up = session.get(FollowUp, follow_up_id)
            if follow_up is None:
                raise ApiError(404, "not_found", "没有这条跟进。")
            if not may_close(follow_up, me):
                raise ApiError(403, "forbidden", "这条跟进需要由负责人或主管关闭。")
            try:
                close_follow_up(
                    session,
                    follow_up_id,
                    outcome=outcome,
                    closed_by=me.username,
                    now=console_now(session),
                )
            except AlreadyClosed as exc:
                raise ApiError(409, "closed", str(exc)) from exc
            except CloseError as exc:
                raise ApiError(400, "bad_request", str(exc)) from exc
            return {"id": follow_up_id, "status": "closed"}

        return ok(await self.db(work))
