"""The period 通报: it names the late and missing units with their working days overdue, in
the directory's order; its numbers are the annex's; it is in 公文 form and reproducible."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from reporting.figures import PeriodAssessment, UnitRow
from reporting.notice import write_notice
from reporting.notice_data import Highlight, NoticeData, Signature, UnitProblem, notice_data
from reporting.report import write_period_report
from reporting.workdays import WorkCalendar
from tests.report_samples import province_period

SIGNED = Signature("标准强市建设领导小组办公室", dt.date(2025, 10, 21), "王芳", "0580-2281234")


def small_period() -> PeriodAssessment:
    """Due 2025-10-14 (a Tuesday), assessed 2025-10-21: 5 working days later."""
    r = province_period(n_units=6, per_unit=2)
    r.units = [
        UnitRow("zs-sti", "市科技局", "late", "2025-10-16 10:00", False, 340),
        UnitRow("zs-amr", "市市场监管局", "missing", None, False, 530),
        UnitRow("zs-drc", "市发改委", "submitted", "2025-10-13 09:00", True, 310),
        UnitRow("zs-dh", "定海区政府", "missing", None, False, 910),
        UnitRow("zs-pcgo", "市委办", "late", "2025-10-15 17:00", False, 110),
        UnitRow("zs-com", "市商务局", "waived", None, False, 460),
        # extended to 2025-10-16, reported on the 20th: 2 working days late, not 4
        UnitRow("zs-eit", "市经信局", "late", "2025-10-20 08:30", False, 320, "2025-10-16"),
    ]
    r.reporting_rate, r.on_time_rate = 4 / 6, 1 / 6
    return r


def build(r: PeriodAssessment, **kw: object) -> NoticeData:
    return notice_data(r, WorkCalendar(), SIGNED, "标准强市建设", **kw)  # type: ignore[arg-type]


def east_asian(element: Any) -> str:
    """The Chinese font of a style or a run (`w:rFonts/@w:eastAsia`)."""
    return str(element.rPr.rFonts.get(qn("w:eastAsia")))


def text_of(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_notice_names_late_and_missing_units_in_official_order_with_days_overdue(
    tmp_path: Path,
) -> None:
    path = write_notice(build(small_period()), tmp_path / "n.docx")
    text = text_of(path)
    assert "关于2025年第三季度标准强市建设工作进展情况的通报" in text
    late = re.search(r"逾期报送的单位（(\d+)家）：(.+?)。", text)
    missing = re.search(r"未报送的单位（(\d+)家）：(.+?)。", text)
    assert late and late.group(1) == "3"
    assert (
        late.group(2)
        == "市委办（逾期1个工作日）、市经信局（逾期2个工作日）、市科技局（逾期2个工作日）"
    )
    assert (
        missing
        and missing.group(2) == "市市场监管局（已逾期5个工作日）、定海区政府（已逾期5个工作日）"
    )
    assert "经同意免报的单位（1家）：市商务局。" in text


def test_the_notices_numbers_are_the_annexs(tmp_path: Path) -> None:
    r = province_period()
    files = write_period_report(r, tmp_path, [], notice=build(r))
    assert files.notice is not None
    text = text_of(files.notice)
    found = re.search(
        r"应报送单位(\d+)家.*?已报送(\d+)家，其中按时报送(\d+)家、逾期报送(\d+)家，未报送(\d+)家；"
        r"报送率([\d.]+)%，按时报送率([\d.]+)%",
        text,
    )
    assert found
    sheet = load_workbook(files.xlsx)["报送情况"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "应报")
    values = [c.value for c in sheet[header[0].row + 1]][:7]
    assert [int(g) for g in found.groups()[:5]] == values[:5]
    assert [float(g) for g in found.groups()[5:]] == [round(v * 100, 1) for v in values[5:]]
    # and the days overdue are the annex's too
    units = {
        row[1].value: row[5].value for row in sheet.iter_rows() if isinstance(row[0].value, int)
    }
    for name, days in re.findall(r"([^、：（）]+)（(?:已)?逾期(\d+)个工作日）", text):
        assert units[name] == int(days)


def test_the_notice_is_in_official_form_and_signed_without_weekday(tmp_path: Path) -> None:
    path = write_notice(build(small_period()), tmp_path / "n.docx")
    doc = Document(str(path))
    section = doc.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin]  # fmt: skip
    assert [round(m.mm) for m in sizes if m is not None] == [210, 297, 37, 35, 28, 26]
    assert east_asian(doc.styles["Normal"].element) == "仿宋_GB2312"
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert east_asian(heading.runs[0]._element) == "黑体"
    assert east_asian(doc.paragraphs[0].runs[0]._element) == "方正小标宋简体"  # the title
    texts = [p.text for p in doc.paragraphs]
    signed = texts.index("标准强市建设领导小组办公室")
    assert texts[signed + 1] == "2025年10月21日" and "星期" not in "".join(texts)
    assert texts[signed + 2] == "（联系人：王芳；联系电话：0580-2281234）"
    assert "附件：标准强市建设2025年第三季度工作进展情况（附表）" in texts


def test_highlights_problems_and_next_steps(tmp_path: Path) -> None:
    r = small_period()
    lit = [
        Highlight("red", "二(一)1", "推动标准化与科技创新互动发展", "市科技局", "连续两期未启动")
    ]
    data = build(r, highlights=lit, unit_problems=[UnitProblem("市科技局", "专项资金尚未到位")])
    text = text_of(write_notice(data, tmp_path / "n.docx"))
    assert "亮红灯的任务（1项）：" in text and "（市科技局）：连续两期未启动" in text
    assert "市科技局：专项资金尚未到位" in text and "报送不够及时。" in text
    assert "请市市场监管局、定海区政府抓紧补报2025年第三季度工作进展。" in text
    assert "各单位要对照目标任务" in text  # the standard paragraph the office edits
    # no task lights yet: nothing said about them; none lit: said so
    assert "亮红灯" not in text_of(write_notice(build(r), tmp_path / "a.docx"))
    assert "本期无亮红灯、黄灯的任务。" in text_of(
        write_notice(build(r, highlights=[]), tmp_path / "b.docx")
    )


def test_a_carried_value_is_labelled_with_its_period_in_the_notice(tmp_path: Path) -> None:
    r = province_period()
    carried = next(t for t in r.targets if t.code == "T4")
    assert carried.series[-1][0] == "2025-06-30"
    text = text_of(write_notice(build(r), tmp_path / "n.docx"))
    assert f"{carried.actual:g}（截至2025年第二季度）" in text


def test_the_same_period_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write_notice(build(small_period()), tmp_path / "1.docx").read_bytes()
    again = write_notice(build(small_period()), tmp_path / "2.docx").read_bytes()
    assert first == again
