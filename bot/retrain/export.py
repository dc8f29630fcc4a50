"""`bot logs export`: the customers' turns from Rasa's SQL tracker store, as JSONL.

Rasa 3.6's SQLTrackerStore keeps one row per event in the table ``events`` (sender_id,
type_name, timestamp, intent_name, action_name, data = the event as JSON). A *turn* is one user
event with what the NLU made of it (intent, confidence, retrieval sub-intent, entities, emotion)
and what the assistant did next, up to the customer's next message:

* ``handoff``  - ``action_handoff`` ran: a person took over;
* ``fallback`` - the intent was ``nlu_fallback`` or a fallback action ran;
* ``answered`` - anything else.

Personal data is masked by default (:mod:`bot.retrain.masking`), including the conversation id,
which is replaced by a keyed HMAC (``EXPORT_HMAC_KEY``, else a key kept in `.export_hmac_key`):
stable, so turns of one conversation still group together, and keyed, so nobody holding an
export can confirm a guessed id (REST ids are the client's sender, e.g. an account name).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.retrain.masking import NAME, NUMBER, ORDER, PHONE, TRACKING, Masker
from bot.settings import EXPORT_KEY_FILE_NAME, REPO_ROOT, get_settings, kept_secret

ANSWERED, FALLBACK, HANDOFF = "answered", "fallback", "handoff"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_rephrase_or_offer_human", "action_default_fallback"})
HANDOFF_ACTION = "action_handoff"
# Bookkeeping actions that say nothing about how the turn went.
SILENT_ACTIONS = frozenset({"action_listen", "action_session_start"})
# Entities whose value is the identifier itself: masked by type, not by pattern.
MASKED_ENTITIES = {
    "order_id": ORDER,
    "tracking_number": TRACKING,
    "phone": PHONE,
    "phone_tail": NUMBER,
    "name": NAME,
}
RANKING_KEPT = 3


@dataclass
class Turn:
    sender: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float
    full_intent: str | None = None  # e.g. faq/invoice when the response selector answered
    ranking: list[tuple[str, float]] = field(default_factory=list)  # best non-fallback intents
    entities: list[dict[str, str]] = field(default_factory=list)  # {entity, value}
    emotion: dict[str, Any] | None = None  # {name, confidence}
    outcome: str = ANSWERED
    actions: list[str] = field(default_factory=list)
    masked: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Turn:
        data = dict(raw)
        data["ranking"] = [(str(n), float(c)) for n, c in data.get("ranking") or []]
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def sender_alias(sender_id: str) -> str:
    """A stable stand-in for a conversation id (which may embed a customer's account)."""
    key = get_settings().export_hmac_key or kept_secret(REPO_ROOT / EXPORT_KEY_FILE_NAME)
    digest = hmac.new(key.encode(), sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "c-" + digest[:16]


def _outcome(intent: str | None, actions: Iterable[str]) -> str:
    done = set(actions)
    if HANDOFF_ACTION in done:
        return HANDOFF
    if intent == FALLBACK_INTENT or done & FALLBACK_ACTIONS:
        return FALLBACK
    return ANSWERED


def _full_intent(parse: Mapping[str, Any], intent: str | None) -> str | None:
    selector = (parse.get("response_selector") or {}).get(intent or "") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return str(key) if key else intent


def _ranking(parse: Mapping[str, Any]) -> list[tuple[str, float]]:
    ranked = [
        (str(r.get("name")), round(float(r.get("confidence") or 0.0), 4))
        for r in parse.get("intent_ranking") or []
        if r.get("name") and r.get("name") != FALLBACK_INTENT
    ]
    return ranked[:RANKING_KEPT]


def _emotion(parse: Mapping[str, Any]) -> dict[str, Any] | None:
    emotion = parse.get("emotion")
    if not isinstance(emotion, Mapping) or not emotion.get("name"):
        return None
    return {"name": emotion["name"], "confidence": round(float(emotion.get("confidence") or 0), 4)}


def _entities(parse: Mapping[str, Any], mask: Callable[[str], str] | None) -> list[dict[str, str]]:
    out = []
    for entity in parse.get("entities") or []:
        kind, value = str(entity.get("entity")), str(entity.get("value"))
        if mask is not None:
            value = MASKED_ENTITIES.get(kind) or mask(value)
        out.append({"entity": kind, "value": value})
    return out


def turns_of_conversation(
    sender_id: str,
    events: Iterable[Mapping[str, Any]],
    mask: Callable[[str], str] | None = None,
) -> list[Turn]:
    """The user turns of one conversation (events as Rasa serialises them, in order).

    ``mask`` is applied to the text and entity values; None keeps them as they are.
    """
    turns: list[Turn] = []
    sender = sender_alias(sender_id) if mask is not None else sender_id
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent_data = parse.get("intent") or {}
            intent = intent_data.get("name")
            raw = str(event.get("text") or "")
            turns.append(
                Turn(
                    sender=sender,
                    timestamp=float(event.get("timestamp") or 0.0),
                    text=mask(raw) if mask is not None else raw,
                    intent=intent,
                    confidence=round(float(intent_data.get("confidence") or 0.0), 4),
                    full_intent=_full_intent(parse, intent),
                    ranking=_ranking(parse),
                    entities=_entities(parse, mask),
                    emotion=_emotion(parse),
                    masked=mask is not None,
                )
            )
        elif kind == "action" and turns:
            name = str(event.get("name") or "")
            if name and name not in SILENT_ACTIONS:
                turns[-1].actions.append(name)
    for turn in turns:
        turn.outcome = _outcome(turn.intent, turn.actions)
    return turns


# --- reading the tracker store -------------------------------------------------------------


def known_names(connection: Connection) -> set[str]:
    """The people the shop knows by name: customers and every recipient on file."""
    from bot.db.models import Address, Customer, Order

    names: set[str] = set()
    tables = set(inspect(connection).get_table_names())
    for column in (Customer.name, Address.recipient, Order.ship_recipient):
        if column.class_.__tablename__ in tables:
            names.update(n for n in connection.execute(select(column).distinct()).scalars() if n)
    return names


def masker_for(connection: Connection) -> Masker:
    return Masker.of(known_names(connection))


# Conversations no customer had: the demo's made-up service history (bot/demo/history.py) keeps
# its conversations under this prefix. Exporting them would feed the labelling inbox and the
# next training with parse results the seed invented.
SYNTHETIC_SENDER_PREFIX = "demo-history-"


def has_tracker_store(connection: Connection) -> bool:
    return "events" in inspect(connection).get_table_names()


def read_turns(
    connection: Connection,
    mask: Callable[[str], str] | None,
    since: datetime | None = None,
    progress: bool = True,
) -> Iterator[Turn]:
    """Every conversation's turns, conversation by conversation, oldest event first."""
    from tqdm import tqdm

    if not has_tracker_store(connection):
        return
    conditions = ["sender_id NOT LIKE :synthetic"]
    params: dict[str, Any] = {"synthetic": SYNTHETIC_SENDER_PREFIX + "%"}
    if since is not None:
        conditions.append("timestamp >= :since")
        params["since"] = since.timestamp()
    where = "WHERE " + " AND ".join(conditions)
    total = connection.execute(text(f"SELECT COUNT(*) FROM events {where}"), params).scalar_one()
    rows = connection.execution_options(stream_results=True).execute(
        text(f"SELECT sender_id, data FROM events {where} ORDER BY sender_id, id"), params
    )
    current: str | None = None
    events: list[dict[str, Any]] = []
    with tqdm(total=total, desc="export", unit="event", disable=not progress) as bar:
        for sender_id, data in rows:
            bar.update()
            if sender_id != current:
                if current is not None:
                    yield from turns_of_conversation(current, events, mask)
                current, events = sender_id, []
            try:
                events.append(json.loads(data))
            except (TypeError, ValueError):
                continue  # a corrupt row must not stop the export
        if current is not None:
            yield from turns_of_conversation(current, events, mask)


def export_turns(
    database_url: str,
    out: Path,
    mask: bool = True,
    since: datetime | None = None,
    progress: bool = True,
) -> int:
    """Writes the turns as JSONL to ``out``; returns how many were written."""
    from bot.db.session import make_engine

    engine = make_engine(database_url)
    count = 0
    try:
        with engine.connect() as connection:
            masker = masker_for(connection) if mask else None
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as handle:
                for turn in read_turns(connection, masker, since, progress):
                    handle.write(turn.to_json() + "\n")
                    count += 1
    except SQLAlchemyError as error:
        raise ExportError(f"cannot read the tracker store: {error}") from error
    finally:
        engine.dispose()
    return count


def load_turns(path: Path) -> list[Turn]:
    with path.open(encoding="utf-8") as handle:
        return [Turn.from_dict(json.loads(line)) for line in handle if line.strip()]


class ExportError(RuntimeError):
    pass
