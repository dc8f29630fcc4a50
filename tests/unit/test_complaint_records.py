"""Complaint categories and what the customer is told about a recorded complaint or suggestion."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.db.enums import ComplaintCategory, ServiceRecordKind
from bot.services.records.classify import complaint_category
from bot.services.records.desk import reference_prefix
from bot.services.records.replies import (
    complaint_due,
    complaint_handoff_note,
    complaint_reply,
    suggestion_reply,
)

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("你们这快递也太慢了吧，一个星期还没到", ComplaintCategory.LOGISTICS),
        ("買的鍋用了兩次就壞了", ComplaintCategory.QUALITY),  # traditional script
        ("衣服洗一次就掉色起球，什么质量", ComplaintCategory.QUALITY),
        ("刚买三天就降价了，差价也不给退", ComplaintCategory.PRICE),
        ("客服回复太慢了，态度还差", ComplaintCategory.SERVICE),
        ("你们这样做生意不行", ComplaintCategory.OTHER),
        # equally strong cues: the parcel comes before the service
        ("快递太慢，服务也不好", ComplaintCategory.LOGISTICS),
    ],
)
def test_a_complaint_is_sorted_into_the_handbook_category(
    text: str, category: ComplaintCategory
) -> None:
    assert complaint_category(text) is category


def test_the_complaint_reply_gives_number_handler_and_deadline() -> None:
    due = complaint_due(NOW)
    assert due == datetime(2026, 11, 21, 10, 0)
    text = complaint_reply("TS20261120-0001", ComplaintCategory.LOGISTICS, due, added=False)
    assert "TS20261120-0001" in text and "物流专员" in text and "11月21日 10:00" in text
    added = complaint_reply("TS20261120-0001", ComplaintCategory.QUALITY, due, added=True)
    assert "补充" in added and "售后专员" in added and "TS20261120-0001" in added


def test_suggestion_and_handoff_notes_quote_the_number() -> None:
    assert "JY20261120-0002" in suggestion_reply("JY20261120-0002")
    assert "TS20261120-0003" in complaint_handoff_note("TS20261120-0003")


def test_reference_numbers_say_kind_and_day() -> None:
    assert reference_prefix(ServiceRecordKind.COMPLAINT, NOW) == "TS20261120-"
    assert reference_prefix(ServiceRecordKind.SUGGESTION, NOW) == "JY20261120-"
