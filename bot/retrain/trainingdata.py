"""What the training data already says: labelled texts, their intents, the domain's intents.

Shared by the inbox (what not to ask about again) and by ``inbox apply`` (what not to add
twice, and where each intent lives). Paths follow the repository layout: ``<data>/nlu/*.yml``
for training examples, and the frozen held-out split in ``data/test/nlu/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.nlu.text import normalise
from bot.settings import REPO_ROOT

DEFAULT_DATA = REPO_ROOT / "data"
DEFAULT_TEST_DATA = REPO_ROOT / "data" / "test" / "nlu"
DEFAULT_DOMAIN = REPO_ROOT / "domain.yml"
DEFAULT_CONFIG = REPO_ROOT / "config.yml"
FALLBACK_INTENT = "nlu_fallback"

# Punctuation at the end does not make a new example: 运费怎么算 == 运费怎么算？
_TRAILING = re.compile(r"[\s。．.，,！!？?~～…]+$")
# Rasa's inline entity markup: [text](entity), [text]{"entity": ...}, [text](entity:value).
_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def strip_markup(example: str) -> str:
    return _MARKUP.sub(r"\1", example)


def text_key(text: str) -> str:
    """The identity of a message for de-duplication: normalised, without trailing punctuation."""
    return _TRAILING.sub("", normalise(strip_markup(text)).text).lower()


def labelled_texts(nlu_paths: Iterable[Path]) -> dict[str, str]:
    """text key -> full intent (faq/<topic> for retrieval intents) of every training example."""
    from rasa.shared.nlu.training_data.loading import load_data

    labelled: dict[str, str] = {}
    for path in nlu_paths:
        if not path.exists():
            continue
        for message in load_data(str(path)).intent_examples:
            labelled.setdefault(text_key(message.get("text")), message.get_full_intent())
    return labelled


def nlu_dir(data: Path) -> Path:
    return data / "nlu"


def domain_intents(domain_path: Path) -> set[str]:
    """Intents the domain declares (entries may be plain names or one-key mappings)."""
    loaded = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    names: set[str] = set()
    for entry in loaded.get("intents") or []:
        names.update(entry if isinstance(entry, dict) else [entry])
    names.discard(FALLBACK_INTENT)
    return {str(n) for n in names}


def training_paths(data: Path) -> list[Path]:
    """What `rasa train --data` gets: everything under ``data`` except the held-out split.

    Rasa collects NLU files recursively, so passing ``data/`` itself would train on
    ``data/test/`` too.
    """
    return sorted(p for p in data.iterdir() if p.name != "test" and not p.name.startswith("."))
