"""The Excel template a unit fills in: its tasks, the targets it owns, last period's answers.

Id columns and the instructions sheet are locked (sheet protection, no password: it prevents
accidents, not determined edits — intake validates everything anyway); status is a drop-down;
values are validated as non-negative numbers; a reference code ties the file to its request.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from reporting.unit_text import cell_text, clean
from vocab import zh

TEMPLATE_VERSION = "duban-template-1"
INFO_SHEET, TASK_SHEET, TARGET_SHEET = "填报说明", "任务进展", "指标数据"
STATUSES = ("已完成", "推进中", "未启动", "受阻")
TASK_HEADER = (
    "任务ID",
    "文件",
    "编号",
    "任务",
    "角色",
    "上期状态",
    "上期进展",
    "本期状态",
    "本期进展",
    "存在问题",
    "下步计划",
)
TARGET_HEADER = ("指标ID", "指标", "目标", "单位", "基期值", "上期报送值", "本期值", "备注")
INFO_ROWS = ("报送单位", "单位ID", "报送期间", "截止日期", "参考编号", "模板版本")
FILLER_ROWS = ("填报人", "联系电话")  # rows 9 and 10 of the info sheet, filled by the unit
NO_NEWS = "本期无新进展"  # reporting.completeness.NO_NEWS
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")


@dataclass
class TaskLine:
    task_id: int
    plan_title: str
    ref: str
    title: str
    role: str  # 牵头 | 配合
    last_status: str = ""
    last_text: str = ""


@dataclass
class TargetLine:
    target_id: int
    name: str
    goal: str  # "≥ 50 项（2025年）"
    measure: str
    baseline: Decimal | None = None
    last_value: Decimal | None = None


@dataclass
class TemplateData:
    unit_name: str
    unit_id: str
    period_label: str
    period_name: str  # 2025年第三季度
    due_on: dt.date
    code: str
    tasks: list[TaskLine] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)


def build_template(data: TemplateData) -> bytes:
    """Return the .xlsx bytes of the template for one request."""
    wb = Workbook()
    _info_sheet(wb.active, data)
    _task_sheet(wb.create_sheet(TASK_SHEET), data)
    _target_sheet(wb.create_sheet(TARGET_SHEET), data)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _info_sheet(info: Any, data: TemplateData) -> None:
    info.title = INFO_SHEET
    info["A1"] = f"{data.unit_name} {data.period_name}工作进展报送表"
    info["A1"].font = Font(bold=True, size=14)
    values = (
        data.unit_name,
        data.unit_id,
        data.period_name,  # what the unit reads; the reference code identifies the period
        f"{data.due_on:%Y-%m-%d}（{zh.weekday(data.due_on)}）",
        data.code,
        TEMPLATE_VERSION,
    )
    for i, (label, value) in enumerate(zip(INFO_ROWS, values, strict=True), start=3):
        info.cell(row=i, column=1, value=label).font = Font(bold=True)
        cell_text(info.cell(row=i, column=2), value)
    for i, label in enumerate(FILLER_ROWS, start=3 + len(INFO_ROWS)):
        info.cell(row=i, column=1, value=label).font = Font(bold=True)
        _input(info.cell(row=i, column=2))
    info.cell(
        row=12,
        column=1,
        value="填写说明：在“任务进展”表为每项任务选择本期状态并填写本期进展（没有新进展请填写"
        f"“{NO_NEWS}”），报“受阻”的请在存在问题中说明原因；在“指标数据”表填写每项指标的本期值，"
        "暂无数据的请在备注中说明未填原因；请填写填报人和联系电话。"
        "灰色列请勿修改，不要重命名工作表；保存后按通知要求报送。",
    )
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 40
    info.protection.sheet = True


def _task_sheet(tasks: Any, data: TemplateData) -> None:
    _header(tasks, TASK_HEADER, (10, 28, 10, 36, 6, 10, 40, 12, 60, 30, 30))
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状态",
        error="请从下拉列表选择：" + "、".join(STATUSES),
    )
    tasks.add_data_validation(status)
    for row, line in enumerate(data.tasks, start=2):
        locked = (
            line.task_id,
            line.plan_title,
            line.ref,
            line.title,
            line.role,
            line.last_status,
            line.last_text,
        )
        _fill_row(tasks, row, locked, inputs=(8, 9, 10, 11), validation=status)
    tasks.protection.sheet = True


def _target_sheet(targets: Any, data: TemplateData) -> None:
    _header(targets, TARGET_HEADER, (10, 40, 18, 8, 10, 12, 12, 30))
    number = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="本期值",
        error="请填写不小于0的数字",
    )
    targets.add_data_validation(number)
    for row, line in enumerate(data.targets, start=2):
        locked = (
            line.target_id,
            line.name,
            line.goal,
            line.measure,
            _num(line.baseline),
            _num(line.last_value),
        )
        _fill_row(targets, row, locked, inputs=(7, 8), validation=number)
    targets.protection.sheet = True


def _header(ws, names: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for col, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = LOCKED_FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _fill_row(
    ws, row: int, locked: tuple[object, ...], inputs: tuple[int, ...], validation: DataValidation
) -> None:
    """Locked, grey cells for what the unit reads; unlocked, yellow ones for what it fills in,
    the first of which is validated."""
    for col, value in enumerate(locked, start=1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, str):  # a unit's words (last period's answer): text, never a formula
            cell_text(cell, clean(value))
        else:
            cell.value = value
        _locked(cell)
    for col in inputs:
        _input(ws.cell(row=row, column=col))
    validation.add(ws.cell(row=row, column=inputs[0]))


def _locked(cell) -> None:
    cell.fill = LOCKED_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _input(cell) -> None:
    cell.protection = Protection(locked=False)
    cell.fill = INPUT_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
