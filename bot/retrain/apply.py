"""`bot inbox apply FILE`: labelled inbox items become training examples in data/nlu/.

Each example is appended to the ``examples: |`` block of the file where its intent already lives
(retrieval sub-intents ``faq/<topic>`` in faq.yml), by editing the text line by line so that
comments, blank lines and each file's own indentation survive. Nothing is added twice: a text
already in the training data (under any intent) or in the frozen held-out split is reported
instead. Unknown intents refuse the whole file, so a typo never half-applies a batch. After
writing, the data is loaded and validated again; if a check that passed before now fails, the
files are restored.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.retrain.inbox import SKIP, Labelled, read_labels
from bot.retrain.masking import ADDRESS, NAME, NUMBER, ORDER, PHONE, TRACKING
from bot.retrain.trainingdata import (
    DEFAULT_CONFIG,
    DEFAULT_DATA,
    DEFAULT_DOMAIN,
    DEFAULT_TEST_DATA,
    domain_intents,
    labelled_texts,
    nlu_dir,
    strip_markup,
    text_key,
    training_paths,
)

_INTENT_LINE = re.compile(r"^(\s*)-\s+intent:\s*[\"']?([^\"'#\s]+)[\"']?\s*(?:#.*)?$")
_EXAMPLES_LINE = re.compile(r"^(\s*)examples:\s*\|[-+]?\s*(?:#.*)?$")
_ADDRESSES = ("杭州市西湖区文三路88号", "上海市徐汇区漕溪北路100号", "北京市海淀区学院路30号")
_NAMES = ("张先生", "李女士", "王先生", "刘女士")


@dataclass(frozen=True)
class Block:
    path: Path
    intent: str
    last_line: int  # index of the block's last example line (insert after it)
    indent: str  # indentation of its "- example" lines
    size: int


@dataclass
class ApplyResult:
    added: list[tuple[str, str, Path]] = field(default_factory=list)  # intent, example, file
    already_present: list[Labelled] = field(default_factory=list)
    conflicts: list[tuple[Labelled, str]] = field(default_factory=list)  # item, existing intent
    held_out: list[Labelled] = field(default_factory=list)
    skipped: int = 0
    refused: list[tuple[Labelled, str]] = field(default_factory=list)  # item, why
    validation_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.validation_errors


def find_blocks(nlu: Path) -> dict[str, Block]:
    """intent -> the block holding most of its examples, over every YAML file in ``nlu``."""
    best: dict[str, Block] = {}
    for path in sorted(nlu.rglob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for block in _blocks_of(path, lines):
            if block.intent not in best or block.size > best[block.intent].size:
                best[block.intent] = block
    return best


def _blocks_of(path: Path, lines: list[str]) -> list[Block]:
    blocks = []
    for number, line in enumerate(lines):
        intent = _INTENT_LINE.match(line)
        if not intent:
            continue
        for k in range(number + 1, len(lines)):
            examples = _EXAMPLES_LINE.match(lines[k])
            if examples:
                blocks.append(_block_after(path, intent.group(2), lines, k, len(examples.group(1))))
                break
            if _INTENT_LINE.match(lines[k]):
                break
    return blocks


def _block_after(path: Path, intent: str, lines: list[str], start: int, key_indent: int) -> Block:
    last, size, indent = start, 0, " " * (key_indent + 2) + "- "
    for k in range(start + 1, len(lines)):
        stripped = lines[k].strip()
        if not stripped:
            continue
        if len(lines[k]) - len(lines[k].lstrip()) <= key_indent:
            break
        last = k
        if stripped.startswith("- "):
            size += 1
            indent = lines[k][: len(lines[k]) - len(stripped)] + "- "
    return Block(path, intent, last, indent, size)


def fill_placeholders(example: str) -> str:
    """Made-up values of the right shape for masked data, identifiers annotated as entities.

    Derived from the text, so applying the same file twice yields the same example.
    """
    digits = "".join(str(b % 10) for b in hashlib.sha256(example.encode("utf-8")).digest())
    pick = int(digits[:6])
    out = example.replace(ORDER, f"[2{digits[:17]}](order_id)")
    out = out.replace(TRACKING, f"[SF{digits[17:29]}](tracking_number)")
    out = out.replace(PHONE, f"[139{digits[:8]}](phone)")
    out = out.replace(NUMBER, digits[8:16])
    out = out.replace(ADDRESS, _ADDRESSES[pick % len(_ADDRESSES)])
    return out.replace(NAME, _NAMES[pick % len(_NAMES)])


def _why_unknown(label: str, blocks: dict[str, Block], declared: set[str]) -> str | None:
    base = label.split("/", 1)[0]
    if base not in declared:
        return f"unknown intent {label!r} (not in domain.yml)"
    if base == label and any(name.startswith(f"{label}/") for name in blocks):
        return f"{label!r} needs a topic: {label}/<topic>"
    if label not in blocks:
        return f"no training file holds {label!r} yet; add its block by hand first"
    return None


def _validation_problems(data: Path, domain: Path, config: Path) -> set[str]:
    """Problems the Rasa validator reports (as tests/unit/test_training_data.py checks them)."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.validator import Validator

    problems: set[str] = set()
    try:
        load_data(str(nlu_dir(data)))
        importer = TrainingDataImporter.load_from_config(
            config_path=str(config),
            domain_path=str(domain),
            training_data_paths=[str(p) for p in training_paths(data)],
        )
        validator = Validator.from_importer(importer)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if not validator.verify_intents_in_stories(ignore_warnings=False):
                problems.add("intents: the domain and the data disagree")
            if not validator.verify_example_repetition_in_intents(ignore_warnings=False):
                problems.add("an example is listed under two intents")
    except Exception as error:  # any loading error means the data is broken
        return {f"the data no longer loads: {error}"}
    return problems | {str(w.message) for w in caught}


