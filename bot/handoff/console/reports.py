"""The supervisors' 报表 tab: the service report of a day, week or month, with its plots.

``GET api/reports?period=week&until=YYYY-MM-DD`` answers the KPIs as JSON and the plots as PNG
data URLs (one request, one computation; the console's CSP allows ``data:`` images). Computed
from the database on every request, like ``bot report``. Supervisors only: the report covers
every agent's cases.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import date

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.handoff.console.access import CaseRoutes
from bot.handoff.console.http import ApiError, ok, run_db
from bot.reports.fonts import FontMissingError
from bot.reports.period import PERIOD_DAYS
from bot.reports.plots import PLOTS, render_plots
from bot.reports.summary import ServiceReport, report_until
from bot.services.clock import store_now

# Reports before the shop opened or far in the future name nothing worth drawing.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _period(request: Request) -> str:
    period = request.args.get("period") or "week"
    if period not in PERIOD_DAYS:
        raise ApiError(400, "bad_request", "统计周期只能是 day、week 或 month。")
    return str(period)


def _until(request: Request) -> date | None:
    raw = request.args.get("until")
    if not raw:
        return None
    try:
        until = date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ApiError(400, "bad_request", "截止日期格式应为 YYYY-MM-DD。") from exc
    if not FIRST_DAY <= until <= LAST_DAY:
        raise ApiError(400, "bad_request", "截止日期超出范围。")
    return until


def _plots(report: ServiceReport) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "title": PLOTS[name][0],
            "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        }
        for name, png in render_plots(report).items()
    ]


class ReportRoutes(CaseRoutes):
    async def report(self, request: Request) -> HTTPResponse:
        me = await self.signed_in(request)
        if not me.is_supervisor:
            raise ApiError(403, "forbidden", "报表仅主管可以查看。")
        period, until = _period(request), _until(request)

        def work(session: Session) -> ServiceReport:
            return report_until(session, period, until, store_now(session))

        report = await run_db(self.database_url(), work)
        try:
            plots = await asyncio.to_thread(_plots, report)
        except FontMissingError as exc:
            raise ApiError(
                503, "no_font", "服务器缺少中文字体，请先运行 scripts/install_fonts.sh。"
            ) from exc
        return ok({"report": report.as_json(), "plots": plots})
