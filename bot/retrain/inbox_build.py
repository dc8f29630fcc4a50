"""Gathers what `bot inbox` ranks: turns, agent corrections, and the training vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.retrain.export import Turn, load_turns, masker_for, read_turns, sender_alias
from bot.retrain.inbox import build_queue, render, tokens, vocabulary
from bot.retrain.trainingdata import labelled_texts, nlu_dir


@dataclass(frozen=True)
class InboxSummary:
    out: Path
    items: int
    turns: int
    corrections: int
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [
            f"wrote {self.items} items to {self.out} (from {self.turns} turns and "
            f"{self.corrections} agent corrections)",
            *[f"warning: {w}" for w in self.warnings],
        ]
        if self.items:
            lines.append(f"label them, then run: bot inbox apply {self.out}")
        return "\n".join(lines)


def correction_turns(connection: Connection, mask: Callable[[str], str]) -> list[tuple[Turn, str]]:
    """Agent corrections as (masked turn, corrected intent); none if the table is missing."""
    from sqlalchemy.orm import Session

    from bot.db.models_retrain import IntentCorrection
    from bot.retrain.corrections import corrections

    if IntentCorrection.__tablename__ not in inspect(connection).get_table_names():
        return []
    with Session(bind=connection) as session:
        return [
            (
                Turn(
                    sender=sender_alias(c.sender_id),
                    timestamp=float(c.message_timestamp),
                    text=mask(c.text),
                    intent=c.predicted_intent,
                    confidence=1.0,  # the bot's confidence is not kept with the correction
                    full_intent=c.predicted_intent,
                ),
                str(c.corrected_intent),
            )
            for c in corrections(session)
        ]


def build_inbox(
    database_url: str,
    turn_files: Sequence[Path] | None,
    data: Path,
    test_data: Path,
    out: Path,
    limit: int | None = 200,
    progress: bool = True,
) -> InboxSummary:
    """Writes the labelling file ``out`` from exported turns (or the tracker store itself)."""
    from bot.db.session import make_engine
    from bot.timeutil import beijing_now

    warnings: list[str] = []
    turns: list[Turn] = []
    corrected: list[tuple[Turn, str]] = []
    for path in turn_files or []:
        turns += load_turns(path)
    if any(not t.masked for t in turns):
        warnings.append("some exported turns are not masked; the labelling file shows them as is")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            masker = masker_for(connection)
            if not turn_files:
                turns = list(read_turns(connection, masker, progress=progress))
            corrected = correction_turns(connection, masker)
    except SQLAlchemyError as error:
        if not turn_files:
            raise
        warnings.append(f"agent corrections not read (database unavailable: {error})")
    finally:
        engine.dispose()

    labelled = labelled_texts([nlu_dir(data)])
    held_out = set(labelled_texts([test_data]))
    dictionary = data / "dictionaries"
    vocab = vocabulary(labelled, dictionary)
    items = build_queue(
        turns, corrected, vocab, labelled, held_out,
        tokenize=lambda text: tokens(text, dictionary), limit=limit,
    )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    source = "the tracker store" if not turn_files else ", ".join(str(p) for p in turn_files)
    out.write_text(render(items, beijing_now(), source), encoding="utf-8")
    return InboxSummary(out, len(items), len(turns), len(corrected), tuple(warnings))
