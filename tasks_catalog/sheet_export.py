"""Write a plan as the 任务分工表 an office keeps: A4 landscape, one page wide, header repeated on
every page and frozen, every text written as text, a hidden column of keys so edits land on the
right task or target. Written with XlsxWriter, whose files are the same bytes for the same plan."""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tasks_catalog.directory import Directory
from tasks_catalog.schema import Plan
from tasks_catalog.sheet_fields import (
    FORMAT,
    GUIDE_SHEET,
    KEY_HEADER,
    META_SHEET,
    TARGET_COLUMNS,
    TARGET_SHEET,
    TASK_COLUMNS,
    TASK_SHEET,
    UNIT_SHEET,
    Column,
)
from tasks_catalog.sheet_values import CMP_WORDS, KIND_WORDS

HEADER_ROW = 2  # 0-based: the title, the document line, then the header
SPARE_ROWS = 300  # drop-downs and input hints reach this far below the last row
# Excel, WPS and LibreOffice would run text starting with these as a formula (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BODY_FONT, TITLE_FONT = "宋体", "黑体"
GLYPH_WIDTH = 2.2  # column-width units one Chinese character of 11 pt takes, with some room
LINE_HEIGHT = 15.0  # points per line of 11 pt text
GUIDE_WIDTH = 110
KIND_OF_UNIT = {
    "department": "部门",
    "government": "政府",
    "party": "党委部门",
    "office": "办公室",
    "agency": "机构",
    "collective": "统称（由办公室分解到单位）",
}
UNIT_HINT = (
    "填写“单位名录”表中的单位全称或简称，多个单位用顿号“、”分隔。标有“（待确认）”的是督办按职责"
    "建议的单位：同意就删去“（待确认）”，不同意就删去这个单位。"
)
DEADLINE_HINT = "写成“2025年底前”“6月底前”或“长期坚持”；不填表示没有规定期限。"


@dataclass(frozen=True)
class Formats:
    title: Format
    subtitle: Format
    header: Format
    left: Format  # long text: wrapped, top-left
    centre: Format  # short text: 序号, 完成时限, 比较
    left_quoted: Format  # the same, shown and kept as text though it starts like a formula
    centre_quoted: Format
    number: Format
    column: Format  # what a cell the office types into later gets: text, wrapped
    plain: Format  # the instructions sheet


