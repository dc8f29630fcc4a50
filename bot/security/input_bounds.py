"""The caps every customer channel applies to what a client sends, before anything is stored.

One set of numbers for REST and socket.io, so no channel is the soft way in. A chat message is
a sentence or two (the NLU reads only the first 400 characters); the caps keep a client from
filling the tracker store, while leaving a real customer's longest message whole.
"""

from __future__ import annotations

import json
import re

MAX_MESSAGE_CHARS = 2_000
# Client metadata is checked against this and then not kept (bot.channels.identity).
MAX_METADATA_BYTES = 2_048
# REST senders are chosen by the client: letters, digits and . _ : @ - only, so that no sender
# can spell a signed-in conversation id (those contain "~", see bot.channels.identity).
SENDER = re.compile(r"[A-Za-z0-9._:@-]{1,128}")


class InputRejected(ValueError):
    """Input beyond a cap; `too_large` tells a size problem (413) from a shape problem (400)."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def checked_message(message: object) -> str:
    if not isinstance(message, str):
        raise InputRejected("'message' must be a string")
    if len(message) > MAX_MESSAGE_CHARS:
        raise InputRejected(f"'message' is longer than {MAX_MESSAGE_CHARS} characters", True)
    return message


def checked_sender(sender: object) -> str:
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        raise InputRejected(
            "'sender' is required: 1-128 letters, digits or . _ : @ - (one per conversation)"
        )
    return sender


def checked_metadata(metadata: object) -> None:
    """Metadata must be absent or a small JSON object."""
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise InputRejected("'metadata' must be a JSON object")
    try:
        size = len(json.dumps(metadata, ensure_ascii=False, default=str).encode())
    except (RecursionError, ValueError):  # nested deeper than anyone's real metadata
        raise InputRejected("'metadata' is nested too deeply", True) from None
    if size > MAX_METADATA_BYTES:
        raise InputRejected(f"'metadata' is larger than {MAX_METADATA_BYTES} bytes", True)
