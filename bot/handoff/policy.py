"""Rasa policy: predict ``action_handoff`` the moment the customer needs a person.

It is a thin adapter over :func:`bot.handoff.escalation.assess`; all the judgement lives there
(pure and unit-tested). It only predicts right after a customer message, never while the chat
is paused (Rasa predicts nothing then anyway) and never twice for the same turn.

Winning against the other policies: a triggered prediction has confidence 1.0 and is marked as a
"no user" prediction. Rasa's ensemble lets no-user predictions (the RulePolicy's "keep running the
active form") overrule everything else, so without the mark a customer who threatens to sue in
the middle of a return form would be asked for the order number again; among no-user
predictions the higher priority wins, and this policy's default priority (6) is above the
RulePolicy's (4).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff.escalation import HANDOFF_ACTION, Decision, assess

logger = logging.getLogger(__name__)

DEFAULT_PRIORITY = 6
# action_listen, and the actions that return ActionExecuted("action_listen") themselves: the
# session start, and the rating question the console runs when an agent hands the chat back.
LISTENING_ACTIONS = frozenset(
    {ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, "action_ask_satisfaction"}
)


def just_heard_customer(tracker: DialogueStateTracker) -> bool:
    """True when the customer's message is the latest turn and the bot has not acted on it.

    The action before the message must be ``action_listen`` and must not be our hand-over
    (which pauses the chat; a message arriving then is for the agent, not for us). It may also
    be one of the actions that end by listening themselves: when one failed (the action server
    was down) its events are lost, the customer's message follows it directly, and a threat or
    「转人工」 then must still count.
    """
    if tracker.is_paused():
        return False
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif isinstance(event, ActionExecuted):
            if not seen_user:
                return False  # the bot already acted after the latest message
            return event.action_name in LISTENING_ACTIONS
    return False


def previous_action(tracker: DialogueStateTracker) -> str | None:
    """The last action before the latest customer message (other than listening)."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class EscalationPolicy(Policy):
    """Hands the conversation over when :func:`assess` finds a reason (see module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": DEFAULT_PRIORITY, "handoff_action": HANDOFF_ACTION}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Rule-based: nothing to learn (never called, the component is registered untrainable).
        return self._resource

    def decide(self, tracker: DialogueStateTracker) -> Decision | None:
        """The escalation decision for the customer's latest message, None when not to assess."""
        if not just_heard_customer(tracker) or previous_action(tracker) == HANDOFF_ACTION:
            return None
        events = [event.as_dict() for event in tracker.events]
        latest = tracker.latest_message.text if tracker.latest_message else ""
        return assess(events, latest_text=latest or "")

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        if tracker.latest_action_name == HANDOFF_ACTION:
            # The handoff pauses the conversation, so nothing else may follow it: the bot listens
            # (and stays silent) until an agent resumes the chat. Stated here so that a tracker
            # replayed without executing the action (conversation tests) sees the same thing.
            result[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(result)
        decision = self.decide(tracker)
        if decision is None or not decision.handoff:
            return self._prediction(result)
        action = str(self.config.get("handoff_action") or HANDOFF_ACTION)
        if action not in domain.action_names_or_texts:
            logger.warning("EscalationPolicy: %s is not in the domain; not handing over", action)
            return self._prediction(result)
        result[domain.index_for_action(action)] = 1.0
        logger.info(
            "handing %s over: %s (score %.2f)", tracker.sender_id, decision.codes, decision.score
        )
        metadata = {
            "handoff": {
                "score": decision.score,
                "priority": decision.priority,
                "reasons": decision.reasons_as_dicts(),
            }
        }
        return self._prediction(result, is_no_user_prediction=True, action_metadata=metadata)
