"""Read a filled template safely: size and zip-bomb limits, exact sheets and version, no
formulas, numbers where numbers belong. Every problem names sheet, row and column."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import load_workbook

from reporting.excel import (
    INFO_ROWS,
    INFO_SHEET,
    STATUSES,
    TARGET_SHEET,
    TASK_SHEET,
    TEMPLATE_VERSION,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # a template compresses about 5:1; a zip bomb thousands to one
MAX_ROWS = 5000


class WorkbookRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class ProgressLine:
    task_id: int
    status: str
    text: str


@dataclass
class ValueLine:
    target_id: int
    value: Decimal


@dataclass
class FilledTemplate:
    code: str
    unit_id: str
    progress: list[ProgressLine] = field(default_factory=list)
    values: list[ValueLine] = field(default_factory=list)


def _check_container(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRejected(
            [
                f"文件过大（{len(data) // 1024} KB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）file too large"
            ]
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    raise WorkbookRejected(
                        [
                            f"文件结构异常（{info.filename} 压缩比过高），疑似压缩炸弹 zip bomb; not accepted"
                        ]
                    )
            if total > MAX_UNPACKED_BYTES:
                raise WorkbookRejected(
                    [f"解压后过大（{total // 1024 // 1024} MB）unpacked size too large"]
                )
    except zipfile.BadZipFile:
        raise WorkbookRejected(
            [
                "不是有效的 Excel (.xlsx) 文件 not a valid .xlsx file; 请用下发的模板填写后保存为 .xlsx"
            ]
        ) from None


def read_filled(data: bytes) -> FilledTemplate:
    """Return what a filled template says; raise WorkbookRejected listing every problem."""
    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise WorkbookRejected(
            [f"无法读取工作簿 cannot read the workbook: {type(exc).__name__}"]
        ) from None
    missing = [name for name in (INFO_SHEET, TASK_SHEET, TARGET_SHEET) if name not in wb.sheetnames]
    if missing:
        raise WorkbookRejected(
            [
                f"缺少工作表“{name}”（sheet renamed or removed; 请勿重命名工作表）"
                for name in missing
            ]
        )
    info = {
        wb[INFO_SHEET].cell(row=r, column=1).value: wb[INFO_SHEET].cell(row=r, column=2).value
        for r in range(3, 3 + len(INFO_ROWS))
    }
    if info.get("模板版本") != TEMPLATE_VERSION:
        raise WorkbookRejected(
            [
                f"{INFO_SHEET}!B8: 模板版本为“{info.get('模板版本')}”，应为“{TEMPLATE_VERSION}”"
                "（wrong template version; 请使用本期通知附带的模板）"
            ]
        )
    code, unit_id = str(info.get("参考编号") or ""), str(info.get("单位ID") or "")
    if not code:
        raise WorkbookRejected([f"{INFO_SHEET}!B7: 参考编号为空 (reference code missing)"])
    problems: list[str] = []
    filled = FilledTemplate(code=code, unit_id=unit_id)
    tasks = wb[TASK_SHEET]
    for row in tasks.iter_rows(min_row=2, max_row=min(tasks.max_row, MAX_ROWS)):
        by_col = {c.column: c for c in row}
        if all(c.value in (None, "") for c in row):
            continue
        task_id = _int(by_col.get(1), TASK_SHEET, problems)
        status_cell, text_cell = by_col.get(8), by_col.get(9)
        for cell in (status_cell, text_cell):
            _no_formula(cell, TASK_SHEET, problems)
        status = (
            str(status_cell.value).strip()
            if status_cell is not None and status_cell.value is not None
            else ""
        )
        if status and status not in STATUSES:
            problems.append(
                f"{TASK_SHEET}!{status_cell.coordinate}: 状态“{status}”无效，应为 {'、'.join(STATUSES)}"
            )  # type: ignore[union-attr]
        text = (
            str(text_cell.value).strip()
            if text_cell is not None and text_cell.value is not None
            else ""
        )
        if task_id is not None and (status or text):
            filled.progress.append(ProgressLine(task_id, status or "推进中", text))
    targets = wb[TARGET_SHEET]
    for row in targets.iter_rows(min_row=2, max_row=min(targets.max_row, MAX_ROWS)):
        by_col = {c.column: c for c in row}
        if all(c.value in (None, "") for c in row):
            continue
        target_id = _int(by_col.get(1), TARGET_SHEET, problems)
        cell = by_col.get(7)
        if cell is None or cell.value in (None, ""):
            continue
        if _no_formula(cell, TARGET_SHEET, problems):
            continue
        value = _decimal(cell.value)
        if value is None:
            problems.append(
                f"{TARGET_SHEET}!{cell.coordinate}: “{cell.value}”不是数字（text in a number cell; 请只填数字）"
            )
        elif value < 0:
            problems.append(
                f"{TARGET_SHEET}!{cell.coordinate}: 数值 {value} 为负数（negative value; 请填写不小于0的数）"
            )
        elif target_id is not None:
            filled.values.append(ValueLine(target_id, value))
    if problems:
        raise WorkbookRejected(problems)
    return filled


def _no_formula(cell, sheet: str, problems: list[str]) -> bool:  # type: ignore[no-untyped-def]
    if cell is not None and (
        cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ):
        problems.append(
            f"{sheet}!{cell.coordinate}: 含公式 {str(cell.value)[:40]}（formula not accepted; 请填写数值或文字）"
        )
        return True
    return False


def _int(cell, sheet: str, problems: list[str]) -> int | None:  # type: ignore[no-untyped-def]
    if cell is None or cell.value is None:
        problems.append(f"{sheet}!A?: ID 列为空（id column emptied; 请勿修改灰色列）")
        return None
    try:
        return int(cell.value)
    except (TypeError, ValueError):
        problems.append(
            f"{sheet}!{cell.coordinate}: ID“{cell.value}”被修改（id column changed; 请勿修改灰色列）"
        )
        return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    return None
