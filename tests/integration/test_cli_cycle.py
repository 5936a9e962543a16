"""The cycle's commands as IT or the office types them (Typer's CliRunner on the embedded
defaults: SQLite and the outbox folder under DUBAN_VAR_DIR): tick, requests, dispatch, outbox,
submit, report and office add-user, with their Chinese answers and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duban.cli import app
from reporting.workdays import WorkCalendar

from ..conftest import fill_template


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DUBAN_SEND_HOURS", "always")
    for name in ("DUBAN_DATABASE_URL", "DUBAN_APPRISE_CONFIG", "DUBAN_CATALOG_DIR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str, **kwargs: object):
        return runner.invoke(app, list(args), **kwargs)

    assert invoke("catalog", "load").exit_code == 0
    return invoke


def requests_of(run, unit: str) -> list[dict[str, str]]:
    listed = run("requests", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    return [r for r in json.loads(listed.output) if f"-{unit}-" in r["code"]]


def test_tick_then_requests_extend_waive_and_dispatch(run, tmp_path):
    ticked = run("tick", "--as-of", "2025-09-24", "--no-dispatch")
    assert ticked.exit_code == 0, ticked.output
    assert "发出报送通知" in ticked.output and "提醒消息" in ticked.output

    sti = requests_of(run, "zs-sti")
    assert sti and all(r["status"] == "pending" for r in sti)
    table = run("requests", "list", "--period", "2025Q3")
    assert "2025年第三季度" in table.output and "待报" in table.output
    code = sti[0]["code"]
    # The new date must be a working day after today (the command reads the clock).
    cal, today = WorkCalendar(), dt.date.today()
    saturday = today + dt.timedelta(days=7 + (5 - today.weekday()) % 7)
    weekend = run("requests", "extend", code, "--due", saturday.isoformat())
    assert weekend.exit_code == 1 and "不是工作日" in weekend.output
    due = cal.next_workday(saturday).isoformat()
    moved = run("requests", "extend", code, "--due", due)
    assert moved.exit_code == 0, moved.output
    assert [r["due_on"] for r in requests_of(run, "zs-sti") if r["code"] == code] == [due]
    typo = run("requests", "extend", code, "--due", "2025-13-01")
    assert typo.exit_code == 2 and "--due" in typo.output
    unknown = run("requests", "waive", "NO-SUCH-CODE")
    assert unknown.exit_code == 1

    sent = run("dispatch")
    assert sent.exit_code == 0, sent.output
    assert "已发送" in sent.output
    again = run("dispatch")
    assert "没有到期的消息" in again.output  # exactly once

    rows = json.loads(run("outbox", "--format", "json").output)
    assert rows and all(r["status"] == "sent" for r in rows)
    listing = run("outbox")
    assert "已发送" in listing.output and "报送通知" in listing.output
    bad = run("outbox", "--status", "nonsense")
    assert bad.exit_code == 2 and "无效" in bad.output
    assert run("outbox", "retry").exit_code == 2


def test_submit_a_filled_template_then_the_same_file_and_a_bad_one(run, tmp_path):
    assert run("tick", "--as-of", "2025-09-24").exit_code == 0
    templates = sorted((tmp_path / "var").rglob("*.xlsx"))
    template = next(t for t in templates if "zs-sti" in t.name)
    filled = tmp_path / "市科技局报送.xlsx"
    filled.write_bytes(fill_template(template))

    first = run("submit", str(filled))
    assert first.exit_code == 0, first.output
    assert "已记录为" in first.output
    second = run("submit", str(filled))
    assert second.exit_code == 0 and "已收到过同一文件" in second.output
    other = run("submit", str(filled), "--unit", "zs-edu")
    assert other.exit_code == 1 and "未被接受" in other.output

    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = run("submit", str(broken))
    assert refused.exit_code == 1 and "坏文件.xlsx" in refused.output


def test_report_writes_the_period_files(run, tmp_path):
    assert run("tick", "--as-of", "2025-09-24", "--no-dispatch").exit_code == 0
    written = run("report", "--period", "2025Q3", "--as-of", "2025-10-20")
    assert written.exit_code == 0, written.output
    paths = [Path(line) for line in written.output.split() if line.endswith((".xlsx", ".html"))]
    assert paths and all(p.exists() for p in paths)
    assert run("report", "--period", "1999Q1").exit_code == 1


def test_office_add_user_refuses_a_short_password_and_saves_a_good_one(run):
    short = run("office", "add-user", "wang", "--password", "short")
    assert short.exit_code == 1
    saved = run("office", "add-user", "wang", "--password", "a-long-enough-password")
    assert saved.exit_code == 0 and "已保存" in saved.output
