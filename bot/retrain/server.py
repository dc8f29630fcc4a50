"""Swapping the model of a running Rasa server through its HTTP API (no restart, no downtime).

``PUT /model {"model_file": ...}`` makes the server load the file and switch to it once loaded;
conversations keep running on the old model meanwhile, and the tracker store and the action
endpoint stay as configured at start-up. The file must be readable by the server, so it is
given as an absolute path on the same machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

LOAD_TIMEOUT_SECONDS = 600  # a full model loads in well under a minute; be generous
STATUS_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class LoadResult:
    loaded: bool
    running: bool  # False: nothing answered at the URL
    message: str


def _settings(rasa_url: str | None, token: str | None) -> tuple[str, str]:
    from bot.settings import get_settings

    settings = get_settings()
    return (rasa_url or settings.rasa_url).rstrip("/"), token or settings.rasa_token


def serving_model(rasa_url: str | None = None, token: str | None = None) -> str | None:
    """The model file the server reports it is running, or None if it cannot be asked."""
    url, secret = _settings(rasa_url, token)
    try:
        response = requests.get(
            f"{url}/status", params={"token": secret}, timeout=STATUS_TIMEOUT_SECONDS
        )
        response.raise_for_status()
        return str(response.json().get("model_file") or "") or None
    except (requests.RequestException, ValueError):
        return None


def load_model(
    model: Path,
    rasa_url: str | None = None,
    token: str | None = None,
    timeout: float = LOAD_TIMEOUT_SECONDS,
) -> LoadResult:
    url, secret = _settings(rasa_url, token)
    try:
        response = requests.put(
            f"{url}/model",
            params={"token": secret},
            json={"model_file": str(model.resolve())},
            timeout=timeout,
        )
    except requests.ConnectionError:
        return LoadResult(
            False, False, f"no Rasa server at {url}; it will start the live model next time"
        )
    except requests.RequestException as error:
        return LoadResult(False, True, f"the server at {url} did not load the model: {error}")
    if response.status_code in (401, 403):
        return LoadResult(False, True, f"{url} refused the token (set RASA_TOKEN)")
    if response.status_code >= 400:
        detail = response.text[:300]
        return LoadResult(False, True, f"{url} answered {response.status_code}: {detail}")
    return LoadResult(True, True, f"{url} now serves {model.name}")
