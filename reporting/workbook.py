"""Read a filled template safely: size and zip-bomb limits, exact sheets and version, no
formulas, numbers where numbers belong. Every problem names sheet, row and column."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from defusedxml import ElementTree
from openpyxl import load_workbook

from reporting.excel import (
    FILLER_ROWS,
    INFO_ROWS,
    INFO_SHEET,
    STATUSES,
    TARGET_HEADER,
    TARGET_SHEET,
    TASK_HEADER,
    TASK_SHEET,
    TEMPLATE_VERSION,
)
from reporting.unit_text import BadNumber, clean, figure

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_SHEET_BYTES = 8 * 1024 * 1024  # a template's largest sheet is well under 1 MB unpacked
MAX_RATIO = 100  # a template compresses about 5:1; a zip bomb thousands to one
MAX_ROWS = 5000
SHEETS = (INFO_SHEET, TASK_SHEET, TARGET_SHEET)


class WorkbookRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class ProgressLine:
    task_id: int
    status: str  # "" when the unit chose none (the submission is then a 暂存)
    text: str
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下步计划


@dataclass
class ValueLine:
    target_id: int
    value: Decimal
    note: str = ""  # 说明 for a value the plausibility checks question (web form only)


@dataclass
class Details:
    """What a submission says besides its rows: who filled it in, why values are missing, and
    where each answer sits in the workbook (for messages naming sheet!cell)."""

    filler: str = ""  # 填报人
    phone: str = ""  # 联系电话
    reasons: dict[int, str] = field(default_factory=dict)  # target id: 未填原因
    cells: dict[tuple[str, int], str] = field(default_factory=dict)  # (field, id): 任务进展!H2


@dataclass
class FilledTemplate:
    code: str
    unit_id: str
    progress: list[ProgressLine] = field(default_factory=list)
    values: list[ValueLine] = field(default_factory=list)
    details: Details = field(default_factory=Details)


def _check_container(data: bytes) -> None:
    """Refuse what is not a template before loading it: too big, a zip bomb, sheets the
    template does not have (a 3 MB file with a sheet of 1.5 million cells took 15 s and
    700 MiB to load, measured)."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRejected(
            [
                f"文件过大（{len(data) // 1024} KB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB） (file too large)"
            ]
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(archive.infolist())
            _check_sheets(archive)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise WorkbookRejected(
            [
                "不是有效的 Excel (.xlsx) 文件，请用下发的模板填写后保存为 .xlsx (not a valid .xlsx file)"
            ]
        ) from None


def _check_sizes(entries: list[zipfile.ZipInfo]) -> None:
    total = 0
    for info in entries:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise WorkbookRejected(
                [f"文件结构异常（{info.filename} 压缩比过高），疑似压缩炸弹，未予接收 (zip bomb)"]
            )
        if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_BYTES:
            raise WorkbookRejected(
                [
                    f"工作表内容过多（{info.file_size // 1024 // 1024} MB），请只在模板的单元格中填写 (sheet too large)"
                ]
            )
    if total > MAX_UNPACKED_BYTES:
        raise WorkbookRejected(
            [f"解压后过大（{total // 1024 // 1024} MB） (unpacked size too large)"]
        )


def _check_sheets(archive: zipfile.ZipFile) -> None:
    """The workbook's sheets, read from its index without loading any of them."""
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    names = [el.get("name") for el in root.iter() if el.tag.endswith("}sheet")]
    missing = [name for name in SHEETS if name not in names]
    extra = [name for name in names if name not in SHEETS]
    problems = [
        f"缺少工作表“{name}”，请勿重命名或删除工作表 (sheet renamed or removed)" for name in missing
    ]
    problems += [
        f"多出工作表“{name}”，请删除后再报送，只在模板原有的工作表中填写 (extra sheet)"
        for name in extra
    ]
    if problems:
        raise WorkbookRejected(problems)


def read_filled(data: bytes) -> FilledTemplate:
    """Return what a filled template says; raise WorkbookRejected listing every problem."""
    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise WorkbookRejected(
            [f"无法读取工作簿 (cannot read the workbook: {type(exc).__name__})"]
        ) from None
    try:
        filled = _header_of(wb)
        problems: list[str] = []
        filled.progress = _progress(wb[TASK_SHEET], problems, filled.details)
        filled.values = _values(wb[TARGET_SHEET], problems, filled.details)
    finally:
        wb.close()
    if problems:
        raise WorkbookRejected(problems)
    return filled


