"""The intents an agent may correct a customer message to: the domain's and the faq topics."""

from __future__ import annotations

import asyncio
import functools
import re

from bot.settings import REPO_ROOT

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
