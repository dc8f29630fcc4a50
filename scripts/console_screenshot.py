"""Screenshot the agent console the way an agent sees it (for the README).

    .venv/bin/python scripts/console_screenshot.py http://127.0.0.1:5005/webhooks/agent/ out.png \
        [--username agent01 --password kefu-demo-1] [--claim] [--supervisor]

Logs in, opens the first of the agent's own chats (or, with --claim, claims the first case of
the queue), waits for its transcript and saves the page. --supervisor logs in as the demo
supervisor and shoots the supervisor view instead. Exits non-zero, still saving what the page
showed, when there is nothing to open, so it doubles as a smoke test of a running console.
Needs a running Rasa server with the console channel and, for a case, a customer who asked for a
person (e.g. say 「转人工」 on /webhooks/chat/).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Screenshot the agent console.")
    parser.add_argument("url", help="console URL, e.g. http://127.0.0.1:5005/webhooks/agent/")
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--username", default="agent01")
    parser.add_argument("--password", default="kefu-demo-1")
    parser.add_argument("--claim", action="store_true", help="claim the first waiting case")
    parser.add_argument("--supervisor", action="store_true", help="shoot the supervisor view")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per wait")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    if args.supervisor and args.username == "agent01":
        args.username, args.password = "lead01", "kefu-lead-1"
    status = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height}, locale="zh-CN"
            )
            page.set_default_timeout(args.timeout * 1000)
            page.on("pageerror", lambda exc: print(f"page error: {exc}", file=sys.stderr))
            page.goto(args.url)
            try:
                page.fill("#login-username", args.username)
                page.fill("#login-password", args.password)
                page.click("#login-submit")
                page.locator("#app-view").wait_for()
                if args.supervisor:
                    page.click("#tab-supervisor")
                    page.locator("#sup-rows tr").first.wait_for()
                else:
                    source = "#queue-list" if args.claim else "#mine-list"
                    page.locator(f"{source} .case-item").first.click()
                    page.locator("#transcript .msg").first.wait_for()
                    if args.claim:
                        page.click("#claim-btn")
                        page.locator('#case-card[data-status="active"]').wait_for()
            except PlaywrightTimeoutError as exc:
                print(f"error: {exc.message.splitlines()[0]}", file=sys.stderr)
                status = 1
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out))
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
