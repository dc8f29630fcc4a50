"""The supervisors' 报表 tab in a real browser, on the real assistant's demo store.

The store was seeded with sixty days of history (bot.demo.history), so the month's report has
conversations, handoffs, complaints and ratings to show. The screenshot goes to results/ (the
README's docs/screenshots/report.png is copied from it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_assistant import Assistant

pytestmark = pytest.mark.model

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOT = REPO_ROOT / "results" / "screenshots" / "report.png"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def page(assistant: Assistant) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            yield tab
        finally:
            browser.close()


def log_in(page: Any, assistant: Assistant, username: str, password: str) -> None:
    page.goto(f"{assistant.url}/webhooks/agent/")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.locator("#app-view").wait_for()


def test_supervisor_reads_the_month_report_with_its_plots(assistant: Assistant, page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, assistant, "lead01", "kefu-lead-1")
    page.click("#tab-report")
    page.locator("#report-plots img").first.wait_for()  # the default week's report
    page.select_option("#report-period", "month")
    page.fill("#report-until", "2026-11-19")
    page.click("#report-submit")
    page.locator("#report-title", has_text="月报（2026-10-21 至 2026-11-19）").wait_for()
    page.locator("#report-plots img").nth(3).wait_for()
    kpis = page.locator("#report-kpis").inner_text()
    assert "机器人独立解决" in kpis and "客服首次响应 P50 / P90" in kpis
    conversations = int(page.locator("#report-kpis tr").first.locator("td").nth(1).inner_text())
    assert conversations > 500
    assert page.locator("#report-suggestions li").count() >= 1
    # Every plot was decoded and drawn by the browser, not just linked.
    widths = page.eval_on_selector_all("#report-plots img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 4 and all(w > 0 for w in widths)
    page.locator("#toast").wait_for(state="hidden")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    # Tall enough for the KPIs and the first rows of plots (the panel scrolls inside the page).
    page.set_viewport_size({"width": 1440, "height": 1400})
    page.screenshot(path=str(SCREENSHOT))
    page.set_viewport_size({"width": 1440, "height": 900})
    assert errors == []


def test_agents_do_not_get_the_report_tab(assistant: Assistant, page: Any) -> None:
    page.click("#logout-btn")
    log_in(page, assistant, "agent01", "kefu-demo-1")
    page.locator("#queue-list").wait_for(state="attached")
    assert page.locator("#tab-report").is_hidden()
