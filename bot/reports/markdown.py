"""report.md: the KPIs as tables, the plots, and the retraining list (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.reports.kpis import Spread
from bot.reports.summary import ServiceReport


def _cell(text: str) -> str:
    """Customer text inside a table cell: no pipes or line breaks that would break the row."""
    return text.replace("|", "｜").replace("\n", " ").strip()


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _spread_row(name: str, spread: Spread) -> str:
    return f"| {name} | {_minutes(spread.p50)} | {_minutes(spread.p90)} | {spread.count} |"


def _counts(header: str, rows: Sequence[tuple[str, int]]) -> list[str]:
    if not rows:
        return ["本期暂无数据。", ""]
    lines = [f"| {header} | 数量 |", "|---|---:|"]
    lines += [f"| {_cell(name)} | {count} |" for name, count in rows]
    return [*lines, ""]


def render_markdown(report: ServiceReport, plots: Sequence[tuple[str, str]]) -> str:
    """``plots``: (file name, title) of the PNGs written next to the report."""
    c = report.containment
    sat = report.satisfaction
    lines = [
        f"# 客服服务{report.period.title}（{report.period.label}）",
        "",
        "数据均于生成时从数据库实时计算（会话来自 Rasa 对话记录，人工服务来自转人工工单，"
        "投诉与建议来自服务记录）。",
        "",
        "## 核心指标",
        "",
        "| 指标 | 数值 |",
        "|---|---:|",
        f"| 会话数（客户·日） | {c.conversations} |",
        f"| 机器人独立解决 | {c.contained}（{_percent(c.containment_rate)}） |",
        f"| 转人工 | {c.handed_off}（{_percent(c.handoff_rate)}） |",
        f"| 转人工工单 | {report.handoffs} |",
        f"| 投诉 | {sum(n for _, n in report.complaints)} |",
        f"| 建议 | {report.suggestion_count} |",
        f"| 满意度平均分 | {'—' if sat.average is None else f'{sat.average:.2f}'} |",
        f"| 满意率（4-5 分） | {_percent(sat.satisfied_share)} |",
        f"| 评价数（人工 / 机器人） | {report.human_ratings} / {report.bot_ratings} |",
        f"| 待跟进（24 小时内到期 / 已逾期） | {report.follow_ups_due} / "
        f"{report.follow_ups_overdue} |",
        "",
        "## 人工服务时效（分钟）",
        "",
        "| 环节 | P50 | P90 | 样本数 |",
        "|---|---:|---:|---:|",
        _spread_row("排队等待（进线到接入）", report.queue_wait),
        _spread_row("客服首次响应（接入到首条回复）", report.first_response),
        _spread_row("解决用时（进线到结束）", report.resolution),
        "",
        "## 咨询意图",
        "",
        *_counts("意图", report.intents),
        "## 转人工原因",
        "",
        *_counts("原因", report.handoff_reasons),
        "## 投诉分类",
        "",
        *_counts("类别", report.complaints),
        "## 满意度分布",
        "",
        *_counts("评分", [(f"{score} 分", n) for score, n in sat.distribution.items()]),
        "## 最新建议",
        "",
    ]
    if report.suggestions:
        lines += [f"- {number}：{_cell(text)}" for number, text in report.suggestions] + [""]
    else:
        lines += ["本期暂无建议。", ""]
    lines += [
        "## 机器人没听懂的高频消息（建议标注后加入训练数据）",
        "",
        *_counts("客户消息", report.unanswered),
        "## 图表",
        "",
    ]
    for name, title in plots:
        lines += [f"### {title}", "", f"![{title}]({name})", ""]
    return "\n".join(lines)
