"""`bot report` and the console's 报表 route on the demo store, computed from the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import requests

import tests.integration.test_console_api as console_api
from bot.cli import main
from bot.db.enums import ComplaintCategory, ServiceRecordKind
from bot.db.models import ServiceRecord
from bot.db.session import session_scope
from tests.integration.test_console_api import API
from tests.threaded_sanic import ThreadedSanicServer

# The fixtures of test_console_api (a seeded store with its history, the console in a thread).
database = console_api.database
agent = console_api.agent
server = console_api.server
wang = console_api.wang
lead = console_api.lead

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_month_report_on_the_demo_store_has_the_kpis_and_plots(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert (
        main(["report", "--period", "month", "--out", str(out), "--database-url", seeded_url]) == 0
    )
    assert "report.md" in capsys.readouterr().out
    report = (out / "report.md").read_text("utf-8")
    assert report.startswith("# 客服服务月报（2026-10-22 至 2026-11-20）")
    for heading in (
        "机器人独立解决",
        "转人工",
        "排队等待",
        "客服首次响应",
        "解决用时",
        "投诉分类",
        "最新建议",
        "满意度分布",
        "待跟进",
        "机器人没听懂的高频消息",
    ):
        assert heading in report, heading
    plots = sorted(out.glob("*.png"))
    assert len(plots) >= 4
    for plot in plots:
        assert plot.read_bytes().startswith(PNG_MAGIC) and f"]({plot.name})" in report
    # Sixty days of demo history: a month has hundreds of conversations and some handoffs.
    conversations = int(report.split("| 会话数（客户·日） | ")[1].split(" |")[0])
    assert conversations > 500


def test_the_report_counts_what_is_in_the_database_now(store_url: str, tmp_path: Path) -> None:
    def price_complaints() -> int:
        main(
            [
                "report",
                "--period",
                "day",
                "--until",
                "2026-11-20",
                "--out",
                str(tmp_path),
                "--database-url",
                store_url,
            ]
        )
        text = (tmp_path / "report.md").read_text("utf-8")
        return int(text.split("| 价格 | ")[1].split(" |")[0]) if "| 价格 | " in text else -1

    before = price_complaints()
    with session_scope(store_url) as session:
        session.add(
            ServiceRecord(
                kind=ServiceRecordKind.COMPLAINT,
                category=ComplaintCategory.PRICE,
                text="刚买就降价",
                created_at=datetime(2026, 11, 20, 9, 0),
            )
        )
    assert price_complaints() == before + 1


def test_a_bad_period_is_refused_by_the_command(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--period", "year", "--out", str(tmp_path)])
    assert exit_info.value.code == 2


def test_supervisors_get_the_report_with_plots_in_the_console(
    server: ThreadedSanicServer, lead: requests.Session
) -> None:
    answer = lead.get(f"{server.origin}{API}reports?period=week&until=2026-11-19", timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    report = body["report"]
    assert report["period"]["label"] == "2026-11-13 至 2026-11-19"
    assert report["containment"]["conversations"] > 100
    assert 0 < report["containment"]["containment_rate"] < 1
    assert report["queue_wait"]["p90"] >= report["queue_wait"]["p50"] > 0
    assert len(body["plots"]) >= 4
    assert all(p["src"].startswith("data:image/png;base64,") for p in body["plots"])


@pytest.mark.parametrize(
    "query", ["period=year", "until=2026-13-01", "until=yesterday", "until=0001-01-01"]
)
def test_bad_report_queries_get_400(
    server: ThreadedSanicServer, lead: requests.Session, query: str
) -> None:
    answer = lead.get(f"{server.origin}{API}reports?{query}", timeout=30)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_agents_may_not_see_the_report(server: ThreadedSanicServer, wang: requests.Session) -> None:
    answer = wang.get(f"{server.origin}{API}reports", timeout=30)
    assert answer.status_code == 403
    assert requests.get(f"{server.origin}{API}reports", timeout=30).status_code == 401
