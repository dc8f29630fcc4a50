"""One period's report: every KPI, computed from the database at the time of asking."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.enums import ServiceRecordKind
from bot.reports import kpis, queries
from bot.reports.period import Period, report_period

SUGGESTIONS_LISTED = 10


@dataclass(frozen=True)
class ServiceReport:
    period: Period
    containment: kpis.Containment
    daily: list[tuple[date, int, int]]
    intents: list[tuple[str, int]]
    handoffs: int
    handoff_reasons: list[tuple[str, int]]
    queue_wait: kpis.Spread
    first_response: kpis.Spread
    resolution: kpis.Spread
    complaints: list[tuple[str, int]]
    suggestions: list[tuple[str, str]]  # (reference number, text), newest first
    suggestion_count: int
    satisfaction: kpis.Satisfaction
    human_ratings: int
    bot_ratings: int
    follow_ups_due: int
    follow_ups_overdue: int
    unanswered: list[tuple[str, int]]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON types for the console (dates as ISO strings)."""
        data = asdict(self)
        data["period"] = {
            "name": self.period.name,
            "title": self.period.title,
            "label": self.period.label,
        }
        data["containment"].update(
            contained=self.containment.contained,
            containment_rate=round(self.containment.containment_rate, 4),
            handoff_rate=round(self.containment.handoff_rate, 4),
        )
        data["daily"] = [[d.isoformat(), c, h] for d, c, h in self.daily]
        data["satisfaction"]["daily_average"] = [
            [d.isoformat(), avg] for d, avg in self.satisfaction.daily_average
        ]
        return data


def build_report(session: Session, period: Period, as_of: datetime) -> ServiceReport:
    """``as_of``: the store's clock, against which open follow-ups are due or overdue."""
    turns = queries.user_turns(session, period)
    handed_off = queries.handed_off_chats(session, period)
    cases = queries.handoff_cases(session, period)
    ratings = queries.ratings(session, period, cases)
    suggestions = queries.records(session, period, ServiceRecordKind.SUGGESTION)
    due, overdue = kpis.follow_up_status(queries.open_follow_ups(session), min(as_of, period.end))
    return ServiceReport(
        period=period,
        containment=kpis.containment(turns, handed_off),
        daily=kpis.daily_conversations(period.days, turns, handed_off),
        intents=kpis.inquiries_by_intent(turns),
        handoffs=len(cases),
        handoff_reasons=kpis.handoff_reasons(cases),
        queue_wait=kpis.queue_wait(cases),
        first_response=kpis.first_response(cases),
        resolution=kpis.resolution(cases),
        complaints=kpis.complaints_by_category(queries.complaint_categories(session, period)),
        suggestions=[
            (str(r.reference_no or ""), str(r.text))
            for r in reversed(suggestions[-SUGGESTIONS_LISTED:])
        ],
        suggestion_count=len(suggestions),
        satisfaction=kpis.satisfaction(ratings, period.days),
        human_ratings=sum(1 for r in ratings if r.source == "human"),
        bot_ratings=sum(1 for r in ratings if r.source == "bot"),
        follow_ups_due=due,
        follow_ups_overdue=overdue,
        unanswered=kpis.top_unanswered(turns),
    )


def report_until(session: Session, name: str, until: date | None, now: datetime) -> ServiceReport:
    """The report of period ``name`` ending on ``until`` (default: the store's today)."""
    return build_report(session, report_period(name, until or now.date()), now)
