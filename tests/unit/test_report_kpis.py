"""The service report's numbers from raw rows: periods, containment, percentiles, CSAT."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.db.enums import ComplaintCategory
from bot.reports import kpis
from bot.reports.period import report_period
from bot.reports.queries import HandoffRow, OpenFollowUp, Rating, UserTurn

DAY = datetime(2026, 11, 19)


def turn(sender: str, hour: int, intent: str | None, text: str = "", day: int = 0) -> UserTurn:
    return UserTurn(sender, DAY + timedelta(days=day, hours=hour), intent, text)


def case(wait: float | None, reply: float | None, total: float | None) -> HandoffRow:
    created = DAY + timedelta(hours=10)
    claimed = created + timedelta(minutes=wait) if wait is not None else None
    return HandoffRow(
        created_at=created,
        claimed_at=claimed,
        first_reply_at=claimed + timedelta(minutes=reply) if claimed and reply else None,
        resolved_at=created + timedelta(minutes=total) if total is not None else None,
        rating=None,
        reason_codes=("requested_human",),
    )


def test_periods_end_with_the_whole_until_day() -> None:
    month = report_period("month", date(2026, 11, 20))
    assert month.start == datetime(2026, 10, 22) and month.end == datetime(2026, 11, 21)
    assert len(month.days) == 30 and month.label == "2026-10-22 至 2026-11-20"
    assert report_period("day", date(2026, 11, 20)).label == "2026-11-20"
    with pytest.raises(ValueError, match="unknown period"):
        report_period("year", date(2026, 11, 20))


def test_a_conversation_is_a_customer_on_a_day_and_handoffs_are_not_contained() -> None:
    turns = [
        turn("a", 9, "track_order"),
        turn("a", 10, "thank"),
        turn("b", 11, "complaint"),
        turn("a", 9, "track_order", day=1),  # the next day: a new conversation
    ]
    handed = {("b", DAY)}
    stats = kpis.containment(turns, handed)
    assert (stats.conversations, stats.handed_off, stats.contained) == (3, 1, 2)
    assert stats.containment_rate == pytest.approx(2 / 3)
    daily = kpis.daily_conversations([DAY.date(), (DAY + timedelta(days=1)).date()], turns, handed)
    assert daily == [(DAY.date(), 1, 1), ((DAY + timedelta(days=1)).date(), 1, 0)]


def test_inquiries_leave_out_courtesies_and_show_chinese_names() -> None:
    turns = [turn("a", 9, "faq/shipping_fee"), turn("a", 9, "faq/invoice"), turn("a", 9, "greet")]
    assert kpis.inquiries_by_intent(turns) == [("常见问题", 2)]


def test_unanswered_messages_are_ranked_for_retraining() -> None:
    turns = [
        turn("a", 9, "nlu_fallback", "直播间那个"),
        turn("b", 9, "nlu_fallback", "直播间那个 "),
    ]
    turns += [turn("c", 9, "nlu_fallback", "xswl"), turn("d", 9, "track_order", "到哪了")]
    assert kpis.top_unanswered(turns) == [("直播间那个", 2), ("xswl", 1)]


def test_percentiles_use_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert kpis.percentile(values, 50) == 5.0
    assert kpis.percentile(values, 90) == 9.0
    assert kpis.percentile([], 50) is None


def test_waits_first_responses_and_resolution_skip_what_has_not_happened() -> None:
    cases = [case(2, 1, 20), case(4, 3, 40), case(None, None, None)]
    wait = kpis.queue_wait(cases)
    assert (wait.p50, wait.p90, wait.count) == (2.0, 4.0, 2)
    assert kpis.first_response(cases).p90 == 3.0
    assert kpis.resolution(cases).count == 2
    assert kpis.handoff_reasons(cases) == [("客户要求人工", 3)]


def test_satisfaction_distribution_share_and_daily_trend() -> None:
    ratings = [Rating(DAY, 5, "human"), Rating(DAY, 4, "bot"), Rating(DAY, 1, "bot")]
    days = [DAY.date(), (DAY + timedelta(days=1)).date()]
    sat = kpis.satisfaction(ratings, days)
    assert sat.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 1}
    assert sat.satisfied_share == pytest.approx(2 / 3)
    assert sat.daily_average == [(days[0], pytest.approx(10 / 3)), (days[1], None)]
    assert kpis.satisfaction([], days).average is None


def test_complaints_list_every_category_and_follow_ups_split_due_from_overdue() -> None:
    found = [ComplaintCategory.QUALITY, ComplaintCategory.QUALITY, ComplaintCategory.PRICE]
    assert kpis.complaints_by_category(found) == [
        ("物流", 0),
        ("质量", 2),
        ("服务", 0),
        ("价格", 1),
        ("其他", 0),
    ]
    as_of = DAY + timedelta(hours=12)
    open_ = [OpenFollowUp("callback", as_of - timedelta(hours=1))]
    open_ += [OpenFollowUp("logistics", as_of + timedelta(hours=3))]
    open_ += [OpenFollowUp("logistics", as_of + timedelta(days=3))]
    assert kpis.follow_up_status(open_, as_of) == (1, 1)


def test_customer_text_cannot_break_the_report_tables() -> None:
    from bot.reports.markdown import render_markdown
    from bot.reports.summary import ServiceReport

    period = report_period("day", DAY.date())
    empty = kpis.spread([])
    report = ServiceReport(
        period=period,
        containment=kpis.Containment(1, 0),
        daily=[(DAY.date(), 1, 0)],
        intents=[],
        handoffs=0,
        handoff_reasons=[],
        queue_wait=empty,
        first_response=empty,
        resolution=empty,
        complaints=kpis.complaints_by_category([]),
        suggestions=[("JY20261119-0001", "a | b\n| c |")],
        suggestion_count=1,
        satisfaction=kpis.satisfaction([], period.days),
        human_ratings=0,
        bot_ratings=0,
        follow_ups_due=0,
        follow_ups_overdue=0,
        unanswered=[("x|y", 2)],
    )
    text = render_markdown(report, [("intents.png", "咨询意图分布")])
    assert "| x｜y | 2 |" in text and "- JY20261119-0001：a ｜ b ｜ c ｜" in text
    assert "![咨询意图分布](intents.png)" in text and "| 满意度平均分 | — |" in text
