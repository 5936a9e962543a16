"""The report reaches the office: the mail carries the 通报 and its annex under their Chinese
names (RFC 2231 encoded), DingTalk carries the portal's links to them; `duban report` and
`duban assess-year` write through the same actions as the portal."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from db.models import Notification
from duban.cli import app
from flows import steps, tick
from flows.runtime import Runtime
from notifications.dispatch import compose
from notifications.links import Links
from notifications.mail import plain_text
from reporting.names import report_paths

from ..conftest import at

D = dt.date
NOTICE = "标准强市建设2025年第三季度工作进展情况通报.docx"
ANNEX = "标准强市建设2025年第三季度工作进展情况（附表）.xlsx"


def test_the_office_mail_attaches_the_notice_and_annex_and_dingtalk_links_them(runtime):
    rt = Runtime(runtime.sessions, runtime.var_dir, runtime.calendar, runtime.channel,
                 runtime.messages, links=Links("s" * 32, "https://duban.example.cn"))  # fmt: skip
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    tick.run_tick(rt, D(2025, 10, 21), at(D(2025, 10, 21)))  # the office's day
    paths = report_paths(rt.reports, "zhoushan-standards-2023", "2025Q3")
    assert paths.notice.is_file()
    with rt.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.kind == "report"))
        # the plan named: an office running several programmes gets one report per plan
        assert (
            row.subject
            == "【标准强市建设】《中共舟山市委舟山市人民政府关于推进标准强市建设的实施意见》2025年第三季度工作进展情况报告"
        )
        assert [a["filename"] for a in row.attachments] == [NOTICE, ANNEX]
        outgoing = compose(session, row, rt.messages, at(D(2025, 10, 21), 10))
    markdown = outgoing.markdown  # DingTalk: nothing attached, so links and no 见附件
    assert "附件" not in markdown and f"通报及附表见附件：{NOTICE}、{ANNEX}" in plain_text(
        outgoing.email
    )
    assert f"(https://duban.example.cn/office/reports/{paths.notice.name})" in markdown
    assert f"(https://duban.example.cn/office/reports/{paths.html.name})" in markdown
    wire = outgoing.email.as_bytes()
    assert wire.isascii()  # every Chinese name encoded
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    files = {part.get_filename(): part.get_content() for part in parsed.iter_attachments()}
    assert set(files) == {NOTICE, ANNEX}
    assert files[NOTICE][:2] == b"PK" and files[ANNEX] == paths.xlsx.read_bytes()
    assert b"filename*=utf-8''" in wire.lower()


def test_duban_report_reassesses_through_the_shared_action_and_assess_year_scores(
    runtime, monkeypatch, tmp_path
):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_VAR_DIR", str(runtime.var_dir))
    runner = CliRunner()
    r = runner.invoke(app, ["report", "--period", "2025Q3", "--as-of", "2025-10-20"])
    assert r.exit_code == 0, r.output
    assert "已按当前数据重新评估" in r.output and "notice.docx" in r.output
    paths = report_paths(runtime.reports, "zhoushan-standards-2023", "2025Q3")
    text = "\n".join(p.text for p in Document(str(paths.notice)).paragraphs)
    assert "2025年第三季度" in text
    assert "最终评估" not in load_workbook(paths.xlsx, read_only=True).sheetnames

    shown = runner.invoke(
        app, ["status", "--period", "2025Q3", "--as-of", "2025-10-20", "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)[0]
    assert {u["status"] for u in view["units"]} == {"逾期未报"}
    assert {f["kind"] for f in view["flags"] if f["subject"] == "报送"} == {"未报送"}
    assert runner.invoke(app, ["status", "--period", "2025Q3", "--status", "gone"]).exit_code == 2

    args = ["assess-year", "--year", "2025", "--plan", "zhoushan-standards-2023", "--as-of", "2025-10-20"]  # fmt: skip
    first = runner.invoke(app, [*args, "--format", "json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)[0]
    assert data["periods"] == ["2025Q3"] and data["scores"]
    assert all(s["figures"].startswith("按时报送率") for s in data["scores"])
    xlsx = runtime.reports / "zhoushan-standards-2023-2025-assessment.xlsx"
    docx = xlsx.with_suffix(".docx")
    before = xlsx.read_bytes(), docx.read_bytes()
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "年度考核" in again.stdout
    assert (xlsx.read_bytes(), docx.read_bytes()) == before  # reproducible
    none = runner.invoke(
        app, ["assess-year", "--year", "2019", "--plan", "zhoushan-standards-2023"]
    )
    assert none.exit_code == 1 and "没有已开启的报送期" in none.output


def test_the_final_period_carries_the_final_assessment_only_once_closed(runtime):
    from reporting.actions import reassess

    tick.run_tick(runtime, D(2025, 12, 24), at(D(2025, 12, 24)))
    with runtime.sessions.begin() as session:
        q4 = [
            i
            for i, _, label in steps.periods_in_play(runtime, D(2025, 12, 24))
            if label == "2025Q4"
        ]
        assert q4
        open_ = reassess(session, q4, D(2025, 12, 30), steps.report_setup(runtime, D(2025, 12, 30)))
    xlsx = open_[0].files.xlsx
    assert (
        not open_[0].with_final and "最终评估" not in load_workbook(xlsx, read_only=True).sheetnames
    )
    with runtime.sessions.begin() as session:
        closed = reassess(session, q4, D(2026, 1, 9), steps.report_setup(runtime, D(2026, 1, 9)))
    assert closed[0].with_final and "含最终评估" in closed[0].summary
    assert "最终评估" in load_workbook(xlsx, read_only=True).sheetnames
