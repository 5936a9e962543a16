"""Submissions that mean what they say, through the Excel channels: a template that leaves
tasks or targets unanswered is kept as 暂存 and the request stays open (its reminders go on);
an implausible value is refused naming sheet!cell; 备注 says why a value is missing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import IndicatorValue, ProgressRow, Request, Submission, Target
from flows import steps
from reporting import reminders
from reporting.intake import SubmissionRejected, submit_file

from ..conftest import at, fill_template
from .test_intake import arrive, opened, template

DAY = at(dt.date(2025, 10, 9))


def submit(runtime, path):
    with runtime.sessions.begin() as session:
        return submit_file(session, path, now=DAY, store_dir=runtime.var_dir / "submissions")


def edited(path, tmp_path, name, edit) -> object:
    wb = load_workbook(path)
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    kept = tmp_path / name
    kept.write_bytes(out.getvalue())
    return kept


def filled(runtime, tmp_path, request, edit=lambda wb: None, name="filled.xlsx", **kw):
    full = tmp_path / f"full-{name}"
    full.write_bytes(fill_template(template(runtime, request), **kw))
    return edited(full, tmp_path, name, edit)


def clear_task_row(wb, row=3):
    wb["任务进展"].cell(row=row, column=8).value = None  # cell(value=None) would keep the value
    wb["任务进展"].cell(row=row, column=9).value = None


def status_of(runtime, code):
    with runtime.sessions() as session:
        return session.scalar(select(Request.status).where(Request.code == code))


def test_a_template_answering_some_tasks_is_kept_as_draft_and_the_request_stays_open(
    runtime, tmp_path
):
    amr = opened(runtime)["zs-amr"]
    partial = filled(runtime, tmp_path, amr, clear_task_row, "partial.xlsx")
    result = submit(runtime, partial)
    assert not result.complete and not result.duplicate
    assert result.missing[0].startswith("任务进展!H3: 任务 ")
    assert "未选择本期状态" in result.missing[0] and "任务进展!I3" in result.missing[1]
    assert status_of(runtime, amr.code) == "pending"
    with runtime.sessions() as session:
        sub = session.get(Submission, result.submission_id)
        assert sub.complete is False and sub.missing == result.missing
        # the reminders go on: the request is still one of the unit's open items
        items = reminders.open_items(session, runtime.calendar, runtime.var_dir)
    assert amr.code in [i["code"] for i in items["zs-amr"]]
    complete = submit(runtime, filled(runtime, tmp_path, amr, name="complete.xlsx"))
    assert complete.complete and complete.missing == []
    assert status_of(runtime, amr.code) == "submitted"


def test_a_missing_value_with_a_reason_in_its_note_completes_the_submission(runtime, tmp_path):
    amr = opened(runtime)["zs-amr"]

    def no_value(wb):
        wb["指标数据"]["G2"] = None

    bare = submit(runtime, filled(runtime, tmp_path, amr, no_value, "bare.xlsx"))
    assert not bare.complete and bare.missing == [
        f"指标数据!G2: 指标「{load_workbook(template(runtime, amr))['指标数据']['B2'].value}」"
        "：未填写本期值，也未说明未填原因"
    ]

    def with_reason(wb):
        no_value(wb)
        wb["指标数据"]["H2"] = "年度数据，年底统计"
        wb["填报说明"]["B9"] = "张三"
        wb["填报说明"]["B10"] = "0580-2020000"

    result = submit(runtime, filled(runtime, tmp_path, amr, with_reason, "reason.xlsx"))
    assert result.complete and "未填原因 1 项" in result.accepted
    with runtime.sessions() as session:
        sub = session.get(Submission, result.submission_id)
        assert (sub.filler, sub.phone) == ("张三", "0580-2020000")
        assert list(sub.reasons.values()) == ["年度数据，年底统计"]
    assert status_of(runtime, amr.code) == "submitted"


def test_problems_and_next_steps_are_stored_with_the_progress(runtime, tmp_path):
    amr = opened(runtime)["zs-amr"]

    def blocked(wb):
        tasks = wb["任务进展"]
        tasks["H2"], tasks["I2"] = "受阻", "本期无新进展"
        tasks["J2"], tasks["K2"] = "用地指标未落实", "协调市资源规划局"

    result = submit(runtime, filled(runtime, tmp_path, amr, blocked, "blocked.xlsx"))
    assert result.complete
    with runtime.sessions() as session:
        row = session.scalars(
            select(ProgressRow).where(
                ProgressRow.submission_id == result.submission_id, ProgressRow.status == "受阻"
            )
        ).one()
    assert (row.problems, row.next_steps) == ("用地指标未落实", "协调市资源规划局")


def test_blocked_with_no_news_and_no_problem_is_not_complete(runtime, tmp_path):
    amr = opened(runtime)["zs-amr"]

    def blocked(wb):
        wb["任务进展"]["H2"], wb["任务进展"]["I2"] = "受阻", "本期无新进展"

    result = submit(runtime, filled(runtime, tmp_path, amr, blocked, "blocked.xlsx"))
    assert not result.complete
    assert result.missing == [
        f"任务进展!J2: 任务 {load_workbook(template(runtime, amr))['任务进展']['C2'].value}"
        "：报“受阻”的任务请在存在问题中说明受阻原因"
    ]


def make_share(runtime, row):
    """Make the target on the template's `row` a 合格率 in % (the plan has no share target)."""
    with runtime.sessions.begin() as session:
        target = session.scalars(
            select(Target).where(Target.owner_unit_id == "zs-amr").order_by(Target.position)
        ).all()[row - 2]
        target.name, target.measure, target.kind = "产品质量监督抽查合格率", "%", "level"


@pytest.mark.parametrize(
    ("value", "row", "expected"),
    [
        (108.6, 11, "指标数据!G11: 「产品质量监督抽查合格率」是比率，填写的 108.6% 超过 100%"),
        (8.2, 7, "以“家”计，应为整数，填写的是 8.2 家"),
        (-3, 2, "为负数"),
    ],
)
def test_an_implausible_value_in_excel_is_refused_naming_the_cell(
    runtime, tmp_path, value, row, expected
):
    amr = opened(runtime)["zs-amr"]
    make_share(runtime, 11)

    def put(wb):
        wb["指标数据"].cell(row=row, column=7, value=value)

    path = filled(runtime, tmp_path, amr, put, "odd.xlsx")
    with pytest.raises(SubmissionRejected) as caught:
        submit(runtime, path)
    assert any(expected in p for p in caught.value.problems), caught.value.problems
    assert all(p.startswith(f"指标数据!G{row}: ") for p in caught.value.problems)
    with runtime.sessions() as session:
        assert session.scalars(select(Submission)).all() == []  # nothing half-written
        assert session.scalars(select(IndicatorValue)).all() == []


def test_the_inbox_keeps_a_partial_file_as_draft_and_says_what_is_missing(runtime, tmp_path):
    sti = opened(runtime)["zs-sti"]
    partial = filled(runtime, tmp_path, sti, lambda wb: clear_task_row(wb, 2), "p.xlsx")
    arrive(runtime.inbox / "zs-sti" / "report.xlsx", partial.read_bytes(), at(dt.date(2025, 10, 8)))
    assert steps.ingest(runtime, DAY) == {"partial": 1}
    note = next((runtime.inbox / "processed").glob("*.missing.txt")).read_text(encoding="utf-8")
    assert note.startswith("已暂存，尚未填写完整") and "任务进展!H2" in note
    assert status_of(runtime, sti.code) == "pending"