def _header_of(wb: Any) -> FilledTemplate:
    info = {
        row[0].value: row[1].value
        for row in wb[INFO_SHEET].iter_rows(min_row=3, max_row=2 + len(INFO_ROWS), max_col=2)
        if len(row) >= 2
    }
    if info.get("模板版本") != TEMPLATE_VERSION:
        raise WorkbookRejected(
            [
                f"{INFO_SHEET}!B8: 模板版本为“{info.get('模板版本')}”，应为“{TEMPLATE_VERSION}”，"
                "请使用本期通知附带的模板 (wrong template version)"
            ]
        )
    code, unit_id = str(info.get("参考编号") or ""), str(info.get("单位ID") or "")
    if not code:
        raise WorkbookRejected([f"{INFO_SHEET}!B7: 参考编号为空 (reference code missing)"])
    filled = FilledTemplate(code=code, unit_id=unit_id)
    first = 3 + len(INFO_ROWS)  # 填报人, 联系电话 below the locked rows
    for row in wb[INFO_SHEET].iter_rows(min_row=first, max_row=first + 1, max_col=2):
        if len(row) >= 2 and row[0].value in FILLER_ROWS:
            value = _text(row[1])[:50]
            if row[0].value == FILLER_ROWS[0]:
                filled.details.filler = value
            else:
                filled.details.phone = value[:40]
    return filled


def _rows(sheet: Any, columns: int, problems: list[str]) -> Iterator[dict[int, Any]]:
    """The sheet's non-empty data rows as {column: cell}, at most MAX_ROWS."""
    for count, row in enumerate(
        sheet.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=columns), start=1
    ):
        if count > MAX_ROWS:
            problems.append(
                f"{sheet.title}: 行数超过 {MAX_ROWS}，请只填写模板中的行 (too many rows)"
            )
            return
        cells = [c for c in row if getattr(c, "column", None) is not None]
        if all(c.value in (None, "") for c in cells):
            continue
        yield {c.column: c for c in cells}


def _progress(sheet: Any, problems: list[str], details: Details) -> list[ProgressLine]:
    lines = []
    for by_col in _rows(sheet, len(TASK_HEADER), problems):
        task_id = _int(by_col.get(1), TASK_SHEET, problems)
        status_cell, text_cell = by_col.get(8), by_col.get(9)
        problems_cell, next_cell = by_col.get(10), by_col.get(11)
        for cell in (status_cell, text_cell, problems_cell, next_cell):
            _no_formula(cell, TASK_SHEET, problems)
        row = by_col[min(by_col)].row if by_col else 0
        if task_id is not None:
            for name, letter in (("status", "H"), ("progress", "I"), ("problems", "J")):
                details.cells[(name, task_id)] = f"{TASK_SHEET}!{letter}{row}"
        status = _text(status_cell)
        if status and status not in STATUSES:
            assert status_cell is not None
            problems.append(
                f"{TASK_SHEET}!{status_cell.coordinate}: 状态“{status}”无效，应为 {'、'.join(STATUSES)}"
            )
        text, issues, next_steps = _text(text_cell), _text(problems_cell), _text(next_cell)
        if task_id is not None and (status or text or issues or next_steps):
            lines.append(ProgressLine(task_id, status, text, issues, next_steps))
    return lines


def _values(sheet: Any, problems: list[str], details: Details) -> list[ValueLine]:
    lines = []
    for by_col in _rows(sheet, len(TARGET_HEADER), problems):
        target_id = _int(by_col.get(1), TARGET_SHEET, problems)
        cell, note = by_col.get(7), by_col.get(8)
        if target_id is not None:
            row = by_col[min(by_col)].row
            details.cells[("value", target_id)] = f"{TARGET_SHEET}!G{row}"
            if note is not None and not _no_formula(note, TARGET_SHEET, problems) and _text(note):
                details.reasons[target_id] = _text(note)[:500]
        if cell is None or cell.value in (None, "") or _no_formula(cell, TARGET_SHEET, problems):
            continue
        if isinstance(cell.value, str) or isinstance(cell.value, bool):
            shown = clean(str(cell.value))[:40]
            problems.append(
                f"{TARGET_SHEET}!{cell.coordinate}: “{shown}”不是数字，请只填写数字 (text in a number cell)"
            )
            continue
        try:
            value = figure(cell.value)
        except BadNumber as exc:
            problems.append(f"{TARGET_SHEET}!{cell.coordinate}: 数值 {cell.value} {exc}")
            continue
        if target_id is not None:
            lines.append(ValueLine(target_id, value))
    return lines


def _text(cell: Any) -> str:
    return clean(str(cell.value)) if cell is not None and cell.value is not None else ""


def _no_formula(cell, sheet: str, problems: list[str]) -> bool:
    if cell is not None and (
        cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ):
        problems.append(
            f"{sheet}!{cell.coordinate}: 含公式 {clean(str(cell.value))[:40]}，请填写数值或文字 (formula not accepted)"
        )
        return True
    return False


def _int(cell, sheet: str, problems: list[str]) -> int | None:
    if cell is None or cell.value is None:
        problems.append(f"{sheet}!A?: ID 列为空，请勿修改灰色列 (id column emptied)")
        return None
    try:
        return int(cell.value)
    except (TypeError, ValueError):
        problems.append(
            f"{sheet}!{cell.coordinate}: ID“{clean(str(cell.value))[:20]}”被修改，请勿修改灰色列 (id column changed)"
        )
        return None
