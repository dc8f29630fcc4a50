"""Running the hand-over inside the Rasa server when the action server cannot.

``action_handoff`` is the one custom action a customer must never lose: 「转人工」 and a legal
threat have to reach a person even while the action server restarts. Rasa 3.6 has no
in-process custom actions, so this feeds the very same ``ActionHandoff`` through Rasa's own
``RemoteAction`` (request format, event validation, replies through the NLG) with an action
endpoint that is rasa_sdk's executor in this process instead of an HTTP call.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.executor import ActionExecutor

from actions.handoff import ActionHandoff
from bot.handoff.escalation import HANDOFF_ACTION


class InProcessActionEndpoint(EndpointConfig):
    """An action endpoint answered by rasa_sdk's executor in this process (no HTTP)."""

    def __init__(self, executor: ActionExecutor) -> None:
        super().__init__(url="in-process://actions")
        self._executor = executor

    async def request(
        self,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        return await self._executor.run(kwargs["json"])


def handoff_endpoint() -> InProcessActionEndpoint:
    executor = ActionExecutor()
    executor.register_action(ActionHandoff)
    return InProcessActionEndpoint(executor)


async def hand_over_in_process(
    endpoint: InProcessActionEndpoint,
    tracker_before: DialogueStateTracker,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    domain: Domain,
) -> list[Event]:
    """The events ``action_handoff`` returns for the conversation as it stood when Rasa
    predicted it (``tracker_before``): its reply, the case slot, the pause."""
    action = RemoteAction(HANDOFF_ACTION, endpoint)
    return await action.run(output_channel, nlg, tracker_before, domain)