def _formats(book: Workbook) -> Formats:
    cell = {"font_name": BODY_FONT, "font_size": 11, "text_wrap": True, "valign": "vcenter"}
    boxed = {**cell, "border": 1, "num_format": "@"}
    return Formats(
        title=book.add_format(
            {
                "font_name": TITLE_FONT,
                "font_size": 16,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        subtitle=book.add_format({**cell, "text_wrap": False, "font_size": 10}),
        header=book.add_format(
            {
                **boxed,
                "font_name": TITLE_FONT,
                "bold": True,
                "align": "center",
                "bg_color": "#D9D9D9",
            }
        ),
        left=book.add_format({**boxed, "align": "left"}),
        centre=book.add_format({**boxed, "align": "center"}),
        left_quoted=book.add_format({**boxed, "align": "left", "quote_prefix": True}),
        centre_quoted=book.add_format({**boxed, "align": "center", "quote_prefix": True}),
        number=book.add_format({**boxed, "align": "center", "num_format": "0"}),
        column=book.add_format({**cell, "num_format": "@"}),
        plain=book.add_format({**cell, "valign": "top"}),
    )


def text_width(text: str) -> float:
    """Excel column-width units the longest line of `text` takes (the unit is a digit of the
    workbook's Calibri 11; a Chinese character of 宋体 11 takes about 2.2 of them)."""
    return max(
        sum(GLYPH_WIDTH if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in line)
        for line in text.split("\n")
    )


def row_height(texts: Sequence[str], widths: Sequence[int]) -> float:
    """Points a row of wrapped cells needs: Excel, WPS and LibreOffice do not all grow a row to
    its text when they open a file, so the file says how tall each one is."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        usable = max(width - 1, 1)
        wrapped = sum(max(math.ceil(text_width(part) / usable), 1) for part in text.split("\n"))
        lines = max(lines, wrapped)
    return lines * LINE_HEIGHT + 4


def _width(column: Column, texts: Sequence[str]) -> int:
    low, high = column.widths
    wanted = math.ceil(max([text_width(column.header), *map(text_width, texts)])) + 2
    return max(low, min(high, wanted))


def _write(sheet: Worksheet, row: int, col: int, text: str, column: Column, f: Formats) -> None:
    short = column.widths[1] <= 16
    if column.numeric and text.isdigit():
        sheet.write_number(row, col, int(text), f.number)
    elif text.startswith(FORMULA_START):
        sheet.write_string(row, col, text, f.centre_quoted if short else f.left_quoted)
    elif text:
        sheet.write_string(row, col, text, f.centre if short else f.left)
    else:
        sheet.write_blank(row, col, None, f.centre if short else f.left)


def _print_setup(sheet: Worksheet, landscape: bool = True) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    sheet.repeat_rows(HEADER_ROW)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _table(
    sheet: Worksheet,
    f: Formats,
    titles: tuple[str, str],
    columns: tuple[Column, ...],
    items: Sequence[Any],
    keys: Sequence[str],
) -> None:
    """Title, document line, header, one row per item and the hidden key column after them."""
    rows = [[c.render(c.get(item)) for c in columns] for item in items]
    key_col = len(columns)
    widths = [_width(column, [r[i] for r in rows]) for i, column in enumerate(columns)]
    for i, column in enumerate(columns):
        sheet.set_column(i, i, widths[i], None if column.numeric else f.column)
    sheet.set_column(key_col, key_col, 12, f.column, {"hidden": True})
    for r, (text, fmt, height) in enumerate(
        ((titles[0], f.title, 36), (titles[1], f.subtitle, 20))
    ):
        sheet.merge_range(r, 0, r, key_col - 1, "", fmt)
        sheet.write_string(r, 0, text, fmt)
        sheet.set_row(r, height)
    for i, column in enumerate(columns):
        sheet.write_string(HEADER_ROW, i, column.header, f.header)
    sheet.write_string(HEADER_ROW, key_col, f"{KEY_HEADER}（勿改）", f.header)
    for r, (texts, key) in enumerate(zip(rows, keys, strict=True), start=HEADER_ROW + 1):
        for i, (text, column) in enumerate(zip(texts, columns, strict=True)):
            _write(sheet, r, i, text, column, f)
        sheet.set_row(r, row_height(texts, widths))
        sheet.write_string(r, key_col, key, f.left)
    _print_setup(sheet)
    if rows:
        last = HEADER_ROW + len(rows)
        sheet.ignore_errors({"number_stored_as_text": f"A{HEADER_ROW + 2}:Z{last + 1}"})


def _hints(sheet: Worksheet, columns: tuple[Column, ...], count: int) -> None:
    """Drop-downs for the words a column takes, input hints for units and deadlines."""
    last = HEADER_ROW + count + SPARE_ROWS
    for i, column in enumerate(columns):
        if column.name in ("cmp", "kind"):
            words = list((CMP_WORDS if column.name == "cmp" else KIND_WORDS).values())
            sheet.data_validation(
                HEADER_ROW + 1,
                i,
                last,
                i,
                {
                    "validate": "list",
                    "source": words,
                    "error_type": "warning",
                    "error_title": column.header,
                    "error_message": f"请选择：{'、'.join(words)}",
                },
            )
        hint = {
            "leads": UNIT_HINT,
            "supports": UNIT_HINT,
            "owner": UNIT_HINT,
            "deadline": DEADLINE_HINT,
        }
        if column.name in hint:
            sheet.data_validation(
                HEADER_ROW + 1,
                i,
                last,
                i,
                {
                    "validate": "any",
                    "input_title": column.header,
                    "input_message": hint[column.name],
                },
            )


def _doc_line(plan: Plan, exported_on: dt.date | None) -> str:
    parts = [f"文号：{plan.doc_number}"] if plan.doc_number else []
    parts += [f"发文单位：{plan.issuer}"] if plan.issuer else []
    parts.append(f"实施期限：{plan.start_year}—{plan.end_year}年")
    if exported_on:
        parts.append(f"导出日期：{exported_on.year}年{exported_on.month}月{exported_on.day}日")
    return "　　".join(parts)


def _unit_sheet(sheet: Worksheet, f: Formats, plan: Plan, directory: Directory) -> None:
    units = directory.in_jurisdiction(plan.jurisdiction)
    name = directory.jurisdictions.get(plan.jurisdiction, {}).get("name", plan.jurisdiction)
    sheet.merge_range(0, 0, 0, 2, "", f.title)
    sheet.write_string(0, 0, f"{name}单位名录", f.title)
    sheet.write_string(1, 0, "任务分工、指标表中的单位请从这里选用；简称和别名也可以。", f.subtitle)
    for i, (header, width) in enumerate((("单位名称", 28), ("简称及别名", 60), ("类别", 24))):
        sheet.set_column(i, i, width)
        sheet.write_string(HEADER_ROW, i, header, f.header)
    for r, unit in enumerate(units, start=HEADER_ROW + 1):
        for i, text in enumerate(
            (unit.name, "、".join(unit.aliases), KIND_OF_UNIT.get(unit.kind, unit.kind))
        ):
            sheet.write_string(r, i, text, f.left)
    _print_setup(sheet, landscape=False)


def _guide_sheet(sheet: Worksheet, f: Formats, plan: Plan) -> None:
    lines = (
        f"本表由督办从“{plan.title}”导出。修改后保存为 .xlsx 交回督办，检查通过后一并更新计划；"
        "有任何一格填得不对，整张表都不会生效，督办会逐格指出位置和改法。",
        "任务分工：一行一项任务。增加任务就插入一行，填写序号、任务、牵头单位；删除任务就删除整行。",
        UNIT_HINT,
        f"完成时限：写成“{plan.end_year}年底前”“{plan.end_year}年6月底前”“6月底前”（指发文当年）或“长期坚持”；"
        "不填表示没有规定期限。",
        "指标：目标值写数字，如 50；区间写 10–20；每年都要达到的写“每年 10”。比较：不低于、不高于、等于、高于、约。"
        "类型：新增（规划期内新增）、累计（期末累计达到）、水平（比率或水平值）。",
        "请不要修改表头、重命名工作表，也不要改动隐藏的“督办编号”列：督办用它认出原有的任务和指标。",
    )
    sheet.set_column(0, 0, GUIDE_WIDTH, f.plain)
    sheet.write_string(0, 0, "填写说明", f.title)
    sheet.set_row(0, 36)
    for r, line in enumerate(lines, start=1):
        sheet.write_string(r, 0, f"{r}. {line}", f.plain)
        sheet.set_row(r, row_height([line], [GUIDE_WIDTH]) + 4)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def export_plan(plan: Plan, directory: Directory, *, exported_on: dt.date | None = None) -> bytes:
    """The plan's 任务分工表 (.xlsx). Without `exported_on` the file carries no date, so the same
    plan gives the same bytes."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    book = xlsxwriter.Workbook(buffer, {**options, "strings_to_urls": False})
    created = dt.datetime.combine(exported_on or dt.date(1980, 1, 1), dt.time())
    book.set_properties(
        {"title": plan.title, "subject": "任务分工表", "author": "督办", "created": created}
    )
    f = _formats(book)
    doc_line = _doc_line(plan, exported_on)
    tasks = book.add_worksheet(TASK_SHEET)
    _table(
        tasks,
        f,
        (f"《{plan.title}》任务分工表", doc_line),
        TASK_COLUMNS,
        plan.tasks,
        [t.ref for t in plan.tasks],
    )
    _hints(tasks, TASK_COLUMNS, len(plan.tasks))
    targets = book.add_worksheet(TARGET_SHEET)
    codes = [t.code for t in plan.targets]
    _table(targets, f, (f"《{plan.title}》主要指标", doc_line), TARGET_COLUMNS, plan.targets, codes)
    _hints(targets, TARGET_COLUMNS, len(plan.targets))
    _unit_sheet(book.add_worksheet(UNIT_SHEET), f, plan, directory)
    _guide_sheet(book.add_worksheet(GUIDE_SHEET), f, plan)
    meta = book.add_worksheet(META_SHEET)
    for r, pair in enumerate((("计划", plan.slug), ("格式", FORMAT))):
        meta.write_row(r, 0, pair)
    meta.hide()
    book.close()
    return buffer.getvalue()
