"""A province-sized period (40 units, 200 task rows, 10 targets) and its year, rendered as a
reader sees them (LibreOffice to PDF, pdftoppm to PNG): the pages exist and they are few.

Looked at by eye when written (docs in notes/notice.md): the 通报 prints on 4 A4 pages, the
annex on 14 (报送情况 2, 任务进展 11, 指标进度 1), the yearly 通报 on 3 and its table on 9."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reporting.notice_data import Signature, notice_data
from reporting.report import write_period_report
from reporting.workdays import WorkCalendar
from reporting.yearly import score_year
from reporting.yearly_input import year_input
from reporting.yearly_notice import YearNotice, write_year_notice
from reporting.yearly_xlsx import write_year_xlsx
from tests import render
from tests.report_samples import province_period, province_year

pytestmark = pytest.mark.skipif(not render.available(), reason="LibreOffice or poppler missing")
SIGNED = Signature("浙江省标准化工作领导小组办公室", dt.date(2025, 10, 21), "张明", "0571-87654321")


def pages_of(document: Path, out: Path) -> int:
    pdf = render.to_pdf(document, out / document.suffix[1:])
    pngs = render.to_png(pdf, pdf.parent)
    assert len(pngs) == render.pages(pdf) and all(p.stat().st_size > 1000 for p in pngs)
    return render.pages(pdf)


def test_a_province_period_prints_on_few_pages(tmp_path: Path) -> None:
    r = province_period()
    notice = notice_data(r, WorkCalendar(), SIGNED, "标准化创新发展试点")
    files = write_period_report(r, tmp_path, [], notice=notice)
    assert files.notice is not None
    assert 3 <= pages_of(files.notice, tmp_path) <= 5
    assert 10 <= pages_of(files.xlsx, tmp_path) <= 16


def test_a_province_year_prints_on_few_pages(tmp_path: Path) -> None:
    result = score_year(year_input(province_year(), 2025))
    notice = YearNotice("标准化创新发展试点", SIGNED)
    assert pages_of(write_year_notice(result, notice, tmp_path / "year.docx"), tmp_path) <= 4
    assert (
        pages_of(write_year_xlsx(result, tmp_path / "year.xlsx", dt.date(2026, 1, 15)), tmp_path)
        <= 10
    )
