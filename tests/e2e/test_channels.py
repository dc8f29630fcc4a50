"""The real assistant over its REST channel: answers, bad input, and privacy."""

from __future__ import annotations

import pytest
import requests

from bot.security.input_bounds import MAX_MESSAGE_CHARS
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model


def _texts(replies: list[dict]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def test_greeting_is_answered_in_chinese(assistant: Assistant) -> None:
    replies = assistant.say("e2e-greet", "你好")
    assert "您好" in _texts(replies) or "欢迎" in _texts(replies)


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "😀😀😀", "我要退货" * (MAX_MESSAGE_CHARS // 4)],
    ids=["empty", "whitespace", "emoji-only", "longest-allowed"],
)
def test_odd_messages_get_a_reply_not_an_error(assistant: Assistant, text: str) -> None:
    replies = assistant.say(f"e2e-odd-{len(text)}-{text.encode().hex()[:8]}", text)
    assert replies, "the customer must always get an answer"
    assert all(r.get("text") for r in replies)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"sender": "x"}', b'"just a string"', b"[]"],
    ids=["broken-json", "no-message", "string", "list"],
)
def test_malformed_requests_get_a_client_error(assistant: Assistant, body: bytes) -> None:
    response = requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert 400 <= response.status_code < 500


def test_http_api_needs_the_token(assistant: Assistant) -> None:
    response = requests.get(f"{assistant.url}/conversations/anyone/tracker", timeout=30)
    assert response.status_code in (401, 403)
