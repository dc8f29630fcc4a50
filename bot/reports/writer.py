"""`bot report`: report.md and its plots for a period, from the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.db.session import session_scope
from bot.reports.markdown import render_markdown
from bot.reports.plots import PLOTS, draw_plots
from bot.reports.summary import ServiceReport, report_until
from bot.services.clock import store_now


def write_report(url: str | None, period: str, until: date | None, out: Path) -> ServiceReport:
    """Writes ``out/report.md`` and the PNGs next to it; the report it wrote."""
    with session_scope(url) as session:
        report = report_until(session, period, until, store_now(session))
    plots = draw_plots(report, out)
    titled = [(p.name, PLOTS[p.name][0]) for p in plots]
    (out / "report.md").write_text(render_markdown(report, titled), "utf-8")
    return report
