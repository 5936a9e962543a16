"""Read the tables of an edited 任务分工表 as Excel, WPS or LibreOffice saved it: numbers and dates
where text was written, merged cells, trailing blank rows, columns moved. Every cell comes back
as its text and its address (任务分工!C7)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from tasks_catalog.sheet_fields import Column
from tasks_catalog.sheet_values import clean, number_text

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # a 任务分工表 compresses about 6:1; a zip bomb thousands to one
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class SheetProblem:
    """One thing to fix, where it is: 任务分工!C7：…"""

    sheet: str
    cell: str | None
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        return (
            f"{self.sheet}!{self.cell}：{self.message}"
            if self.cell
            else f"{self.sheet}：{self.message}"
        )

    def position(self) -> tuple[int, int]:
        if not self.cell:
            return 0, 0
        letters, row = coordinate_from_string(self.cell)
        return row, column_index_from_string(letters)


class SheetRejected(Exception):
    """The sheet was not applied; `problems` says every cell to fix."""

    def __init__(self, problems: list[SheetProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Cell:
    ref: str  # C7
    text: str


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]  # by column header
    key: str = ""  # the hidden 督办编号 (task ref, target code) it was exported with


def _reject(message: str) -> SheetRejected:
    return SheetRejected([SheetProblem("", None, message)])


def open_book(data: bytes) -> Workbook:
    """The workbook in `data`; raise SheetRejected when it is not a sane .xlsx file."""
    if len(data) > MAX_FILE_BYTES:
        raise _reject(f"文件过大（{len(data) // 1024} KB）；任务分工表不应超过 10 MB")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise _reject(
            "不是 .xlsx 文件；请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再提交"
        ) from None
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO for i in infos
    ):
        raise _reject("文件结构异常（解压后过大），不予读取；请重新导出任务分工表后修改")
    try:
        return load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise _reject(
            "文件已损坏或不是 Excel 工作簿，无法读取；请重新保存为 .xlsx 后再提交"
        ) from None


def cell_text(value: Any, number_format: str = "General") -> str:
    """What an office sees in a cell, as text: 50 for 50.0, 60 for 60%, 2025年6月30日 for a
    date Excel made of what was typed, a formula as the text it was typed as."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, ArrayFormula):
        return clean(value.text or "")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        number = Decimal(repr(value))
        if "%" in number_format:
            number *= 100
        return number_text(number)
    if isinstance(value, dt.datetime | dt.date):
        if "d" not in number_format.lower():  # 2025年6月 typed, Excel keeps the 1st of the month
            return f"{value.year}年{value.month}月"
        return f"{value.year}年{value.month}月{value.day}日"
    return clean(str(value))


def _header_key(text: str) -> str:
    return re.sub(r"[\s*＊]", "", text)


def _find_header(ws: Worksheet, headers: list[str]) -> tuple[int, dict[str, int]] | None:
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, HEADER_SEARCH_ROWS)):
        found = {_header_key(cell_text(c.value)): c.column for c in row if c.value is not None}
        if headers[0] in found and sum(h in found for h in headers) * 2 > len(headers):
            return row[0].row, found
    return None


def _vertical_merges(ws: Worksheet) -> dict[tuple[int, int], Any]:
    """A cell merged down over several rows (one 牵头单位 for three tasks) holds its value for
    each of them."""
    filled: dict[tuple[int, int], Any] = {}
    for merged in ws.merged_cells.ranges:
        if merged.max_row > merged.min_row:
            top = ws.cell(merged.min_row, merged.min_col)
            for r in range(merged.min_row, merged.max_row + 1):
                filled[(r, merged.min_col)] = (top.value, top.number_format)
    return filled


def read_table(
    book: Workbook, sheet: str, columns: tuple[Column, ...], key_header: str
) -> list[Row] | SheetProblem:
    """The rows under the header of `sheet`, blank rows left out; or what is missing."""
    if sheet not in book.sheetnames:
        return SheetProblem(sheet, None, f"找不到“{sheet}”工作表；请不要重命名或删除它")
    ws = book[sheet]
    headers = [c.header for c in columns]
    located = _find_header(ws, headers)
    if located is None:
        return SheetProblem(
            sheet, None, f"找不到表头（{'、'.join(headers)}）；请保留导出时的表头行"
        )
    header_row, found = located
    missing = [h for h in headers if h not in found]
    if missing:
        where = f"{get_column_letter(ws.max_column + 1)}{header_row}"
        return SheetProblem(sheet, where, f"表头缺少“{'”“'.join(missing)}”列；请把它加回表头行")
    key_col = next((col for text, col in found.items() if text.startswith(key_header)), None)
    last = header_row + MAX_ROWS
    if ws.max_row > last and any(
        v is not None for r in ws.iter_rows(min_row=last + 1, values_only=True) for v in r
    ):
        return SheetProblem(sheet, None, f"行数超过 {MAX_ROWS} 行；请分成几个计划")
    merged = _vertical_merges(ws)
    rows: list[Row] = []
    for r in range(header_row + 1, min(ws.max_row, last) + 1):
        cells = {h: _cell(ws, r, found[h], merged) for h in headers}
        key = _cell(ws, r, key_col, merged).text if key_col else ""
        if any(c.text for c in cells.values()):
            rows.append(Row(r, cells, key))
    return rows


def _cell(ws: Worksheet, row: int, col: int, merged: dict[tuple[int, int], Any]) -> Cell:
    if (row, col) in merged:
        value, number_format = merged[(row, col)]
    else:
        cell = ws.cell(row, col)
        value, number_format = cell.value, cell.number_format
    return Cell(f"{get_column_letter(col)}{row}", cell_text(value, number_format))


def read_meta(book: Workbook, sheet: str) -> dict[str, str]:
    """The hidden sheet's label → value pairs (计划 → slug); empty when the sheet is gone."""
    if sheet not in book.sheetnames:
        return {}
    ws = book[sheet]
    return {
        cell_text(a): cell_text(b)
        for a, b, *_ in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=2, values_only=True)
        if a is not None
    }
