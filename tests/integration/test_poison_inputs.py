"""What a unit types cannot hurt the others: control characters, formulas, absurd numbers,
huge or odd workbooks (issue 22)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import IndicatorValue, ProgressRow, Request
from flows import steps, tick
from reporting.intake import SubmissionRejected, record
from reporting.templates import ensure_template
from reporting.unit_text import BadNumber, clean, figure
from reporting.workbook import ProgressLine, ValueLine, WorkbookRejected, read_filled

from ..conftest import at, fill_template

D = dt.date
FORMULAS = [
    '=HYPERLINK("http://evil.example/","点此")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "-2+3",
]


def opened(runtime):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    with runtime.sessions() as session:
        return {r.unit_id: r for r in session.scalars(select(Request))}


def work_of(runtime, request):
    from reporting.work import unit_work_for_request

    with runtime.sessions() as session:
        _, _, work = unit_work_for_request(session, session.get(Request, request.id))
    return work


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("第一行\x0b第二行", "第一行\n第二行"),  # Word's manual line break
        ("转义\x1b[31m红字", "转义[31m红字"),
        ("空\x00字符", "空字符"),
        ("回车\r\n换行\r", "回车\n换行"),
        ("制表\t分隔", "制表 分隔"),
    ],
)
def test_control_characters_are_taken_out_of_a_units_text(raw, kept):
    assert clean(raw) == kept


@pytest.mark.parametrize(
    "raw", ["1e20", "12345678901234567890", "110101199001011234", "NaN", "inf", "-1", True]
)
def test_figures_the_database_cannot_hold_are_refused_with_a_reason(raw):
    with pytest.raises(BadNumber):
        figure(raw)


def test_a_plain_figure_is_kept_to_four_places():
    assert figure("1234.56789") == Decimal("1234.5679") and figure(3) == Decimal(3)


def test_poison_text_and_formulas_become_plain_text_in_the_next_template(runtime):
    requests = opened(runtime)
    request = requests["zs-sti"]
    work = work_of(runtime, request)
    poison = ["上报\x0b完成\x1b\x00", *FORMULAS]
    with runtime.sessions.begin() as session:
        req = session.get(Request, request.id)
        lines = [
            ProgressLine(task.id, "推进中", poison[i % len(poison)])
            for i, (task, _) in enumerate(work.tasks)
        ]
        record(session, req, lines, [], now=at(D(2025, 9, 26)), channel="web")
    with runtime.sessions() as session:
        stored = [r.text for r in session.scalars(select(ProgressRow))]
    assert "上报\n完成" in stored and all("\x1b" not in t and "\x00" not in t for t in stored)
    # The next period's template shows last period's answers: as text, never as formulas.
    tick.run_tick(runtime, D(2025, 12, 24), at(D(2025, 12, 24)))
    with runtime.sessions() as session:
        q4 = session.scalar(
            select(Request).where(Request.unit_id == "zs-sti", Request.code.like("2025Q4%"))
        )
        path = ensure_template(session, q4, runtime.var_dir)
    sheet = load_workbook(path)["任务进展"]
    cells = [sheet.cell(row=r, column=7) for r in range(2, sheet.max_row + 1)]
    assert {c.value for c in cells} >= set(FORMULAS)
    assert all(c.data_type == "s" for c in cells if c.value)
    raw = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in raw


def test_an_absurd_figure_in_a_workbook_names_its_cell(runtime, tmp_path):
    requests = opened(runtime)
    with runtime.sessions() as session:
        path = ensure_template(
            session, session.get(Request, requests["zs-amr"].id), runtime.var_dir
        )
    for value in (1e20, "NaN", 12345678901234567890):  # NaN as typed: Excel stores no NaN
        with pytest.raises(WorkbookRejected) as caught:
            read_filled(fill_template(path, value=value))
        assert any(p.startswith("指标数据!G2") for p in caught.value.problems), (
            caught.value.problems
        )


def test_a_record_with_an_absurd_figure_is_refused_not_a_database_error(runtime):
    requests = opened(runtime)
    request = requests["zs-amr"]
    target = work_of(runtime, request).targets[0]
    with runtime.sessions.begin() as session, pytest.raises(SubmissionRejected, match="范围"):
        record(session, session.get(Request, request.id), [], [ValueLine(target.id, Decimal("1e20"))],
               now=at(D(2025, 9, 26)), channel="cli")  # fmt: skip
    with runtime.sessions() as session:
        assert session.scalar(select(IndicatorValue)) is None


def test_an_extra_sheet_is_refused_before_the_workbook_is_loaded(runtime):
    requests = opened(runtime)
    with runtime.sessions() as session:
        path = ensure_template(
            session, session.get(Request, requests["zs-sti"].id), runtime.var_dir
        )
    wb = load_workbook(io.BytesIO(fill_template(path)))
    wb.create_sheet("附加数据")["A1"] = "x"
    data = io.BytesIO()
    wb.save(data)
    with pytest.raises(WorkbookRejected, match="多出工作表“附加数据”"):
        read_filled(data.getvalue())


def test_a_huge_sheet_is_refused_by_its_size_not_loaded(runtime):
    requests = opened(runtime)
    with runtime.sessions() as session:
        path = ensure_template(
            session, session.get(Request, requests["zs-sti"].id), runtime.var_dir
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":  # 指标数据 with 400,000 more cells
                rows = b"".join(
                    b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r)
                    for r in range(100, 400_100)
                )
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            dst.writestr(item, data)
    with pytest.raises(WorkbookRejected, match="工作表内容过多"):
        read_filled(buffer.getvalue())


def test_an_inbox_file_that_cannot_be_recorded_is_rejected_alone(runtime, monkeypatch):
    import os

    from reporting import intake

    requests = opened(runtime)
    files = {}
    with runtime.sessions() as session:
        for unit in ("zs-sti", "zs-amr"):
            path = ensure_template(
                session, session.get(Request, requests[unit].id), runtime.var_dir
            )
            files[unit] = runtime.inbox / unit / "report.xlsx"
            files[unit].parent.mkdir(parents=True, exist_ok=True)
            files[unit].write_bytes(fill_template(path))
            os.utime(files[unit], (at(D(2025, 9, 25)).timestamp(),) * 2)
    real = intake.record

    def broken_for_sti(session, request, *args, **kwargs):
        if request.unit_id == "zs-sti":
            raise RuntimeError("numeric field overflow")  # what PostgreSQL said of 1e20
        return real(session, request, *args, **kwargs)

    monkeypatch.setattr(intake, "record", broken_for_sti)
    counts = steps.ingest(runtime, at(D(2025, 9, 26)))
    assert counts == {"rejected": 1, "accepted": 1}
    reason = next((runtime.inbox / "rejected").glob("*.reason.txt")).read_text(encoding="utf-8")
    assert "无法入库" in reason and "RuntimeError" in reason


def test_a_file_too_big_is_refused_before_it_is_read(runtime, tmp_path):
    from reporting.intake import submit_file

    big = tmp_path / "big.xlsx"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing to read
    with runtime.sessions.begin() as session, pytest.raises(SubmissionRejected, match="文件过大"):
        submit_file(session, big, now=at(D(2025, 9, 26)), store_dir=tmp_path / "s")
