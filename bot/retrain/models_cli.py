"""`bot model list | live | rollback`: the registry from the command line."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from bot.retrain.registry import ADOPTED, ROLLBACK, ModelEntry, Registry, RegistryError
from bot.timeutil import BEIJING


def _f(value: float | None) -> str:
    return "     —" if value is None else f"{value:6.3f}"


def list_models(models_dir: Path) -> int:
    try:
        registry = Registry.load(models_dir)
    except RegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    files = {registry.name_of(p): p for p in registry.model_files()}
    names = sorted(set(files) | set(registry.entries), key=lambda n: (_created(registry, n), n))
    if not names:
        print(f"no models in {models_dir}")
        return 0
    print(f"  {'model':<48} {'status':<12} {'macroF1':>7} {'acc':>6} {'faq':>6}  created")
    for name in names:
        entry = registry.entries.get(name)
        scores = entry.scores if entry else None
        marker = "*" if name == registry.live else " "
        status = entry.status if entry else "unregistered"
        if name not in files:
            status += " (file missing)"
        print(
            f"{marker} {name:<48} {status:<12} {_f(scores.macro_f1 if scores else None):>7}"
            f" {_f(scores.accuracy if scores else None)}"
            f" {_f(scores.faq_accuracy if scores else None)}  {_created(registry, name)}"
        )
    print("\n* live" if registry.live else "\nno live model recorded (bot retrain records one)")
    return 0


def _created(registry: Registry, name: str) -> str:
    entry = registry.entries.get(name)
    if entry and entry.created:
        return entry.created
    path = registry.path_of(name)
    if not path.exists():
        return ""
    modified = datetime.fromtimestamp(path.stat().st_mtime, BEIJING)
    return modified.replace(tzinfo=None).isoformat(timespec="seconds")


def print_live(models_dir: Path) -> int:
    """The live model's path; exit 1 when none is recorded, so scripts can fall back."""
    try:
        registry = Registry.load(models_dir)
    except RegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    path = registry.live_path()
    if path is None:
        print(f"no live model recorded in {registry.path}", file=sys.stderr)
        return 1
    if not path.exists():
        print(f"error: the live model {path} is missing", file=sys.stderr)
        return 1
    print(path.resolve())
    return 0


def rollback(models_dir: Path, name: str | None, load: bool, rasa_url: str | None) -> int:
    from bot.retrain.retrain import RetrainOptions, activate, now_text

    try:
        registry = Registry.load(models_dir)
        target = _target(registry, name)
        if target == registry.live:
            print(f"{target} is already live")
            return 0
        before = registry.live
        options = RetrainOptions(models=models_dir, load=load, rasa_url=rasa_url)
        server = activate(registry, target, ROLLBACK, options)
    except RegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"live model: {target} (was {before or 'none'}) at {now_text()}")
    if server is not None:
        print(f"server: {server.message}")
        return 0 if server.loaded or not server.running else 1
    return 0


def _target(registry: Registry, name: str | None) -> str:
    if name is None:
        previous = registry.previous_live()
        if previous is None:
            raise RegistryError("no earlier live model to roll back to; name one")
        return previous
    try:
        return registry.resolve(name)
    except RegistryError:
        # an older model file nobody registered yet (e.g. trained by `make train`)
        for candidate in (registry.path_of(name), registry.path_of(f"{name}.tar.gz")):
            if candidate.is_file():
                found = registry.name_of(candidate)
                created = _created(registry, found)
                registry.record(ModelEntry(name=found, created=created, status=ADOPTED))
                return found
        raise
