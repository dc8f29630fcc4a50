"""The console's live updates and comforts, in real browsers against the real assistant.

A customer on the chat page asks for a person while an agent and a supervisor have the console
open. The new chat and the customer's next message reach both consoles by socket.io push: both
show up before the console's first fallback poll (15 s after login) could have fetched them.
The supervisor sees an unread count that clears when the chat is opened, finds the case by
search and edits a canned reply; the agent claims the chat and sends that reply, which the
customer's widget shows.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.db.session import session_scope
from bot.services.customers.directory import demo_customers
from tests.e2e.test_handoff import (
    BOT_BUBBLE,
    bot_says,
    browser,  # noqa: F401 - the module's browser fixture, shared
    customer_types,
    latest_case,
    new_page,
)
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO_ROOT / "results" / "screenshots" / "console-live.png"
# console.js: the fallback poll runs every 15 s from login; news seen before then was pushed.
FALLBACK_POLL_SECONDS = 15.0
# The page stands for an agent whose console tab is in the background: what the browser would
# show as desktop notifications is recorded instead.
BACKGROUND_TAB = """
window.__notifications = [];
function RecordedNotification(title, options) {
  window.__notifications.push({ title: title, body: (options || {}).body });
  this.close = function () {};
}
RecordedNotification.permission = "granted";
RecordedNotification.requestPermission = function () { return Promise.resolve("granted"); };
window.Notification = RecordedNotification;
Document.prototype.hasFocus = function () { return false; };
"""


def console(
    chromium: Any, url: str, errors: list[str], username: str, password: str
) -> tuple[Any, float]:
    """A console page signed in as `username`; the moment the login was sent."""
    page = new_page(chromium, errors)
    page.add_init_script(BACKGROUND_TAB)
    page.goto(f"{url}/webhooks/agent/")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    signed_in_at = time.monotonic()
    page.click("#login-submit")
    page.locator("#live-status:not(.is-offline)").wait_for()
    return page, signed_in_at


def test_news_is_pushed_unread_counts_search_and_canned_replies(
    assistant: Assistant,
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    with session_scope(assistant.database_url) as session:
        customer = demo_customers(session, limit=5)[4]
    errors: list[str] = []

    # ---- the customer is chatting with the bot; the desk is open
    shop = new_page(browser, errors)
    shop.goto(f"{assistant.url}/webhooks/chat/?customer={customer.customer_id}")
    shop.locator(BOT_BUBBLE).first.wait_for()
    desk, signed_in_at = console(browser, assistant.url, errors, "agent01", "kefu-demo-1")
    lead, _ = console(browser, assistant.url, errors, "lead01", "kefu-lead-1")

    # ---- a new queued chat is pushed to the desk, with a sound and a desktop notification
    customer_types(shop, "转人工")
    bot_says(shop, "人工客服")
    case = latest_case(assistant.database_url, customer.customer_id)
    item = desk.locator(f'#queue-list [data-case-id="{case.id}"]')
    item.wait_for()
    assert time.monotonic() - signed_in_at < FALLBACK_POLL_SECONDS
    notes = desk.evaluate("window.__notifications")
    assert {"title": "新顾客排队", "body": f"会话 #{case.id} 正在等待人工客服"} in notes

    # ---- the customer's next message reaches the open case card by push as well
    item.click()
    desk.locator(f'#case-card[data-case-id="{case.id}"]').wait_for()
    customer_types(shop, "我的快递三天没动了")
    transcript = desk.locator("#transcript")
    transcript.locator(".msg--customer", has_text="我的快递三天没动了").wait_for()
    assert time.monotonic() - signed_in_at < FALLBACK_POLL_SECONDS

    # ---- the supervisor, who has not opened it, sees it unread; opening it clears the count
    unread = lead.locator(f'#queue-list [data-unread-for="{case.id}"]')
    unread.wait_for()
    assert unread.inner_text() == "1"
    lead.locator(f'#queue-list [data-case-id="{case.id}"]').click()
    lead.locator(f'#case-card[data-case-id="{case.id}"]').wait_for()
    lead.locator(f'#queue-list [data-case-id="{case.id}"]').wait_for()
    assert lead.locator(f'[data-unread-for="{case.id}"]').count() == 0

    # ---- search finds the case by customer and by what was said
    for query in (customer.name, "三天没动"):
        lead.fill("#search-input", query)
        lead.press("#search-input", "Enter")
        lead.locator(f'#search-list [data-case-id="{case.id}"]').wait_for()

    # ---- the supervisor edits a canned reply; the agent inserts it and sends it
    canned_text = "您好，快递的事小优这边已经催了快递公司，今天之内给您回复，请您放心。"
    lead.click("#tab-canned")
    first = lead.locator(".canned-item").first
    first.locator(".canned-edit__text").fill(canned_text)
    title = first.locator(".canned-edit__title").input_value()
    first.locator("button[type=submit]").click()
    lead.locator("#toast", has_text=f"已保存「{title}」").wait_for()

    desk.click("#claim-btn")
    desk.locator('#case-card[data-status="active"]').wait_for()

    # ---- the agent's typing note reaches the customer's page (the customer's note to the
    # console is checked at the socket level in tests/integration/test_console_comforts.py)
    desk.locator("#message-input").type("好")
    shop.locator("#agent-typing", has_text="人工客服小王正在输入…").wait_for()
    desk.select_option("#canned-select", label=title)
    assert desk.locator("#message-input").input_value() == canned_text
    desk.press("#message-input", "Enter")
    transcript.locator(".msg--agent", has_text=canned_text).wait_for()
    assert bot_says(shop, "今天之内给您回复").endswith(canned_text)

    desk.locator("#toast").wait_for(state="hidden")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENSHOT))
    assert errors == []
