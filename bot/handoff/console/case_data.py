"""What a request reads about a case inside its transaction, for the views to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models_handoff import HandoffCase
from bot.db.models_retrain import IntentCorrection
from bot.handoff import agents as agent_service
from bot.handoff.console.auth import console_now
from bot.handoff.console.views import case_brief, summary_of


@dataclass(frozen=True)
class CaseView:
    """One case as the console shows it, detached from the session that loaded it."""

    brief: dict[str, Any]
    sender_id: str
    summary: dict[str, Any]
    corrections: dict[float, str]


def agent_names(session: Session) -> dict[int, str]:
    """The active agents' display names by id."""
    return {int(a.id): str(a.display_name) for a in agent_service.active_agents(session)}


def corrections_of(session: Session, sender_id: str) -> dict[float, str]:
    """The intents agents have given the conversation's messages, by message timestamp."""
    query = select(IntentCorrection.message_timestamp, IntentCorrection.corrected_intent).where(
        IntentCorrection.sender_id == sender_id
    )
    return {float(at): str(name) for at, name in session.execute(query)}


def case_view(session: Session, case: HandoffCase) -> CaseView:
    brief = case_brief(case, agent_names(session), console_now(session))
    sender_id = str(case.sender_id)
    return CaseView(brief, sender_id, summary_of(case.summary), corrections_of(session, sender_id))
