"""The training data, domain and frozen test split are consistent and complete."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.validator import Validator

from bot.nlu.dictionary import DICTIONARY_PATH, build_dictionary
from bot.settings import REPO_ROOT

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "request_human",
    "track_order", "urge_shipment", "cancel_order", "modify_address", "request_return",
    "request_exchange", "request_refund", "refund_status", "ask_product", "ask_recommendation",
    "faq", "complaint", "inform", "out_of_scope",
}  # fmt: skip
MIN_EXAMPLES = 30


@pytest.fixture(scope="module")
def training() -> TrainingData:
    return load_data(str(REPO_ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def held_out() -> TrainingData:
    return load_data(str(REPO_ROOT / "data" / "test" / "nlu"))


def test_every_contract_intent_has_enough_varied_examples(training: TrainingData) -> None:
    counts: dict[str, int] = {}
    for message in training.intent_examples:
        counts[message.get("intent")] = counts.get(message.get("intent"), 0) + 1
    short = {i: counts.get(i, 0) for i in CONTRACT_INTENTS if counts.get(i, 0) < MIN_EXAMPLES}
    assert not short, f"intents below {MIN_EXAMPLES} examples: {short}"


def test_held_out_split_covers_every_intent_and_is_never_trained_on(
    training: TrainingData, held_out: TrainingData
) -> None:
    assert {m.get("intent") for m in held_out.intent_examples} >= CONTRACT_INTENTS
    trained = {m.get("text") for m in training.intent_examples}
    leaked = [m.get("text") for m in held_out.intent_examples if m.get("text") in trained]
    assert not leaked


def test_domain_lists_every_contract_intent() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    assert set(domain.intents) >= CONTRACT_INTENTS


def test_jieba_dictionary_is_generated_from_the_current_catalogue() -> None:
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == build_dictionary(), (
        "data/dictionaries/userdict.txt is stale: run `bot nlu-dict`"
    )


def _responses_used_by_code() -> set[str]:
    """Responses that custom actions send, and form questions (utter_ask_<slot>)."""
    used: set[str] = set()
    for path in Path(REPO_ROOT / "actions").rglob("*.py"):
        used |= set(re.findall(r"\"(utter_[a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    return used


def test_rasa_data_validation_passes_without_unexplained_warnings() -> None:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        config_path=str(REPO_ROOT / "config.yml"),
        domain_path=str(REPO_ROOT / "domain.yml"),
        training_data_paths=[str(REPO_ROOT / "data")],
    )
    validator = Validator.from_importer(importer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [
            validator.verify_domain_validity(),
            validator.verify_intents_in_stories(ignore_warnings=False),
            validator.verify_example_repetition_in_intents(ignore_warnings=False),
            validator.verify_story_structure(ignore_warnings=False),
            validator.verify_forms_in_stories_rules(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
        ]
        validator.verify_utterances_in_stories(ignore_warnings=True)
    assert all(results), [str(w.message) for w in caught]
    # utter_default is what Rasa's own action_default_fallback sends.
    allowed = (
        _responses_used_by_code()
        | {f"utter_ask_{s.name}" for s in validator.domain.slots}
        | {"utter_default"}
    )
    unexplained = []
    for w in caught:
        match = re.search(r"The utterance '(utter_[^']+)' is not used", str(w.message))
        if match and match.group(1) not in allowed:
            unexplained.append(match.group(1))
    assert not unexplained, f"responses nobody sends: {unexplained}"


def test_every_response_an_action_sends_exists_in_the_domain() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    missing = sorted(_responses_used_by_code() - set(domain.responses))
    assert not missing, f"actions send responses the domain does not define: {missing}"


def test_rasa_train_never_reads_the_held_out_split(held_out: TrainingData) -> None:
    """`rasa train` reads data/, which contains data/test/: the configured importer skips it."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        config_path=str(REPO_ROOT / "config.yml"),
        domain_path=str(REPO_ROOT / "domain.yml"),
        training_data_paths=[str(REPO_ROOT / "data")],
    )
    trained = {m.get("text") for m in importer.get_nlu_data("zh").intent_examples}
    assert trained, "the importer found no training data"
    assert not trained & {m.get("text") for m in held_out.intent_examples}


def test_the_action_server_registers_exactly_the_domains_custom_actions() -> None:
    """What `rasa run actions` loads: no base class slips in, no domain action is missing."""
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    custom = {a for a in domain.user_actions if not a.startswith("utter_")}
    assert set(executor.actions) == custom
