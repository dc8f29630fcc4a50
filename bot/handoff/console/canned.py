"""Canned replies: the ready-made answers agents insert into a chat, kept by supervisors.

Every agent reads the list (``GET api/canned``, and with each case card); only supervisors
add, edit and delete (``POST api/canned``, ``PUT``/``DELETE api/canned/<id>``). The list is
never empty: while the table has no rows, it is filled with the shop's starting set
(bot.handoff.suggestions.CANNED_REPLIES), so a fresh install and a supervisor who removed
everything both leave the agents something to pick from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models_handoff import CannedReply
from bot.handoff.console.access import CaseRoutes
from bot.handoff.console.auth import AgentInfo, console_now
from bot.handoff.console.http import ApiError, json_body, ok
from bot.handoff.suggestions import CANNED_REPLIES

MAX_TITLE = 40
MAX_TEXT = 1000


def _as_json(reply: CannedReply) -> dict[str, Any]:
    return {"id": int(reply.id), "title": str(reply.title), "text": str(reply.text)}


def canned_replies(session: Session) -> list[dict[str, Any]]:
    """The list as agents see it, by title (fills in the starting set into an empty table)."""
    rows = session.execute(select(CannedReply).order_by(CannedReply.id)).scalars().all()
    if not rows:
        now = console_now(session)
        rows = [CannedReply(title=r.title, text=r.text, updated_at=now) for r in CANNED_REPLIES]
        try:
            # A savepoint: another request filling the empty table at the same moment wins, and
            # this one reads what it wrote.
            with session.begin_nested():
                session.add_all(rows)
        except IntegrityError:
            rows = session.execute(select(CannedReply).order_by(CannedReply.id)).scalars().all()
    return [_as_json(r) for r in rows]


def _field(body: Mapping[str, Any], key: str, limit: int, label: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "bad_request", f"请填写{label}。")
    value = value.strip()
    if len(value) > limit:
        raise ApiError(400, "too_long", f"{label}不能超过 {limit} 个字。")
    return value


def _save(session: Session, reply: CannedReply, title: str, text: str, me: AgentInfo) -> None:
    reply.title, reply.text = title, text
    reply.updated_by, reply.updated_at = me.id, console_now(session)
    session.add(reply)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique title: the database decides, also in a race
        raise ApiError(409, "duplicate_title", "已经有同名的常用语了。") from exc


class CannedRoutes(CaseRoutes):
    """``api/canned``: the list for everyone, changes for supervisors."""

    async def supervisor(self, request: Request) -> AgentInfo:
        me = await self.signed_in(request)
        if not me.is_supervisor:
            raise ApiError(403, "forbidden", "只有主管可以修改常用语。")
        return me

    async def list(self, request: Request) -> HTTPResponse:
        await self.signed_in(request)
        return ok({"canned": await self.db(canned_replies)})

    async def create(self, request: Request) -> HTTPResponse:
        me = await self.supervisor(request)
        body = json_body(request)
        title = _field(body, "title", MAX_TITLE, "标题")
        text = _field(body, "text", MAX_TEXT, "内容")

        def work(session: Session) -> dict[str, Any]:
            canned_replies(session)  # the starting set first, so it is not lost by this add
            reply = CannedReply()
            _save(session, reply, title, text, me)
            return _as_json(reply)

        return ok({"reply": await self.db(work)}, status=201)

    async def update(self, request: Request, reply_id: int) -> HTTPResponse:
        me = await self.supervisor(request)
        body = json_body(request)
        title = _field(body, "title", MAX_TITLE, "标题")
        text = _field(body, "text", MAX_TEXT, "内容")

        def work(session: Session) -> dict[str, Any]:
            reply = session.get(CannedReply, reply_id)
            if reply is None:
                raise ApiError(404, "not_found", "没有这条常用语。")
            _save(session, reply, title, text, me)
            return _as_json(reply)

        return ok({"reply": await self.db(work)})

    async def delete(self, request: Request, reply_id: int) -> HTTPResponse:
        await self.supervisor(request)

        def work(session: Session) -> None:
            reply = session.get(CannedReply, reply_id)
            if reply is None:
                raise ApiError(404, "not_found", "没有这条常用语。")
            session.delete(reply)

        await self.db(work)
        return ok({"deleted": reply_id})
