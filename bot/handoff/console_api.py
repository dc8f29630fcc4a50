"""The console's JSON API for cases: queue, case card, claim, chat, transfer, resolve, supervisor.

Every handler first resolves the signed-in agent (401 without one), then checks the case
against that agent: a waiting case may be looked at by anyone on the desk (to decide whether to
take it), an active or resolved one only by the agent holding it and by supervisors, and only
the holding agent may write into it (403 otherwise). The database work of a request runs in
one transaction on a worker thread; the conversation itself is read from and written to Rasa's
tracker store (see console_conversation).
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_handoff import ACTIVE, RESOLVED, WAITING
from bot.db.models_retrain import IntentCorrection
from bot.handoff import agents as agent_service
from bot.handoff import cases
from bot.handoff.console_auth import AgentInfo, console_now, current_agent
from bot.handoff.console_conversation import (
    ConversationMissing,
    is_paused,
    load_events,
    resume_conversation,
    send_agent_message,
)
from bot.handoff.console_http import ApiError, float_arg, int_arg, json_body, ok, run_db
from bot.handoff.console_views import (
    case_brief,
    correctable,
    intent_labels,
    intents_of,
    predicted_intent,
    summary_of,
    transcript,
)
from bot.handoff.suggestions import CANNED_REPLIES, suggested_replies
from bot.retrain.corrections import CorrectionError, record_correction
from bot.settings import REPO_ROOT

MAX_MESSAGE_LENGTH = 1000
DOMAIN_FILE = REPO_ROOT / "domain.yml"
FAQ_NLU_FILE = REPO_ROOT / "data" / "nlu" / "faq.yml"
# Rasa's built-in intents and the fallback: never a label for a training example.
NOT_CORRECTABLE = {"back", "restart", "session_start", "nlu_fallback"}
_FAQ_TOPIC = re.compile(r"^\s*-\s*intent:\s*(faq/[a-z0-9_]+)\s*$", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def domain_intents() -> tuple[str, ...]:
    """What an agent may correct a message to: the domain's intents and the faq sub-intents.

    Loaded once, on first use (the YAML is not read at import or at every request).
    """
    from rasa.shared.core.domain import Domain

    names = [n for n in Domain.load(str(DOMAIN_FILE)).intents if n not in NOT_CORRECTABLE]
    topics = _FAQ_TOPIC.findall(FAQ_NLU_FILE.read_text("utf-8")) if FAQ_NLU_FILE.is_file() else []
    if "faq" in names:
        names.extend(t for t in dict.fromkeys(topics) if t not in names)
    return tuple(names)


async def known_intents() -> tuple[str, ...]:
    # The first call parses YAML: off the event loop, like the database work.
    return await asyncio.to_thread(domain_intents)


@dataclass(frozen=True)
class CaseView:
    """What a request learnt about one case inside its transaction."""

    brief: dict[str, Any]
    sender_id: str
    summary: dict[str, Any]
    corrections: dict[float, str]


def _names(session: Session) -> dict[int, str]:
    return {int(a.id): str(a.display_name) for a in agent_service.active_agents(session)}


def _load_case(session: Session, case_id: int) -> Any:
    case = cases.case_by_id(session, case_id)
    if case is None:
        raise ApiError(404, "not_found", "没有这个会话。")
    return case


def _check_read(case: Any, me: AgentInfo) -> None:
    if case.status == WAITING or me.is_supervisor or case.agent_id == me.id:
        return
    raise ApiError(403, "forbidden", "这个会话由其他客服处理中。")


def _check_write(case: Any, me: AgentInfo) -> None:
    if case.agent_id != me.id or case.status == WAITING:
        raise ApiError(403, "forbidden", "请先接入这个会话。")
    if case.status != ACTIVE:
        raise ApiError(409, "closed", "这个会话已经结束。")


def _check_correct(case: Any, me: AgentInfo) -> None:
    # Corrections are labels, not chat: the holder may give them after resolving too.
    if not me.is_supervisor and (case.agent_id != me.id or case.status == WAITING):
        raise ApiError(403, "forbidden", "只有处理这个会话的客服可以纠正意图。")


def _corrections_of(session: Session, sender_id: str) -> dict[float, str]:
    query = select(IntentCorrection.message_timestamp, IntentCorrection.corrected_intent).where(
        IntentCorrection.sender_id == sender_id
    )
    return {float(at): str(name) for at, name in session.execute(query)}


def _user_event(events: list[dict[str, Any]], timestamp: float) -> Mapping[str, Any] | None:
    for event in events:
        if correctable(event) and float(event.get("timestamp") or 0.0) == timestamp:
            return event
    return None


def _view(session: Session, case: Any) -> CaseView:
    brief = case_brief(case, _names(session), console_now(session))
    sender_id = str(case.sender_id)
    return CaseView(brief, sender_id, summary_of(case.summary), _corrections_of(session, sender_id))


def _record(session: Session, case_id: int, kind: str, me: AgentInfo, detail: str) -> None:
    # The audit trail of the case; the full text lives in the conversation itself.
    cases.log_event(session, case_id, kind, me.username, detail, console_now(session))


class CaseApi:
    """The route handlers; ``database_url()`` is asked on every request (DATABASE_URL honoured)."""

    def __init__(self, database_url: Callable[[], str]) -> None:
        self.database_url = database_url

    async def _me(self, request: Request) -> AgentInfo:
        return await current_agent(request, self.database_url())

    async def _db(self, work: Callable[[Session], Any]) -> Any:
        return await run_db(self.database_url(), work)

    # ------------------------------------------------------------------ reading

    def _lists(self, session: Session, me: AgentInfo) -> dict[str, Any]:
        names, now = _names(session), console_now(session)
        return {
            "queue": [case_brief(c, names, now) for c in cases.queue(session)],
            "mine": [case_brief(c, names, now) for c in cases.cases_of_agent(session, me.id)],
        }

    async def me(self, request: Request) -> HTTPResponse:
        me = await self._me(request)
        return ok({"agent": me.as_json()})

    async def queue(self, request: Request) -> HTTPResponse:
        me = await self._me(request)
        return ok(await self._db(lambda session: self._lists(session, me)))

    async def agents(self, request: Request) -> HTTPResponse:
        me = await self._me(request)

        def work(session: Session) -> list[dict[str, Any]]:
            return [
                {"id": a.id, "display_name": a.display_name, "role": a.role}
                for a in agent_service.active_agents(session)
                if a.id != me.id
            ]

        return ok({"agents": await self._db(work)})

    async def case(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self._me(request)

        def work(session: Session) -> CaseView:
            case = _load_case(session, case_id)
            _check_read(case, me)
            return _view(session, case)

        view: CaseView = await self._db(work)
        events = await load_events(request.app, view.sender_id)
        reasons = [r["code"] for r in view.brief["reasons"]]
        intents = intents_of(events) or [str(i) for i in view.summary.get("intents") or []]
        suggestions = suggested_replies(reasons, intents, agent_name=me.display_name)
        return ok(
            {
                **view.brief,
                "sender_id": view.sender_id,
                "mine": view.brief["agent_id"] == me.id and view.brief["status"] == ACTIVE,
                "summary": view.summary,
                "intents": intent_labels(intents),
                "transcript": transcript(events, view.corrections),
                "suggestions": [{"title": s.title, "text": s.text} for s in suggestions],
                "canned": [{"title": c.title, "text": c.text} for c in CANNED_REPLIES],
            }
        )

    async def updates(self, request: Request) -> HTTPResponse:
        """Everything the page refreshes every two seconds, in one request."""
        me = await self._me(request)
        case_id = int_arg(request, "case")
        since = float_arg(request, "since")

        def work(session: Session) -> tuple[dict[str, Any], CaseView | None, str | None]:
            lists = self._lists(session, me)
            if case_id is None:
                return lists, None, None
            case = cases.case_by_id(session, case_id)
            if case is None:
                return lists, None, "not_found"
            try:
                _check_read(case, me)
            except ApiError:
                return lists, None, "forbidden"
            return lists, _view(session, case), None

        lists, view, problem = await self._db(work)
        body: dict[str, Any] = {**lists, "case": None}
        if problem:
            body["case"] = {"id": case_id, "error": problem}
        elif view is not None:
            events = await load_events(request.app, view.sender_id)
            entries = transcript(events, view.corrections)
            new = [e for e in entries if since is None or e["at"] > since]
            body["case"] = {
                **view.brief,
                "mine": view.brief["agent_id"] == me.id and view.brief["status"] == ACTIVE,
                "messages": new,
            }
        return ok(body)

    async def supervisor(self, request: Request) -> HTTPResponse:
        me = await self._me(request)
        if not me.is_supervisor:
            raise ApiError(403, "forbidden", "只有主管可以查看全部会话。")

        def work(session: Session) -> dict[str, Any]:
            names, now = _names(session), console_now(session)
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

        return ok(await self._db(work))

    # ------------------------------------------------------------------ writing

    async def claim(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self._me(request)

        def work(session: Session) -> dict[str, Any]:
            case = _load_case(session, case_id)
            if not cases.claim(session, case_id, me.id, console_now(session)):
                session.expire_all()
                case = _load_case(session, case_id)
                if case.status == ACTIVE and case.agent_id == me.id:
                    return _view(session, case).brief  # a double click: already ours
                holder = _names(session).get(case.agent_id, "其他客服")
                raise ApiError(409, "already_claimed", f"这个会话已由{holder}接入。")
            session.expire_all()
            return _view(session, _load_case(session, case_id)).brief

        return ok({"case": await self._db(work)})

    async def message(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self._me(request)
        body = json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "bad_request", "消息不能为空。")
        text = text.strip()
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ApiError(400, "too_long", f"消息不能超过 {MAX_MESSAGE_LENGTH} 个字。")

        def check(session: Session) -> str:
            case = _load_case(session, case_id)
            _check_write(case, me)
            return str(case.sender_id)

        sender_id = await self._db(check)
        try:
            at = await send_agent_message(request.app, sender_id, text, me.display_name)
        except ConversationMissing as exc:
            raise ApiError(404, "conversation_missing", "找不到这段对话的记录。") from exc
        await self._db(lambda session: _record(session, case_id, "agent_message", me, text))
        entry = {"kind": "agent", "text": text, "at": at, "agent": me.display_name}
        return ok({"message": entry}, status=201)

    async def transfer(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self._me(request)
        target = json_body(request).get("agent_id")
        if not isinstance(target, int) or isinstance(target, bool):
            raise ApiError(400, "bad_request", "请选择要转给的客服。")

        def work(session: Session) -> dict[str, Any]:
            case = _load_case(session, case_id)
            _check_write(case, me)
            names = _names(session)
            if target == me.id or target not in names:
                raise ApiError(400, "bad_target", "只能转给其他在岗的客服。")
            if not cases.transfer(session, case_id, me.id, target, console_now(session)):
                raise ApiError(409, "conflict", "会话状态已变化，请刷新后再试。")
            session.expire_all()
            return _view(session, _load_case(session, case_id)).brief

        return ok({"case": await self._db(work)})

    async def resolve(self, request: Request, case_id: int) -> HTTPResponse:
        me = await self._me(request)
        json_body(request, required=False)  # no fields; a malformed body is still refused

        def work(session: Session) -> tuple[bool, str]:
            case = _load_case(session, case_id)
            if case.status == RESOLVED and case.agent_id == me.id:
                # Resolved before, but handing back to the bot may have failed: allow a retry.
                return False, str(case.sender_id)
            _check_write(case, me)
            if not cases.resolve(session, case_id, me.id, console_now(session)):
                raise ApiError(409, "conflict", "会话状态已变化，请刷新后再试。")
            return True, str(case.sender_id)

        resolved_now, sender_id = await self._db(work)
        if not resolved_now and not await is_paused(request.app, sender_id):
            raise ApiError(409, "closed", "这个会话已经结束。")
        try:
            asked = await resume_conversation(request.app, sender_id)
        except ConversationMissing as exc:
            raise ApiError(404, "conversation_missing", "找不到这段对话的记录。") from exc
        return ok({"resolved": True, "case_id": case_id, "rating_requested": asked})

    # ------------------------------------------------------------------ intent corrections

    async def intents(self, request: Request) -> HTTPResponse:
        await self._me(request)
        names = await known_intents()
        return ok({"intents": intent_labels(names)})

    async def correct(self, request: Request, case_id: int) -> HTTPResponse:
        """An agent's verdict on what one customer message of the case meant.

        Only the timestamp comes from the client: the text and the prediction are read from
        the tracker's user event, so a correction can only label what the customer wrote.
        """
        me = await self._me(request)
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

        def check(session: Session) -> str:
            case = _load_case(session, case_id)
            _check_correct(case, me)
            return str(case.sender_id)

        sender_id = await self._db(check)
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

        return ok(await self._db(work))
