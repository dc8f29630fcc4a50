"""The whole hand-over, in two real browsers against the real assistant.

A customer on the chat page asks for a person; an agent logs into the console, claims the chat,
and the two talk through the same rasa-webchat widget; the agent resolves, the bot comes back,
asks for a rating (stored) and answers an ordinary question again. The Rasa server and the
action server are the ones `make run` starts (tests/live_assistant.py), with the project's
credentials.yml, so this needs a trained model and the console channel listed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.db.models_handoff import HandoffCase
from bot.db.session import session_scope
from bot.services.customers.directory import demo_customers
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Each run writes its shot under results/ (git-ignored); the README's copy in docs/screenshots/
# is refreshed by hand, so a test run never dirties the checkout.
SCREENSHOT = REPO_ROOT / "results" / "screenshots" / "console.png"
BOT_BUBBLE = "#webchat .rw-message:not(.rw-typing-indication) .rw-response"
WIDGET_INPUT = "#webchat .rw-new-message"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser(assistant: Assistant) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    console = requests.get(f"{assistant.url}/webhooks/agent/", timeout=30)
    if console.status_code != 200:
        pytest.fail("the agent console is not mounted: credentials.yml needs a line "
                    "`bot.handoff.console.channel.AgentConsoleInput:`")  # fmt: skip
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any, errors: list[str]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def bot_says(page: Any, text: str, after: int = 0) -> str:
    """The text of the first bot bubble after the first ``after`` ones that contains ``text``."""
    page.wait_for_function(
        """([sel, after, text]) => Array.from(document.querySelectorAll(sel)).slice(after)
             .some((node) => node.innerText.includes(text))""",
        arg=[BOT_BUBBLE, after, text],
    )
    bubbles = page.locator(BOT_BUBBLE).all_inner_texts()[after:]
    return str(next(b for b in bubbles if text in b))


def bot_bubbles(page: Any) -> int:
    return int(page.locator(BOT_BUBBLE).count())


def customer_types(page: Any, text: str) -> None:
    page.locator(WIDGET_INPUT).fill(text)
    page.locator(WIDGET_INPUT).press("Enter")


def latest_case(database_url: str, customer_id: int) -> HandoffCase:
    with session_scope(database_url) as session:
        found = (
            session.query(HandoffCase)
            .filter_by(customer_id=customer_id)
            .order_by(HandoffCase.id.desc())
            .first()
        )
        assert found is not None, "no handoff case was opened"
        return found


def test_customer_and_agent_talk_then_the_bot_takes_over_again(
    assistant: Assistant, browser: Any
) -> None:
    with session_scope(assistant.database_url) as session:
        customer = demo_customers(session, limit=1)[0]
    errors: list[str] = []

    # ---- the customer asks for a person
    shop = new_page(browser, errors)
    shop.goto(f"{assistant.url}/webhooks/chat/?customer={customer.customer_id}")
    shop.locator(BOT_BUBBLE).first.wait_for()
    customer_types(shop, "转人工")
    handoff_text = bot_says(shop, "人工客服")
    assert "排在第" in handoff_text or "留言" in handoff_text, handoff_text
    case = latest_case(assistant.database_url, customer.customer_id)
    assert case.status == "waiting"
    customer_types(shop, "我的退款一直没到账")

    # ---- the agent sees the case in the queue and claims it
    desk = new_page(browser, errors)
    desk.goto(f"{assistant.url}/webhooks/agent/")
    desk.fill("#login-username", "agent01")
    desk.fill("#login-password", "kefu-demo-1")
    desk.click("#login-submit")
    item = desk.locator(f'#queue-list [data-case-id="{case.id}"]')
    item.wait_for()
    assert customer.name in item.inner_text()
    item.click()
    transcript = desk.locator("#transcript")
    transcript.locator(".msg--customer", has_text="转人工").first.wait_for()
    # What the customer wrote while waiting is there for whoever claims.
    transcript.locator(".msg--customer", has_text="我的退款一直没到账").wait_for()
    desk.click("#claim-btn")
    desk.locator('#case-card[data-status="active"]').wait_for()
    assert desk.locator("#message-input").is_enabled()
    assert desk.locator("#suggestions .chip").count() >= 2

    # ---- live chat, both ways
    reply = "您好，我是人工客服小王，马上帮您查退款进度。"
    desk.fill("#message-input", reply)
    desk.press("#message-input", "Enter")
    transcript.locator(".msg--agent", has_text=reply).wait_for()
    assert bot_says(shop, "马上帮您查退款进度").strip() == f"人工客服小王：{reply}"
    customer_types(shop, "好的谢谢，我等您消息")
    transcript.locator(".msg--customer", has_text="好的谢谢，我等您消息").wait_for()
    desk.locator("#toast").wait_for(state="hidden")  # a clean shot for the README
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENSHOT))

    # ---- resolve: the bot is back, asks for a rating, and answers again
    desk.click("#resolve-btn")
    desk.click("#resolve-btn")  # the second click confirms
    desk.locator('#case-card[data-status="resolved"]').wait_for()
    bot_says(shop, "打个分")
    before = bot_bubbles(shop)
    shop.locator("#webchat .rw-reply", has_text="5 分").click()
    bot_says(shop, "感谢", after=before)
    assert latest_case(assistant.database_url, customer.customer_id).rating == 5
    before = bot_bubbles(shop)
    customer_types(shop, "满多少包邮")
    assert "99" in bot_says(shop, "包邮", after=before)

    tracker = assistant.tracker(case.sender_id)
    kinds = [e["event"] for e in tracker["events"]]
    assert "pause" in kinds and "resume" in kinds
    assert tracker["latest_message"]["text"] == "满多少包邮"
    assert errors == []
