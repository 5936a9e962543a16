"""The period report as the office prints and forwards it: the annex's page setup and widths,
units in the directory's order, the final assessment only once the last period has closed,
periods as 2025年第三季度, the HTML page's quantities, everything a unit wrote kept as text
(never a formula, never markup), and file names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from openpyxl import load_workbook

from reporting.final import closed, final_due, final_lines
from reporting.names import content_disposition, download_names, report_paths, short_title
from reporting.report import render_html, write_period_report, write_report
from reporting.xlsx_sheet import text_width
from tests.report_samples import province_period


def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header_repeated(
    tmp_path: Path,
) -> None:
    r = province_period()
    r.as_of = "2025-10-21"
    xlsx, _ = write_report(r, tmp_path, [], final=True)
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["报送情况", "任务进展", "指标进度", "最终评估"]
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # absent: 1, the default
        assert ws.print_title_rows
        first, last = (int(part.strip("$")) for part in ws.print_title_rows.split(":"))
        assert first == last and ws.freeze_panes == f"A{last + 1}"
        assert ws[first][0].value in ("序号", "编号")
        assert "2025年第三季度" in ws.oddHeader.center.text and "&P" in ws.oddFooter.center.text
        assert "2025Q3" not in " ".join(
            str(c.value) for row in ws.iter_rows() for c in row if c.value
        )


def test_column_widths_follow_each_sheets_content(tmp_path: Path) -> None:
    r = province_period()
    xlsx, _ = write_report(r, tmp_path, [])
    wb = load_workbook(xlsx)
    units, tasks = wb["报送情况"], wb["任务进展"]
    longest = max(text_width(u.unit_name) for u in r.units)
    assert round(units.column_dimensions["B"].width) == longest + 3  # 2 of padding, Excel's 0.71
    assert tasks.column_dimensions["G"].width > 70  # progress text: as wide as allowed, wrapped
    widths = [[ws.column_dimensions[c].width for c in "ABCDEFG"] for ws in wb.worksheets]
    assert widths[0] != widths[1] != widths[2]
    assert tasks["G3"].alignment.wrap_text and tasks.row_dimensions[3].height > 15


def test_units_are_listed_in_the_directorys_order_never_by_id(tmp_path: Path) -> None:
    r = province_period()
    assert [u.order for u in r.units] != sorted(u.order for u in r.units)  # shuffled
    xlsx, html = write_report(r, tmp_path, [])
    sheet = load_workbook(xlsx)["报送情况"]
    listed = [row[1].value for row in sheet.iter_rows() if isinstance(row[0].value, int)][1:]
    expected = [u.unit_name for u in sorted(r.units, key=lambda u: u.order)]
    assert listed == expected
    tasks = [row[1].value for row in load_workbook(xlsx)["任务进展"].iter_rows(min_row=3)]
    assert list(dict.fromkeys(tasks)) == expected[: len(dict.fromkeys(tasks))]
    page = html.read_text(encoding="utf-8")
    assert page.index(expected[0]) < page.index(expected[1]) < page.index(expected[-1])


def test_no_final_assessment_before_the_last_period_closes(tmp_path: Path) -> None:
    r = province_period()
    r.as_of = r.due_on  # the due day itself: reports may still come in
    assert not closed(r) and not final_due(r, final=True)
    xlsx, html = write_report(r, tmp_path, [], final=True)
    assert "最终评估" not in load_workbook(xlsx).sheetnames
    assert "规划期末" not in html.read_text(encoding="utf-8")
    assert final_due(r, final=True, is_closed=True)  # the office closed it early
    r.as_of = "2025-10-15"
    assert final_due(r, final=True) and not final_due(r, final=False)
    xlsx, html = write_report(r, tmp_path, [], final=True)
    assert "最终评估" in load_workbook(xlsx).sheetnames and "规划期末" in html.read_text(
        encoding="utf-8"
    )


def test_a_value_carried_from_an_earlier_period_is_labelled_with_it(tmp_path: Path) -> None:
    r = province_period()
    r.as_of = "2025-10-21"
    lines = {line.name: line for line in final_lines(r)}
    carried = next(t for t in r.targets if t.code == "T4")
    line = lines[carried.name]
    assert line.carried_from == "2025年第二季度"
    assert line.actual_text == f"{carried.actual:g}（截至2025年第二季度）"
    xlsx, _ = write_report(r, tmp_path, [], final=True)
    final = load_workbook(xlsx)["最终评估"]
    shown = {row[1].value: row[3].value for row in final.iter_rows(min_row=4)}
    assert shown[carried.name] == line.actual_text
    current = next(t for t in r.targets if t.code == "T1")
    assert shown[current.name] == current.actual  # this period's value: a number
    targets = load_workbook(xlsx)["指标进度"]
    assert next(row[6].value for row in targets.iter_rows(min_row=3) if row[0].value == "T4") == (
        "2025年第二季度"
    )


def test_the_html_report_shows_quantities_on_labelled_axes_without_scripts() -> None:
    r = province_period()
    page = render_html(r, [], final=False)
    assert "<script" not in page
    assert "各期报送率与按时报送率（%）" in page and "2025年" in page and "第三季度" in page
    assert "100%" in page and ">95%<" in page and ">89.7%<" in page  # axis ticks and values
    assert "序时进度应达" in page and "目标 150" in page and "150 项" in page  # a target's axis
    assert "按时 29" in page  # the units' reporting, counted


def test_what_a_unit_wrote_is_escaped_in_the_html(tmp_path: Path) -> None:
    r = province_period()
    r.tasks[0].text = "<script>alert(1)</script>"
    r.units[0] = dataclasses.replace(r.units[0], unit_name="<b>市科技局</b>")
    page = write_report(r, tmp_path, [])[1].read_text(encoding="utf-8")
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<b>市科技局</b>" not in page and "&lt;b&gt;市科技局&lt;/b&gt;" in page


def test_a_formula_a_unit_wrote_stays_text(tmp_path: Path) -> None:
    r = province_period()
    r.tasks[0].text = '=HYPERLINK("http://example.invalid","点此")'
    xlsx, _ = write_report(r, tmp_path, [])
    tasks = load_workbook(xlsx)["任务进展"]
    cell = next(
        row[6]
        for row in tasks.iter_rows(min_row=3)
        if row[6].value and row[6].value.startswith("=")
    )
    assert cell.data_type == "s" and not tasks._hyperlinks


def test_files_are_safe_on_disk_and_chinese_when_downloaded(tmp_path: Path) -> None:
    r = province_period()
    files = write_period_report(r, tmp_path, [])
    assert files.xlsx == report_paths(tmp_path, r.plan_slug, r.period_label).xlsx
    assert files.xlsx.name == "zhejiang-pilot-2023-2025Q3.xlsx" and files.notice is None
    names = download_names("标准强市建设", "2025Q3")
    assert names.xlsx == "标准强市建设2025年第三季度工作进展情况（附表）.xlsx"
    assert names.notice == "标准强市建设2025年第三季度工作进展情况通报.docx"
    # two plans of one programme: their short titles tell their files apart
    a = download_names(
        "标准强市建设",
        "2025Q3",
        short_title("中共舟山市委舟山市人民政府关于推进标准强市建设的实施意见"),
    )
    b = download_names("标准强市建设", "2025Q3", short_title("舟山市质量强市建设“十四五”规划"))
    assert a.xlsx == "推进标准强市建设2025年第三季度工作进展情况（附表）.xlsx" and a != b
    assert download_names("a/b:c", "2025Q3").xlsx.startswith("a－b－c")
    header = content_disposition(names.xlsx, files.xlsx.name)
    assert header.startswith(
        "attachment; filename=\"zhejiang-pilot-2023-2025Q3.xlsx\"; filename*=UTF-8''"
    )
    assert "%E6%A0%87" in header  # 标, percent-encoded


def test_the_same_assessment_gives_the_same_annex(tmp_path: Path) -> None:
    one = write_report(province_period(), tmp_path / "1", [])[0].read_bytes()
    two = write_report(province_period(), tmp_path / "2", [])[0].read_bytes()
    assert one == two
