"""The Excel path: a template per request, validated whole on the way back in."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.models import IndicatorValue, Request, Submission
from flows import steps
from reporting.intake import SubmissionRejected, submit_file
from reporting.templates import ensure_template

from ..conftest import at, fill_template


def ensure(rt, request):
    with rt.sessions() as session:
        return ensure_template(session, session.get(type(request), request.id), rt.var_dir)


OPENS = dt.date(2025, 9, 24)  # 2025Q3 opens; due 2025-10-14


def opened(runtime) -> dict[str, Request]:
    steps.open_and_request(runtime, OPENS, at(OPENS))
    with runtime.sessions() as session:
        return {r.unit_id: r for r in session.scalars(select(Request))}


def template(runtime, request) -> object:
    return ensure(runtime, request)


def submit(runtime, path, now, unit=None):
    with runtime.sessions.begin() as session:
        return submit_file(
            session, path, now=now, store_dir=runtime.var_dir / "submissions", expected_unit=unit
        )


def test_each_unit_gets_one_template_with_its_tasks_targets_and_code(runtime):
    requests = opened(runtime)
    amr = requests["zs-amr"]
    wb = load_workbook(template(runtime, amr))
    assert wb.sheetnames == ["填报说明", "任务进展", "指标数据"]
    assert wb["填报说明"]["B7"].value == amr.code and amr.code.startswith("2025Q3-zs-amr-P")
    assert wb["任务进展"].protection.sheet and not wb["任务进展"]["H2"].protection.locked
    refs = [
        wb["任务进展"].cell(row=r, column=3).value for r in range(2, wb["任务进展"].max_row + 1)
    ]
    assert "二(七)1" in refs  # 市市场监管局 leads 二(七)1
    assert wb["指标数据"].max_row == 11  # it owns the ten targets
    assert any(dv.type == "list" for dv in wb["任务进展"].data_validations.dataValidation)
    # collective phrases reach their members: every county government gets 三(二)
    county = load_workbook(template(runtime, requests["zs-ds"]))
    assert [c.value for c in county["任务进展"]["C"]][1:] == ["三(二)", "三(三)"]


def test_a_filled_template_is_recorded_once_and_a_later_one_supersedes(runtime, tmp_path):
    request = opened(runtime)["zs-sti"]
    path = tmp_path / "filled.xlsx"
    path.write_bytes(fill_template(template(runtime, request)))
    first = submit(runtime, path, at(dt.date(2025, 10, 9)))
    assert not first.duplicate and not first.late
    again = submit(runtime, path, at(dt.date(2025, 10, 10)))
    assert again.duplicate and again.submission_id == first.submission_id
    path.write_bytes(fill_template(template(runtime, request), text="更新后的进展。"))
    later = submit(runtime, path, at(dt.date(2025, 10, 15)))
    assert later.submission_id != first.submission_id and later.late  # history kept; late noted
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 2
        req = session.get(Request, request.id)
        assert req.status == "submitted"  # the first, on-time submission set the status
        kept = session.get(Submission, first.submission_id)
        assert (
            kept.sha256
            and (runtime.var_dir / "submissions" / request.code / f"{kept.sha256}.xlsx").exists()
        )


def test_a_late_first_submission_marks_the_request_late(runtime, tmp_path):
    request = opened(runtime)["zs-sti"]
    path = tmp_path / "late.xlsx"
    path.write_bytes(fill_template(template(runtime, request)))
    # Due 2025-10-14: received at 00:00 on the 15th (Shanghai) is late.
    assert submit(runtime, path, dt.datetime(2025, 10, 15, 0, 0, tzinfo=at(OPENS).tzinfo)).late
    with runtime.sessions() as session:
        assert session.get(Request, request.id).status == "late"


def _with(path, edit) -> bytes:
    wb = load_workbook(path)
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _set(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value

    return edit


def _rename(wb):
    wb["指标数据"].title = "Sheet3"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("填报说明", "B8", "duban-template-0"), "模板版本"),
        (_rename, "缺少工作表“指标数据”"),
        (_set("指标数据", "G2", "五十"), "指标数据!G2: “五十”不是数字"),
        (_set("指标数据", "G2", -3), "指标数据!G2: 数值 -3 为负数"),
        (_set("指标数据", "G2", "=SUM(G3:G4)"), "指标数据!G2: 含公式"),
        (_set("任务进展", "H2", "进行中"), "任务进展!H2: 状态“进行中”无效"),
        (_set("任务进展", "A2", "abc"), "任务进展!A2: ID“abc”被修改"),
    ],
)
def test_bad_files_are_rejected_naming_sheet_row_and_column(runtime, tmp_path, edit, message):
    request = opened(runtime)["zs-amr"]
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill_template(template(runtime, request)))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_with(filled, edit))
    with pytest.raises(SubmissionRejected) as exc:
        submit(runtime, bad, at(dt.date(2025, 10, 9)))
    assert any(message in p for p in exc.value.problems), exc.value.problems
    with runtime.sessions() as session:  # nothing half-written
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
        assert session.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_a_file_for_another_units_request_is_rejected(runtime, tmp_path):
    request = opened(runtime)["zs-amr"]
    path = tmp_path / "amr.xlsx"
    path.write_bytes(fill_template(template(runtime, request)))
    with pytest.raises(SubmissionRejected, match="file for another unit's request"):
        submit(runtime, path, at(dt.date(2025, 10, 9)), unit="zs-sti")


def test_oversized_malformed_and_zip_bomb_files_are_rejected(runtime, tmp_path):
    opened(runtime)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK" + b"\0" * (6 * 1024 * 1024))
    with pytest.raises(SubmissionRejected, match="file too large"):
        submit(runtime, big, at(OPENS))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    with pytest.raises(SubmissionRejected, match=r"not a valid \.xlsx"):
        submit(runtime, broken, at(OPENS))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(SubmissionRejected, match="zip bomb"):
        submit(runtime, bomb, at(OPENS))


def arrive(path: Path, data: bytes, when: dt.datetime) -> Path:
    """Drop a file into the inbox as having arrived at `when`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_the_inbox_accepts_good_files_and_moves_bad_ones_aside_with_the_reason(runtime):
    requests = opened(runtime)
    day_before = at(dt.date(2025, 10, 8), 15)
    good = runtime.inbox / "zs-sti" / "report.xlsx"
    arrive(good, fill_template(template(runtime, requests["zs-sti"])), day_before)
    wrong = runtime.inbox / "zs-sti" / "amr.xlsx"  # zs-sti's folder, zs-amr's file
    arrive(wrong, fill_template(template(runtime, requests["zs-amr"])), day_before)
    counts = steps.ingest(runtime, at(dt.date(2025, 10, 9)))
    assert counts == {"accepted": 1, "rejected": 1}
    rejected = list((runtime.inbox / "rejected").glob("*amr.xlsx"))
    assert len(rejected) == 1
    reason = rejected[0].with_name(rejected[0].name + ".reason.txt").read_text(encoding="utf-8")
    assert "file for another unit's request" in reason
    assert list((runtime.inbox / "processed").glob("*report.xlsx"))
    assert steps.ingest(runtime, at(dt.date(2025, 10, 10))) == {}  # nothing left waiting


