"""A print-ready worksheet (XlsxWriter): a title over the table, column widths from what the
columns hold (a CJK character counts double), wrapped text with row heights to match, A4
landscape fitted to the page width, the header row repeated on every page and frozen on
screen, the plan, the period and page numbers in the page header and footer.

Text is always written as text: a unit's progress beginning with "=" or "http" stays what
they wrote, never a formula or a link (the workbook is opened with `strings_to_formulas` and
`strings_to_urls` off, and strings are written with `write_string`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FONT = "宋体"
SIZE = 10.5  # 五号, the size of a Chinese table
# Points per line of 五号 text: 宋体 itself needs 13.5, the Noto CJK fonts that stand in for it
# where 宋体 is not installed (LibreOffice on Linux) 15; rows are sized for the larger.
LINE = 15.0
PAD = 2  # characters of padding beside a column's widest entry
PAPER_A4 = 9


def text_width(text: str) -> int:
    """Display width of one line of text in a Chinese font: a character of three or more
    bytes in UTF-8 (CJK, and the punctuation a CJK font draws full-width: “”、≥ —) counts 2,
    others 1. Counted from the encoded length, in C: a lookup per character was a third of
    writing a province's report (measured)."""
    return (len(text.encode("utf-8")) + len(text)) // 2


def line_widths(text: str) -> list[int]:
    return [text_width(line) for line in text.split("\n")]


def lines_needed(text: str | list[int], width: float) -> int:
    """Lines a text (or its lines' widths) takes wrapped in a column `width` wide (with a
    little room for the breaks Chinese typesetting moves: no line begins with a comma)."""
    widths = line_widths(text) if isinstance(text, str) else text
    room = max(1.0, width - 1.5)
    return sum(1 if w <= width else math.ceil(w * 1.04 / room) for w in widths)


@dataclass(frozen=True)
class Column:
    header: str
    most: int = 40  # the widest the column grows; longer text wraps
    least: int = 4
    align: str = "left"  # left | center | right
    num_format: str | None = None


def open_workbook(buffer: io.BytesIO, created: dt.datetime) -> Workbook:
    """A workbook writing into `buffer`, text as text, dated `created` (no clock read: the same
    figures give the same bytes)."""
    # The workbook's own font is 宋体: Excel measures column widths in its digits, half a
    # CJK character each, so a width of 2 per CJK character is what the column shows.
    wb = Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": FONT, "font_size": SIZE},
        },
    )
    wb.set_properties({"created": created, "author": "督办", "title": ""})
    return wb


def save_workbook(wb: Workbook, buffer: io.BytesIO, path: Path) -> None:
    """Close `wb` and write it to `path` through a temporary file (no half-written report)."""
    wb.close()
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(buffer.getbuffer())
    tmp.replace(path)


