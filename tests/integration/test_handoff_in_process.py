"""The hand-over run inside the Rasa process, as the channels do when the action server is
down (bot.resilience.in_process): the same case, reply and pause as ``action_handoff``."""

from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.models_handoff import HandoffCase
from bot.db.session import session_scope
from bot.handoff.escalation import LEGAL_THREAT
from bot.resilience.in_process import hand_over_in_process, handoff_endpoint
from bot.settings import REPO_ROOT


def threat_tracker(domain: Domain, sender: str) -> DialogueStateTracker:
    parse = {
        "intent": {"name": "complaint", "confidence": 0.9},
        "entities": [],
        "emotion": {"name": "angry", "confidence": 0.7},
        "text": "再不退款我就去12315投诉你们",
    }
    events = [
        ActionExecuted("action_listen"),
        UserUttered("再不退款我就去12315投诉你们", parse["intent"], [], parse),
    ]
    return DialogueStateTracker.from_events(sender, events, slots=domain.slots, domain=domain)


def test_a_legal_threat_is_handed_over_in_process(store_url: str) -> None:
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    tracker = threat_tracker(domain, "in-process-12315")
    output = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    events = asyncio.run(hand_over_in_process(handoff_endpoint(), tracker, output, nlg, domain))

    said = " ".join(e.text or "" for e in events if isinstance(e, BotUttered))
    assert "人工客服" in said
    assert isinstance(events[-1], ConversationPaused)  # the reply first, the pause last
    case_slot = [e.value for e in events if isinstance(e, SlotSet) and e.key == "handoff_case_id"]
    with session_scope(store_url) as session:
        case = session.get(HandoffCase, int(case_slot[0]))
        assert case is not None and case.sender_id == "in-process-12315"
        assert case.priority == 3
        assert LEGAL_THREAT in [r["code"] for r in case.reasons]
