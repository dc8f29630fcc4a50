"""The console's writing routes: claim, chat, transfer, resolve, and intent corrections.

The database work of a request runs in one transaction on a worker thread, the case loaded and
checked there (access.py); the conversation itself is written through Rasa's tracker store
(conversation.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_handoff import ACTIVE, RESOLVED, HandoffCase
from bot.handoff import cases
from bot.handoff.console import live
from bot.handoff.console.access import (
    CaseRoutes,
    any_agent,
    case_for,
    check_correct,
    check_resolve,
    check_write,
)
from bot.handoff.console.auth import AgentInfo, console_now
from bot.handoff.console.case_data import agent_names, case_view
from bot.handoff.console.conversation import (
    ConversationMissing,
    is_paused,
    load_events,
    resume_conversation,
    send_agent_message,
)
from bot.handoff.console.http import ApiError, json_body, ok
from bot.handoff.console.intents import known_intents
from bot.handoff.console.views import correctable, predicted_intent
from bot.retrain.corrections import CorrectionError, record_correction

MAX_MESSAGE_LENGTH = 1000


def _record(session: Session, case_id: int, kind: str, me: AgentInfo, detail: str) -> None:
    # The audit trail of the case; the full text lives in the conversation itself.
    cases.log_event(session, case_id, kind, me.username, detail, console_now(session))


def _user_event(events: list[dict[str, Any]], timestamp: float) -> Mapping[str, Any] | None:
    for event in events:
        if correctable(event) and float(event.get("timestamp") or 0.0) == timestamp:
            return event
    return None


def _message_text(body: Mapping[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "bad_request", "消息不能为空。")
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ApiError(400, "too_long", f"消息不能超过 {MAX_MESSAGE_LENGTH} 个字。")
    return text


def newer_case_exists(session: Session, case: HandoffCase) -> bool:
    """Whether the customer of `case` has been handed over again since (reads handoff_cases)."""
    newer = select(HandoffCase.id).where(
        HandoffCase.sender_id == case.sender_id, HandoffCase.id > case.id
    )
    return session.execute(newer.limit(1)).first() is not None


class CaseWriter(CaseRoutes):
    """Routes that change a case or its conversation."""

    async def claim(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self.signed_in(request)

        def work(session: Session) -> dict[str, Any]:
            case_for(session, case_id, me, any_agent)
            claimed = cases.claim(session, case_id, me.id, console_now(session))
            session.expire_all()
            case = case_for(session, case_id, me, any_agent)
            # A lost race is a conflict, unless the winner was this agent (a double click).
            if not claimed and not (case.status == ACTIVE and case.agent_id == me.id):
                holder = agent_names(session).get(case.agent_id, "其他客服")
                raise ApiError(409, "already_claimed", f"这个会话已由{holder}接入。")
            return case_view(session, case).brief

        brief = await self.db(work)
        await live.poke_app(request.app, live.CLAIMED, brief)
        return ok({"case": brief})

    async def message(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self.signed_in(request)
        text = _message_text(json_body(request))
        case = await self.db(
            lambda session: case_view(session, case_for(session, case_id, me, check_write))
        )
        sender_id = case.sender_id
        try:
            at = await send_agent_message(request.app, sender_id, text, me.display_name)
        except ConversationMissing as exc:
            raise ApiError(404, "conversation_missing", "找不到这段对话的记录。") from exc
        await self.db(lambda session: _record(session, case_id, "agent_message", me, text))
        await live.poke_app(request.app, live.AGENT_MESSAGE, case.brief)
        entry = {"kind": "agent", "text": text, "at": at, "agent": me.display_name}
        return ok({"message": entry}, status=201)

    async def transfer(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self.signed_in(request)
        target = json_body(request).get("agent_id")
        if not isinstance(target, int) or isinstance(target, bool):
            raise ApiError(400, "bad_request", "请选择要转给的客服。")

        def work(session: Session) -> dict[str, Any]:
            case_for(session, case_id, me, check_write)
            if target == me.id or target not in agent_names(session):
                raise ApiError(400, "bad_target", "只能转给其他在岗的客服。")
            if not cases.transfer(session, case_id, me.id, target, console_now(session)):
                raise ApiError(409, "conflict", "会话状态已变化，请刷新后再试。")
            session.expire_all()
            return case_view(session, case_for(session, case_id, me, any_agent)).brief

        brief = await self.db(work)
        await live.poke_app(request.app, live.TRANSFERRED, brief)
        return ok({"case": brief})

    async def resolve(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self.signed_in(request)
        json_body(request, required=False)  # no fields; a malformed body is still refused

        def work(session: Session) -> tuple[bool, str]:
            case = case_for(session, case_id, me, check_resolve)
            if case.status == RESOLVED:
                # A retry of the hand-back, unless the customer has a newer case since: the
                # paused conversation is then that case's (maybe another agent's), not ours.
                if newer_case_exists(session, case):
                    raise ApiError(409, "closed", "这个会话已经结束。")
                return False, str(case.sender_id)
            if not cases.resolve(session, case_id, me.id, console_now(session)):
                raise ApiError(409, "conflict", "会话状态已变化，请刷新后再试。")
            return True, str(case.sender_id)

        resolved_now, sender_id = await self.db(work)
        if resolved_now:
            done = {"id": case_id, "status": RESOLVED, "agent_id": me.id}
            await live.poke_app(request.app, live.RESOLVED, done)
        if not resolved_now and not await is_paused(request.app, sender_id):
            raise ApiError(409, "closed", "这个会话已经结束。")
        try:
            asked = await resume_conversation(request.app, sender_id)
        except ConversationMissing as exc:
            raise ApiError(404, "conversation_missing", "找不到这段对话的记录。") from exc
        return ok({"resolved": True, "case_id": case_id, "rating_requested": asked})

    async def correct(self, request: Request, case_id: int) -> HTTPResponse:
        """An agent's verdict on what one customer message of the case meant.

        Only the timestamp comes from the client: the text and the prediction are read from
        the tracker's user event, so a correction can only label what the customer wrote.
        """
        me = await self.signed_in(request)
        body = json_body(request)
        stamp = body.get("message_timestamp")
        if (
            not isinstance(stamp, (int, float))
            or isinstance(stamp, bool)
            or not math.isfinite(stamp)
        ):
            raise ApiError(400, "bad_request", "缺少要纠正的消息。")
        corrected = body.get("corrected_intent")
        if not isinstance(corrected, str) or corrected.strip() not in await known_intents():
            raise ApiError(400, "unknown_intent", "请选择一个已有的意图。")
        corrected = corrected.strip()

        sender_id = await self.db(
            lambda session: str(case_for(session, case_id, me, check_correct).sender_id)
        )
        event = _user_event(await load_events(request.app, sender_id), float(stamp))
        if event is None:
            raise ApiError(404, "message_not_found", "这个会话里没有这条顾客消息。")
        predicted = predicted_intent(event)
        if not predicted:
            raise ApiError(400, "no_prediction", "这条消息没有机器人识别的意图。")

        def work(session: Session) -> dict[str, Any]:
            try:
                row = record_correction(
                    session,
                    sender_id=sender_id,
                    message_timestamp=float(event["timestamp"]),
                    text=str(event.get("text") or ""),
                    predicted_intent=predicted,
                    corrected_intent=corrected,
                    agent_id=me.id,
                    now=console_now(session),
                )
            except CorrectionError as exc:
                raise ApiError(400, "bad_request", str(exc)) from exc
            return {"id": int(row.id), "corrected_intent": str(row.corrected_intent)}

        return ok(await self.db(work))
