"""The report's PNG plots, CJK font from bot.reports.fonts.

Figures are drawn through matplotlib's object API, not pyplot: no GUI backend, no global figure
registry, so the console can draw them inside the server process.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.reports.fonts import configure_cjk_font
from bot.reports.summary import ServiceReport

INTENTS_SHOWN = 12
BLUE, ORANGE, GREEN, GREY = "#3b7dd8", "#f08c3a", "#4caf73", "#9aa3ad"


def _no_data(ax: Axes) -> None:
    ax.text(0.5, 0.5, "本期暂无数据", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _conversations(report: ServiceReport, ax: Axes) -> None:
    days = [d.strftime("%m-%d") for d, _, _ in report.daily]
    contained = [c for _, c, _ in report.daily]
    handed = [h for _, _, h in report.daily]
    ax.bar(days, contained, color=BLUE, label="机器人独立解决")
    ax.bar(days, handed, bottom=contained, color=ORANGE, label="转人工")
    ax.set_title(f"每日会话量（机器人解决率 {report.containment.containment_rate:.0%}）")
    ax.set_ylabel("会话数")
    ax.legend()
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step), days[::step], rotation=45)


def _intents(report: ServiceReport, ax: Axes) -> None:
    shown = report.intents[:INTENTS_SHOWN][::-1]
    if not shown:
        _no_data(ax)
        return
    ax.barh([i for i, _ in shown], [n for _, n in shown], color=BLUE)
    ax.set_title("咨询意图分布")
    ax.set_xlabel("消息数")


def _handoff_reasons(report: ServiceReport, ax: Axes) -> None:
    shown = report.handoff_reasons[::-1]
    if not shown:
        _no_data(ax)
        return
    ax.barh([r for r, _ in shown], [n for _, n in shown], color=ORANGE)
    ax.set_title(
        f"转人工原因（共 {report.handoffs} 次，转人工率 {report.containment.handoff_rate:.0%}）"
    )
    ax.set_xlabel("次数")


def _response_times(report: ServiceReport, ax: Axes) -> None:
    spreads = {
        "排队等待": report.queue_wait,
        "客服首次响应": report.first_response,
        "解决用时": report.resolution,
    }
    if not any(s.count for s in spreads.values()):
        _no_data(ax)
        return
    names = list(spreads)
    positions = range(len(names))
    ax.bar(
        [p - 0.2 for p in positions],
        [s.p50 or 0 for s in spreads.values()],
        0.4,
        color=BLUE,
        label="P50",
    )
    ax.bar(
        [p + 0.2 for p in positions],
        [s.p90 or 0 for s in spreads.values()],
        0.4,
        color=ORANGE,
        label="P90",
    )
    ax.set_xticks(list(positions), names)
    ax.set_ylabel("分钟")
    ax.set_title("人工服务时效")
    ax.legend()


def _complaints(report: ServiceReport, ax: Axes) -> None:
    if not any(n for _, n in report.complaints):
        _no_data(ax)
        return
    ax.bar([c for c, _ in report.complaints], [n for _, n in report.complaints], color=GREY)
    ax.set_title(f"投诉分类（建议 {report.suggestion_count} 条）")
    ax.set_ylabel("条数")


def _satisfaction(report: ServiceReport, ax: Axes) -> None:
    sat = report.satisfaction
    if sat.average is None:
        _no_data(ax)
        return
    scores = list(sat.distribution)
    ax.bar([f"{s} 分" for s in scores], list(sat.distribution.values()), color=GREEN)
    ax.set_title(f"满意度分布（平均 {sat.average:.2f}，满意率 {sat.satisfied_share:.0%}）")
    ax.set_ylabel("评价数")


def _satisfaction_trend(report: ServiceReport, ax: Axes) -> None:
    points = [(d, avg) for d, avg in report.satisfaction.daily_average if avg is not None]
    if not points:
        _no_data(ax)
        return
    ax.plot(
        [d.strftime("%m-%d") for d, _ in points], [a for _, a in points], marker="o", color=GREEN
    )
    ax.set_ylim(1, 5.2)
    ax.set_title("满意度趋势（日均分）")
    step = max(1, len(points) // 10)
    ax.set_xticks(
        range(0, len(points), step), [d.strftime("%m-%d") for d, _ in points][::step], rotation=45
    )


# File name -> (title, drawing), in the order the report shows them.
PLOTS: dict[str, tuple[str, Callable[[ServiceReport, Axes], None]]] = {
    "conversations.png": ("每日会话量与机器人解决率", _conversations),
    "intents.png": ("咨询意图分布", _intents),
    "handoff_reasons.png": ("转人工原因", _handoff_reasons),
    "response_times.png": ("人工服务时效", _response_times),
    "complaints.png": ("投诉分类", _complaints),
    "satisfaction.png": ("满意度分布", _satisfaction),
    "satisfaction_trend.png": ("满意度趋势", _satisfaction_trend),
}


def render_plots(report: ServiceReport) -> dict[str, bytes]:
    """Every plot as PNG bytes, by file name."""
    configure_cjk_font()
    rendered = {}
    for name, (_, draw) in PLOTS.items():
        fig = Figure(figsize=(8, 4.5), dpi=100, layout="tight")
        draw(report, fig.subplots())
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        rendered[name] = buffer.getvalue()
    return rendered


def draw_plots(report: ServiceReport, out: Path) -> list[Path]:
    """Writes every plot into ``out``; their paths, in report order."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in render_plots(report).items():
        (out / name).write_bytes(png)
        written.append(out / name)
    return written
