"""The period report, ready to forward: an .xlsx (报送情况, 任务进展, 指标进度) and an HTML page
with charts (inline SVG, no scripts, opens anywhere)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from reporting.assess import PeriodAssessment
from reporting.periods import quarter_name
from reporting.progress import ACHIEVED, STATUS_ZH

UNIT_STATUS_ZH = {
    "submitted": "按时报送",
    "late": "逾期报送",
    "missing": "未报送",
    "waived": "免报",
}
FLAG_ZH = {"missing": "未报进展", "blocked": "自报受阻", "copied": "与上期雷同"}
FILLS = {
    "submitted": "C6EFCE",
    "late": "FFEB9C",
    "missing": "FFC7CE",
    "waived": "EEEEEE",
    "achieved": "C6EFCE",
    "on track": "C6EFCE",
    "behind": "FFEB9C",
    "seriously behind": "FFC7CE",
    "no data": "EEEEEE",
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
            period_name=quarter_name(result.period_label),
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


BOLD = Font(bold=True)
PATTERNS = {color: PatternFill("solid", fgColor=color) for color in set(FILLS.values())}
WIDTHS = (24, 40, 16, 18, 16, 40, 16, 14, 12)


class _Sheet:
    """A write-only sheet (openpyxl streams it to disk: a fraction of the time of a normal sheet,
    measured on a province's 100 reports) with Duban's column widths."""

    def __init__(self, wb: Workbook, title: str):
        self.ws = wb.create_sheet(title)
        for col, width in zip("ABCDEFGHI", WIDTHS, strict=False):
            self.ws.column_dimensions[col].width = width

    def row(
        self, values: list[Any], bold: bool = False, fills: dict[int, str] | None = None
    ) -> None:
        if not bold and not fills:  # plain values: a styled cell object costs 10× a value
            self.ws.append(values)
            return
        cells = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(self.ws, value)
            if bold:
                cell.font = BOLD
            if fills and i in fills:
                cell.fill = PATTERNS[fills[i]]
            cells.append(cell)
        self.ws.append(cells)


def _xlsx(r: PeriodAssessment, path: Path, notes: list[str], final: bool) -> None:
    wb = Workbook(write_only=True)
    ws = _Sheet(wb, "报送情况")
    ws.row(
        [
            f"《{r.plan_title}》{quarter_name(r.period_label)}工作进展报送情况（截止 {r.due_on}，统计至 {r.as_of}）"
        ]
    )
    ws.row([f"报送率 {r.reporting_rate:.0%}，按时报送率 {r.on_time_rate:.0%}"])
    for note in notes:
        ws.row([f"说明：{note}"])
    ws.row(["单位", "报送情况", "首次报送时间", "是否按时"], bold=True)
    for u in r.units:
        ws.row([u.unit_name, UNIT_STATUS_ZH[u.status], u.received_at or "", "是" if u.on_time else "否"],
               fills={1: FILLS[u.status]})  # fmt: skip

    ws = _Sheet(wb, "任务进展")
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

    ws = _Sheet(wb, "指标进度")
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
        ws.row([t.code, t.name, t.owner, t.goal, round(t.expected, 2), t.actual, STATUS_ZH[t.status],
                None if t.forecast is None else round(t.forecast, 2),
                "" if t.will_meet is None else ("能" if t.will_meet else "不能")],
               fills={6: FILLS[t.status]})  # fmt: skip

    if final:  # the form of the seed's 表1-1
        ws = _Sheet(wb, "最终评估")
        ws.row(["序号", "指标名称", "目标", "实绩", "完成情况"], bold=True)
        for i, t in enumerate(r.targets, start=1):
            ws.row([i, t.name, t.goal, t.actual if t.actual is not None else "未报",
                    "已达到" if t.status == ACHIEVED else "未达到"])  # fmt: skip
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    tmp.replace(path)