def apply_labels(
    labels_file: Path,
    data: Path = DEFAULT_DATA,
    test_data: Path = DEFAULT_TEST_DATA,
    domain: Path = DEFAULT_DOMAIN,
    config: Path = DEFAULT_CONFIG,
    dry_run: bool = False,
) -> ApplyResult:
    result = ApplyResult()
    items = read_labels(labels_file)
    nlu = nlu_dir(data)
    blocks = find_blocks(nlu)
    declared = domain_intents(domain)
    for item in items:
        if item.label != SKIP:
            why = _why_unknown(item.label, blocks, declared)
            if why:
                result.refused.append((item, why))
    if result.refused:
        return result

    protected = [(data / "test").resolve(), test_data.resolve()]
    known = labelled_texts([nlu])
    held_out = set(labelled_texts([test_data]))
    additions: dict[Path, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.label == SKIP:
            result.skipped += 1
            continue
        example = " ".join(fill_placeholders(item.example).split())
        key = text_key(example)
        if key in held_out:
            result.held_out.append(item)
        elif key in known:
            if known[key] == item.label:
                result.already_present.append(item)
            else:
                result.conflicts.append((item, known[key]))
        elif not strip_markup(example).strip():
            result.refused.append((item, "empty example"))
        else:
            block = blocks[item.label]
            target = block.path.resolve()
            if any(target.is_relative_to(p) for p in protected):
                raise RuntimeError(f"refusing to write into the held-out split: {target}")
            known[key] = item.label
            additions[block.path][block.last_line].append(block.indent + example)
            result.added.append((item.label, example, block.path))
    if dry_run or not result.added:
        return result

    before = _validation_problems(data, domain, config)
    originals = {path: path.read_text(encoding="utf-8") for path in additions}
    for path, inserts in additions.items():
        _insert_lines(path, originals[path], inserts)
    new_problems = sorted(_validation_problems(data, domain, config) - before)
    if new_problems:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        result.validation_errors = new_problems
    return result


def _insert_lines(path: Path, original: str, inserts: dict[int, list[str]]) -> None:
    lines = original.splitlines()
    # bottom-up, so earlier insertion points keep their line numbers
    for after in sorted(inserts, reverse=True):
        lines[after + 1 : after + 1] = inserts[after]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