def test_a_replayed_day_leaves_the_files_of_a_later_day_in_the_inbox(runtime):
    requests = opened(runtime)
    late_file = runtime.inbox / "zs-sti" / "report.xlsx"
    arrive(
        late_file,
        fill_template(template(runtime, requests["zs-sti"])),
        at(dt.date(2025, 10, 20), 11),
    )
    assert steps.ingest(runtime, at(dt.date(2025, 10, 9))) == {}  # not yet arrived on that day
    assert late_file.exists()
    assert steps.ingest(runtime, at(dt.date(2025, 10, 21))) == {"accepted": 1}
    with runtime.sessions() as session:
        sub = session.scalar(select(Submission))
        assert sub.received_at >= at(dt.date(2025, 10, 20), 11) and sub.late


def test_a_file_still_being_copied_in_waits_for_the_next_run(runtime):
    requests = opened(runtime)
    now = at(dt.date(2025, 10, 9), 10)
    data = fill_template(template(runtime, requests["zs-sti"]))
    partial = arrive(
        runtime.inbox / "zs-sti" / "report.xlsx.part", data, now - dt.timedelta(hours=1)
    )
    amr = fill_template(template(runtime, requests["zs-amr"]))
    fresh = arrive(runtime.inbox / "zs-amr.xlsx", amr, now - dt.timedelta(seconds=2))
    assert steps.ingest(runtime, now) == {}
    assert partial.exists() and fresh.exists()  # nothing moved aside half-read
    partial.rename(partial.with_suffix(""))  # the copy finished: renamed to .xlsx
    assert steps.ingest(runtime, now + dt.timedelta(minutes=5)) == {"accepted": 2}
