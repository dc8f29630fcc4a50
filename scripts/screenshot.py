"""Screenshot the customer chat page the way a customer sees it.

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:5005/webhooks/chat/ out.png \
        [--say "我的快递到哪了"] [--customer ID | --anonymous]

Opens the page in headless Debian Chromium (scripts/install_browser.sh installs it), picks the first
demo customer (or the one given), waits for the bot's greeting, optionally sends one message and
waits for the reply, then saves a full-page screenshot. Exits non-zero, still saving what the page
showed, when the greeting or the reply does not come, so it doubles as a smoke test of a running
server.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# rasa-webchat 1.0.1 class names. The "typing…" dots are an .rw-response too, inside an
# .rw-typing-indication message: excluded, or the greeting would count before it is shown.
BOT_MESSAGE = "#webchat .rw-message:not(.rw-typing-indication) .rw-response"
TYPING = "#webchat .rw-typing-indication"
INPUT = "#webchat .rw-new-message"
# How long the bot must stay quiet before a burst of replies counts as complete.
QUIET_SECONDS = 1.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Screenshot the customer chat page.")
    parser.add_argument("url", help="chat page URL, e.g. http://127.0.0.1:5005/webhooks/chat/")
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--say", help="a message to type after the greeting, e.g. 我的快递到哪了")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--customer", help="pick this demo customer id instead of the first one")
    who.add_argument("--anonymous", action="store_true", help="chat as the anonymous visitor")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per wait (default 30)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    return parser.parse_args(argv)


def pick_customer(page: Page, customer: str | None, timeout_ms: float) -> str:
    """Click a demo customer's card; returns the chosen id."""
    # Cards of real customers appear once /customers answered; the anonymous card is always there.
    selector = (
        f'#customer-list .customer-card[data-customer-id="{customer}"]'
        if customer
        else '#customer-list .customer-card:not([data-customer-id="anonymous"])'
    )
    card = page.locator(selector).first
    card.wait_for(state="visible", timeout=timeout_ms)
    chosen = card.get_attribute("data-customer-id") or ""
    if card.get_attribute("aria-pressed") != "true":
        # Choosing a customer reloads the page with ?customer=ID and a fresh conversation.
        with page.expect_navigation(timeout=timeout_ms):
            card.click()
    return chosen


def wait_for_bot_messages(page: Page, at_least: int, timeout_ms: float) -> None:
    """Wait for at least that many bot bubbles, then for the rest of the burst."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n",
        arg=[BOT_MESSAGE, at_least],
        timeout=timeout_ms,
    )
    # Rasa often answers with several bubbles and the widget shows them one by one after a
    # typing pause: wait until no new bubble and no typing indicator for QUIET_SECONDS.
    deadline = time.monotonic() + timeout_ms / 1000
    count, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_count = page.locator(BOT_MESSAGE).count()
        if now_count != count or page.locator(TYPING).count():
            count, quiet_since = now_count, time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            return
        page.wait_for_timeout(250)


def run(args: argparse.Namespace) -> int:
    timeout_ms = args.timeout * 1000
    status = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height}, locale="zh-CN"
            )
            page.on("pageerror", lambda exc: print(f"page error: {exc}", file=sys.stderr))
            page.goto(args.url, wait_until="load", timeout=timeout_ms)
            try:
                if not args.anonymous:
                    chosen = pick_customer(page, args.customer, timeout_ms)
                    print(f"customer: {chosen}")
                page.locator("#webchat .rw-conversation-container").wait_for(timeout=timeout_ms)
                wait_for_bot_messages(page, 1, timeout_ms)
                print(f"greeting: {page.locator(BOT_MESSAGE).first.inner_text().strip()}")
                if args.say:
                    before = page.locator(BOT_MESSAGE).count()
                    page.locator(INPUT).fill(args.say)
                    page.locator(INPUT).press("Enter")
                    wait_for_bot_messages(page, before + 1, timeout_ms)
                    print(f"reply: {page.locator(BOT_MESSAGE).last.inner_text().strip()}")
            except PlaywrightTimeoutError as exc:
                print(f"error: {exc.message.splitlines()[0]}", file=sys.stderr)
                status = 1
            # Let the widget's scroll-to-bottom animation finish before the shot.
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out), full_page=True)
            print(f"screenshot: {args.out}")
        finally:
            browser.close()
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} missing; run scripts/install_browser.sh", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
