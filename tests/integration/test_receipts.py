"""Every submission is answered, whatever way it came (inbox, command line, web): a receipt
when it was taken, a 暂存 notice naming what is missing, every reason when a file was refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import Notification
from flows import steps
from notifications.dispatch import compose
from notifications.mail import plain_text

from ..conftest import at, fill_template
from .test_intake import arrive, opened, template

BEFORE = at(dt.date(2025, 10, 8), 15)
DAY = at(dt.date(2025, 10, 9))


def receipts(runtime) -> dict[str, Notification]:
    with runtime.sessions() as session:
        rows = session.scalars(select(Notification).where(Notification.kind == "receipt"))
        return {row.unit_id or "": row for row in rows}


def said(runtime, row: Notification) -> tuple[str, str, str]:
    with runtime.sessions() as session:
        out = compose(session, session.get_one(Notification, row.id), runtime.messages, DAY)
    assert out is not None
    return out.subject, plain_text(out.email), out.markdown


def test_the_inbox_answers_each_file_it_took_kept_or_refused(runtime):
    requests = opened(runtime)
    arrive(
        runtime.inbox / "zs-sti" / "科技局.xlsx",
        fill_template(template(runtime, requests["zs-sti"])),
        BEFORE,
    )
    partial = fill_template(template(runtime, requests["zs-amr"]), status="")  # no status given
    arrive(runtime.inbox / "zs-amr" / "市场监管局.xlsx", partial, BEFORE)
    arrive(runtime.inbox / "zs-eit" / "<坏>.xlsx", b"not a workbook", BEFORE)  # its folder: known
    arrive(runtime.inbox / "无主.xlsx", b"not a workbook", BEFORE)  # nobody to tell
    steps.ingest(runtime, DAY)
    sent = receipts(runtime)
    assert set(sent) == {"zs-sti", "zs-amr", "zs-eit"}

    subject, text, _ = said(runtime, sent["zs-sti"])
    assert subject == f"【标准强市建设】报送回执：{requests['zs-sti'].code}"
    assert "收到内容：任务进展" in text and "以最后一次为准" in text

    subject, text, _ = said(runtime, sent["zs-amr"])
    assert subject.startswith("【标准强市建设】报送尚未完成（已暂存）")
    assert "不计为已报送，催报将继续" in text and "1. " in text

    subject, text, markdown = said(runtime, sent["zs-eit"])
    assert subject == "【标准强市建设】报送文件未被接受：<坏>.xlsx"
    assert "原因如下" in text and "1. " in text and "本次报送不计为已报送" in text
    assert "<坏>" not in markdown  # a file name is text, never markup
    with runtime.sessions() as session:
        row = session.get_one(Notification, sent["zs-eit"].id)
        email = compose(session, row, runtime.messages, DAY).email
    (html,) = [
        p.get_payload(decode=True).decode()
        for p in email.walk()
        if p.get_content_type() == "text/html"
    ]
    assert "<坏>" not in html and "&lt;坏&gt;" in html  # escaped in the HTML part

    steps.ingest(runtime, at(dt.date(2025, 10, 10)))  # nothing new: nothing more said
    assert len(receipts(runtime)) == 3


def test_a_file_submitted_from_the_command_line_is_answered_too(runtime, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from duban.cli import app

    requests = opened(runtime)
    filled = tmp_path / "科技局.xlsx"
    filled.write_bytes(fill_template(template(runtime, requests["zs-sti"])))
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_VAR_DIR", str(runtime.var_dir))
    first = CliRunner().invoke(app, ["submit", str(filled)])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, ["submit", str(filled)])  # the same file: no second receipt
    assert again.exit_code == 0
    assert set(receipts(runtime)) == {"zs-sti"}
