"""The period report's annex (附表), an .xlsx ready to print: 报送情况, 任务进展, 指标进度 and,
once the plan's last period has closed, 最终评估 in the form of the seed's 表1-1."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from reporting.counts import listed, period_counts
from reporting.figures import PeriodAssessment
from reporting.final import final_lines, value_period
from reporting.progress import STATUS_ZH
from reporting.xlsx_sheet import Column, PrintSheet, Styles, open_workbook, save_workbook
from vocab import zh
from vocab.words import FlagKind, FlagSubject, ReportStatus, TargetStatus

UNIT_STATUS_ZH = {
    ReportStatus.SUBMITTED: "按时报送",
    ReportStatus.LATE: "逾期报送",
    ReportStatus.MISSING: "未报送",
    ReportStatus.WAIVED: "免报",
}
FLAG_ZH = {kind: zh.flag_word(kind, FlagSubject.TASK) for kind in FlagKind}
FILLS: dict[str, str] = {
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
PERCENT = "0.0%"
FIGURE = "0.##"

UNIT_COLUMNS = [
    Column("序号", most=6, align="center"),
    Column("单位", most=24),
    Column("报送情况", most=10, align="center"),
    Column("首次报送时间", most=18, align="center"),
    Column("是否按时", most=10, align="center"),
    Column("逾期工作日", most=12, align="center"),
    Column("备注", most=30),
]
COUNT_HEADER = ["应报", "已报", "按时", "逾期", "未报", "报送率", "按时报送率"]
TASK_COLUMNS = [
    Column("序号", most=6, align="center"),
    Column("单位", most=18),
    Column("编号", most=10),
    Column("任务", most=24),
    Column("角色", most=6, align="center"),
    Column("本期状态", most=10, align="center"),
    Column("本期进展", most=76),
    Column("提示", most=14),
]
TARGET_COLUMNS = [
    Column("编号", most=6),
    Column("指标", most=30),
    Column("责任单位", most=16),
    Column("目标", most=22),
    Column("序时进度应达", most=14, align="right", num_format=FIGURE),
    Column("实际", most=10, align="right", num_format=FIGURE),
    Column("数据期", most=16, align="center"),
    Column("状态", most=16, align="center"),
    Column("预测期末值", most=12, align="right", num_format=FIGURE),
    Column("预测能否完成", most=14, align="center"),
]
FINAL_COLUMNS = [
    Column("序号", most=6, align="center"),
    Column("指标名称", most=40),
    Column("目标", most=24),
    Column("实绩", most=30),
    Column("完成情况", most=12, align="center"),
]


def write_annex(
    r: PeriodAssessment, path: Path, notes: list[str], final: bool, page_header: str
) -> None:
    """Write the annex to `path` (through a temporary file); `final`: with 最终评估."""
    buffer = io.BytesIO()
    wb = open_workbook(buffer, dt.datetime.fromisoformat(r.as_of))
    styles = Styles(wb)
    _units(PrintSheet(wb, styles, "报送情况", UNIT_COLUMNS, page_header), r, notes)
    _tasks(PrintSheet(wb, styles, "任务进展", TASK_COLUMNS, page_header), r)
    _targets(PrintSheet(wb, styles, "指标进度", TARGET_COLUMNS, page_header), r)
    if final:
        _final(PrintSheet(wb, styles, "最终评估", FINAL_COLUMNS, page_header), r)
    save_workbook(wb, buffer, path)


def _units(ws: PrintSheet, r: PeriodAssessment, notes: list[str]) -> None:
    ws.title(f"《{r.plan_title}》{zh.period_name(r.period_label)}工作进展报送情况")
    due = dt.date.fromisoformat(r.due_on)
    c = period_counts(r)
    not_counted = f"；免报{c.waived}家，不计入应报" if c.waived else ""
    ws.line(
        f"截止日期：{zh.date(due)}；统计截至：{zh.date(dt.date.fromisoformat(r.as_of))}；"
        f"单位：家{not_counted}。"
    )
    for note in notes:
        ws.line(f"说明：{note}")
    ws.header(COUNT_HEADER, repeat=False)
    ws.row(
        [c.requested, c.reported, c.on_time, c.late, c.missing, c.reporting_rate, c.on_time_rate],
        formats={5: PERCENT, 6: PERCENT},
        align="center",
    )
    ws.blank()
    ws.header()
    for i, u in enumerate(listed(r.units), start=1):
        own_due = dt.date.fromisoformat(u.due_on) if u.due_on else due
        waived = u.status == ReportStatus.WAIVED
        remark = "经同意免报" if waived else (f"截止日期延至{zh.date(own_due)}" if u.due_on else "")
        ws.row(
            [
                i,
                u.unit_name,
                UNIT_STATUS_ZH[ReportStatus(u.status)],
                u.received_at or "",
                "—" if waived else ("是" if u.on_time else "否"),
                u.overdue_workdays,
                remark,
            ],
            fills={2: FILLS[u.status]},
        )
    ws.finish()


def _tasks(ws: PrintSheet, r: PeriodAssessment) -> None:
    ws.title(f"《{r.plan_title}》{zh.period_name(r.period_label)}任务进展情况")
    ws.header()
    rows = sorted(r.tasks, key=lambda t: (t.unit_order, t.unit_name))  # stable: catalog order
    for i, t in enumerate(rows, start=1):
        flags = "、".join(FLAG_ZH[FlagKind(f)] for f in t.flags)
        ws.row(
            [i, t.unit_name, t.ref, t.title, t.role, t.status, t.text, flags],
            fills={7: "FFEB9C"} if flags else None,
        )
    ws.finish()


def _targets(ws: PrintSheet, r: PeriodAssessment) -> None:
    ws.title(f"《{r.plan_title}》{zh.period_name(r.period_label)}主要指标进度")
    ws.header()
    for t in r.targets:
        dated = value_period(r, t) or (
            zh.period_name(r.period_label) if t.actual is not None else ""
        )
        ws.row(
            [
                t.code,
                t.name,
                t.owner,
                t.goal,
                round(t.expected, 2),
                t.actual,
                dated,
                STATUS_ZH[TargetStatus(t.status)],
                None if t.forecast is None else round(t.forecast, 2),
                "" if t.will_meet is None else ("能" if t.will_meet else "不能"),
            ],
            fills={7: FILLS[t.status]},
        )
    ws.finish()


def _final(ws: PrintSheet, r: PeriodAssessment) -> None:
    ws.title(f"《{r.plan_title}》主要指标完成情况")
    ws.line(
        "说明：实绩为各指标最近一次报送的数值；注明“截至某期”的，为该期报送、此后未再更新的数值。"
    )
    ws.header()
    for line in final_lines(r):
        actual = (
            line.actual if line.actual is not None and not line.carried_from else line.actual_text
        )
        ws.row([line.index, line.name, line.goal, actual, line.verdict], formats={3: FIGURE})
    ws.finish()
