"""The period report, ready to forward: an .xlsx (报送情况, 任务进展, 指标进度) and an HTML page
with charts (inline SVG, no scripts, opens anywhere)."""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from reporting.figures import PeriodAssessment
from reporting.progress import ACHIEVED, STATUS_ZH
from vocab import zh
from vocab.words import FlagKind, FlagSubject, ReportStatus, TargetStatus

log = logging.getLogger(__name__)

UNIT_STATUS_ZH = {
    ReportStatus.SUBMITTED: "按时报送",
    ReportStatus.LATE: "逾期报送",
    ReportStatus.MISSING: "未报送",
    ReportStatus.WAIVED: "免报",
}
FLAG_ZH = {kind: zh.flag_word(kind, FlagSubject.TASK) for kind in FlagKind}
FILLS = {
    ReportStatus.SUBMITTED: "C6EFCE",
    ReportStatus.LATE: "FFEB9C",
    ReportStatus.MISSING: "FFC7CE",
    ReportStatus.WAIVED: "EEEEEE",
    TargetStatus.ACHIEVED: "C6EFCE",
    TargetStatus.ON_TRACK: "C6EFCE",
    TargetStatus.BEHIND: "FFEB9C",
    TargetStatus.SERIOUSLY_BEHIND: "FFC7CE",
    TargetStatus.NO_DATA: "EEEEEE",
}


def write_report(
    result: PeriodAssessment, out_dir: Path, notes: list[str], final: bool = False
) -> tuple[Path, Path]:
    """Write `<plan>-<period>.xlsx` and `.html` into `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"{result.plan_slug}-{result.period_label}"
    xlsx, html = base.with_suffix(".xlsx"), base.with_suffix(".html")
    _xlsx(result, xlsx, notes, final)
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=result,
            period_name=zh.period_name(result.period_label),
            notes=notes,
            final=final,
            unit_status=UNIT_STATUS_ZH,
            status_zh=STATUS_ZH,
            flag_zh=FLAG_ZH,
            colors=FILLS,
        )
    )
    tmp = html.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html)
    return xlsx, html


@cache  # the template is compiled once: a province writes 100 reports in one tick
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(),
    )


WIDTHS = (24, 40, 16, 18, 16, 40, 16, 14, 12)


class _Sheet:
    """One sheet of the report workbook, written row by row, with Duban's column widths.

    The report is written with XlsxWriter, made for writing workbooks: a province's 100
    reports took 0.45 of openpyxl's time in write-only mode (measured, bench/RESULTS.md), and
    the per-workbook cost of openpyxl's object model was a third of it. openpyxl still writes
    the templates (their validation and protection) and reads what units send back.
    Text is always written as text: a unit's progress beginning with "=" or "http" stays
    what they wrote, never a formula or a link."""

    def __init__(self, wb: Workbook, title: str, formats: dict[str, Format]):
        self.ws = wb.add_worksheet(title)
        self.formats = formats
        self.index = 0
        for col, width in enumerate(WIDTHS):
            self.ws.set_column(col, col, width)

    def row(
        self, values: list[Any], bold: bool = False, fills: dict[int, str] | None = None
    ) -> None:
        ws, r = self.ws, self.index
        for col, value in enumerate(values):
            style = self.formats["bold"] if bold else None
            if fills and col in fills:
                style = self.formats[fills[col]]
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(r, col, None, style)
            elif isinstance(value, str):
                ws.write_string(r, col, value, style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, col, value, style)
            else:
                ws.write_string(r, col, str(value), style)
        self.index += 1


def _xlsx(r: PeriodAssessment, path: Path, notes: list[str], final: bool) -> None:
    buffer = io.BytesIO()
    wb = Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {"bold": wb.add_format({"bold": True})}
    for color in set(FILLS.values()):  # solid: XlsxWriter stores the colour as the fill's fgColor
        formats[color] = wb.add_format({"pattern": 1, "bg_color": f"#{color}"})
    ws = _Sheet(wb, "报送情况", formats)
    ws.row(
        [
            f"《{r.plan_title}》{zh.period_name(r.period_label)}工作进展报送情况（截止 {r.due_on}，统计至 {r.as_of}）"
        ]
    )
    ws.row([f"报送率 {r.reporting_rate:.0%}，按时报送率 {r.on_time_rate:.0%}"])
    for note in notes:
        ws.row([f"说明：{note}"])
    ws.row(["单位", "报送情况", "首次报送时间", "是否按时"], bold=True)
    for u in r.units:
        ws.row(
            [
                u.unit_name,
                UNIT_STATUS_ZH[u.status],
                u.received_at or "",
                "是" if u.on_time else "否",
            ],
            fills={1: FILLS[u.status]},
        )

    ws = _Sheet(wb, "任务进展", formats)
    ws.row(["编号", "任务", "单位", "角色", "本期状态", "本期进展", "提示"], bold=True)
    for t in r.tasks:
        ws.row(
            [
                t.ref,
                t.title,
                t.unit_name,
                t.role,
                t.status,
                t.text,
                "、".join(FLAG_ZH[f] for f in t.flags),
            ]
        )

    ws = _Sheet(wb, "指标进度", formats)
    ws.row(
        [
            "编号",
            "指标",
            "责任单位",
            "目标",
            "序时进度应达",
            "实际",
            "状态",
            "预测期末值",
            "预测能否完成",
        ],
        bold=True,
    )
    for t in r.targets:
        ws.row(
            [
                t.code,
                t.name,
                t.owner,
                t.goal,
                round(t.expected, 2),
                t.actual,
                STATUS_ZH[t.status],
                None if t.forecast is None else round(t.forecast, 2),
                "" if t.will_meet is None else ("能" if t.will_meet else "不能"),
            ],
            fills={6: FILLS[t.status]},
        )

    if final:  # the form of the seed's 表1-1
        ws = _Sheet(wb, "最终评估", formats)
        ws.row(["序号", "指标名称", "目标", "实绩", "完成情况"], bold=True)
        for i, t in enumerate(r.targets, start=1):
            ws.row(
                [
                    i,
                    t.name,
                    t.goal,
                    t.actual if t.actual is not None else "未报",
                    "已达到" if t.status == ACHIEVED else "未达到",
                ]
            )
    wb.close()
    tmp = path.with_suffix(".xlsx.tmp")
    tmp.write_bytes(buffer.getbuffer())
    tmp.replace(path)
