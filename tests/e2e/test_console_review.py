"""The 售后审核 and 跟进 tabs in a real browser against the real assistant.

A signed-in customer has a return waiting for review and the chat page open; an agent approves
it in the console; the approval appears in the customer's widget without the customer asking;
the customer sends the return parcel's tracking number and the bot records it on the ticket.
The agent then closes a follow-up in the 跟进 tab, and its outcome reaches the widget too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Customer
from bot.db.session import session_scope
from bot.services.aftersales.review import ticket_by_no
from bot.services.clock import store_now
from bot.services.notices.proactive import notify_logistics_exception
from tests.e2e import test_handoff
from tests.e2e.test_handoff import bot_says, customer_types, new_page
from tests.live_assistant import Assistant

pytestmark = pytest.mark.model
# The hand-over test's Chromium (through Playwright), shared as it is.
browser = test_handoff.browser

QUALITY_RETURN = "AS20261120000005"  # 赵磊, 退货退款 · 待审核 (质量问题)
ZHAO_PHONE = "19912345678"
STUCK_ORDER = "826111603466468805"  # 赵磊, 派送中


@pytest.fixture(scope="module")
def pages(assistant: Assistant, browser: Any) -> Iterator[tuple[Any, Any, list[str]]]:
    errors: list[str] = []
    with session_scope(assistant.database_url) as session:
        customer_id = session.execute(
            select(Customer.id).where(Customer.phone == ZHAO_PHONE)
        ).scalar_one()
    shop = new_page(browser, errors)
    shop.goto(f"{assistant.url}/webhooks/chat/?customer={customer_id}")
    # The widget is up; whatever reaches it later comes unasked (the pump finds the socket).
    shop.locator("#webchat .rw-new-message").wait_for()
    desk = new_page(browser, errors)
    desk.goto(f"{assistant.url}/webhooks/agent/")
    desk.fill("#login-username", "agent01")
    desk.fill("#login-password", "kefu-demo-1")
    desk.click("#login-submit")
    desk.locator("#tab-tickets").wait_for()
    yield shop, desk, errors


def test_an_agent_approves_a_return_and_the_customer_sends_the_parcel_back(
    assistant: Assistant, pages: tuple[Any, Any, list[str]]
) -> None:
    shop, desk, errors = pages
    desk.click("#tab-tickets")
    card = desk.locator(f'#tickets-list [data-ticket-no="{QUALITY_RETURN}"]')
    card.wait_for()
    assert "赵磊" in card.inner_text() and "运费由店铺承担" in card.inner_text()
    card.locator("textarea").fill("照片看得很清楚，给您添麻烦了")
    card.locator("button", has_text="通过").click()
    card.wait_for(state="detached")

    approval = bot_says(shop, "审核通过")
    assert QUALITY_RETURN in approval and "退货单号" in approval
    customer_types(shop, "退货单号 SF123456789012")
    assert "SF123456789012" in bot_says(shop, "已经登记")
    with session_scope(assistant.database_url) as session:
        ticket = ticket_by_no(session, QUALITY_RETURN)
        assert ticket is not None and ticket.return_tracking_no == "SF123456789012"
    assert errors == []


def test_an_agent_closes_a_follow_up_and_the_customer_hears_the_outcome(
    assistant: Assistant, pages: tuple[Any, Any, list[str]]
) -> None:
    shop, desk, errors = pages
    # The shop learns of a delivery problem: the customer is told unasked, the desk owes news.
    with session_scope(assistant.database_url) as session:
        notify_logistics_exception(
            session, STUCK_ORDER, "快递反馈派送时电话没打通", now=store_now(session)
        )
    assert "电话没打通" in bot_says(shop, "主动跟您同步")

    desk.click("#tab-followups")
    row = desk.locator("#followups-rows tr", has_text=STUCK_ORDER)
    row.wait_for()
    assert "物流核实" in row.inner_text()
    row.locator("input").fill("已和快递确认，今天下午重新派送")
    row.locator("button").click()
    row.wait_for(state="detached")
    outcome = bot_says(shop, "今天下午重新派送")
    assert STUCK_ORDER in outcome
    assert errors == []