class Styles:
    """The workbook's cell formats, made once each (XlsxWriter keeps every one it is given)."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self._made: dict[tuple[Any, ...], Format] = {}

    def get(
        self,
        *,
        bold: bool = False,
        fill: str | None = None,
        align: str = "left",
        num_format: str | None = None,
        border: bool = True,
        size: float = SIZE,
    ) -> Format:
        key = (bold, fill, align, num_format, border, size)
        if key not in self._made:
            spec: dict[str, Any] = {
                "font_name": FONT,
                "font_size": size,
                "text_wrap": True,
                "valign": "vcenter" if bold else "top",
                "align": align,
            }
            if bold:
                spec["bold"] = True
            if border:
                spec["border"] = 1
            if fill:  # solid: XlsxWriter stores the colour as the fill's fgColor
                spec.update(pattern=1, bg_color=f"#{fill}")
            if num_format:
                spec["num_format"] = num_format
            self._made[key] = self.wb.add_format(spec)
        return self._made[key]


class PrintSheet:
    """One sheet: a title, lines of text under it, then tables; `finish` sizes and sets it up."""

    def __init__(
        self, wb: Workbook, styles: Styles, name: str, columns: list[Column], page_header: str
    ) -> None:
        self.ws: Worksheet = wb.add_worksheet(name)
        self.styles, self.columns, self.page_header = styles, columns, page_header
        self.widths = [max(c.least, text_width(c.header) + PAD) for c in columns]
        self._plain = [styles.get(align=c.align, num_format=c.num_format) for c in columns]
        self.index = 0
        self.header_row: int | None = None
        self._rows: list[tuple[int, list[list[int]]]] = []  # line widths per cell, per row
        self._merged: list[tuple[int, str, float]] = []  # (row, text, size) across the table

    def title(self, text: str, size: int = 14) -> None:
        self._line(text, self.styles.get(bold=True, border=False, size=size, align="center"), size)

    def line(self, text: str) -> None:
        self._line(text, self.styles.get(border=False), SIZE)

    def _line(self, text: str, style: Format, size: float) -> None:
        last = len(self.columns) - 1
        if last:
            self.ws.merge_range(self.index, 0, self.index, last, text, style)
        else:
            self.ws.write_string(self.index, 0, text, style)
        self._merged.append((self.index, text, size))
        self.index += 1

    def blank(self) -> None:
        self.index += 1

    def header(self, names: list[str] | None = None, repeat: bool = True) -> None:
        """A table's header row (the columns' own, or `names`), repeated on each printed page."""
        names = names or [c.header for c in self.columns]
        style = self.styles.get(bold=True, fill="D9D9D9", align="center")
        for col, name in enumerate(names):
            self.ws.write_string(self.index, col, name, style)
        self._measure(names)
        if repeat:
            self.header_row = self.index
        self.index += 1

    def row(
        self,
        values: list[Any],
        fills: dict[int, str] | None = None,
        formats: dict[int, str] | None = None,
        align: str | None = None,
    ) -> None:
        """A table row: text as text, figures as numbers, None as an empty cell."""
        ws, r, cells = self.ws, self.index, []
        for col, value in enumerate(values):
            column = self.columns[col]
            fill, num_format = (fills or {}).get(col), (formats or {}).get(col, column.num_format)
            if fill is None and align is None and num_format == column.num_format:
                style = self._plain[col]  # most cells: the column's own format
            else:
                style = self.styles.get(
                    fill=fill, align=align or column.align, num_format=num_format
                )
            if value is None or value == "":
                ws.write_blank(r, col, None, style)
                cells.append([0])
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, col, value, style)
                text = _shown(value, num_format)
            else:
                text = str(value)
                ws.write_string(r, col, text, style)
            cells.append(line_widths(text) if "\n" in text else [text_width(text)])
        self._keep(cells)
        self.index += 1

    def _measure(self, texts: list[str]) -> None:
        self._keep([line_widths(text) for text in texts])

    def _keep(self, cells: list[list[int]]) -> None:
        """Widen the columns to what the row holds (to their most); keep it for its height."""
        for col, widths in enumerate(cells):
            widest = max(widths) + PAD
            if widest > self.widths[col]:
                self.widths[col] = min(widest, max(self.widths[col], self.columns[col].most))
        self._rows.append((self.index, cells))

    def finish(self) -> None:
        """Column widths, row heights, and the page: A4 landscape, one page wide, header
        row repeated and frozen, plan and period above, page numbers below."""
        ws = self.ws
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)
        for row, cells in self._rows:
            lines = max((lines_needed(w, self.widths[c]) for c, w in enumerate(cells)), default=1)
            if lines > 1:
                ws.set_row(row, LINE * lines + 4)
        total = sum(self.widths)
        for row, text, size in self._merged:
            lines = lines_needed(text, total * SIZE / size)
            ws.set_row(row, (LINE * size / SIZE) * lines + 4)
        _page_setup(ws, self.page_header, self.header_row)


def _page_setup(ws: Worksheet, page_header: str, header_row: int | None) -> None:
    ws.set_paper(PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    ws.center_horizontally()
    ws.set_header(f'&C&10&"{FONT},Regular"{_escape(page_header)}', {"margin": 0.3})
    ws.set_footer(f'&C&10&"{FONT},Regular"第 &P 页，共 &N 页', {"margin": 0.3})
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)


def _escape(text: str) -> str:
    """Header text with its ampersands doubled (a single & starts a header code)."""
    return text.replace("&", "&&")


def _shown(value: Any, num_format: str | None) -> str:
    """What a cell shows, for its width: a share as 87.5%, a number without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, float) and num_format and "%" in num_format:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)
