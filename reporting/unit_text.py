"""What a unit types, made safe where it enters and where it is written out again.

Text pasted from a document carries control characters (Word's manual line break is `\\x0b`)
that openpyxl refuses to write, so one unit's answer once broke every later template of that
unit; they are taken out at intake. A figure must fit the database (`Numeric(18, 4)`: 14 digits
before the point) and be a real number. And a unit's words written into a workbook stay words:
a leading `=`, `+`, `-`, `@`, tab or CR would make Excel, WPS or LibreOffice read them as a
formula (OWASP, "CSV injection"), so such text is stored as a string with Excel's quote prefix.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

# Line breaks a unit means as line breaks; every other control character is dropped.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_DIGITS = 14  # before the decimal point: Numeric(18, 4)
PLACES = 4


def clean(text: str) -> str:
    """The text without control characters (line breaks kept as \\n, tabs as spaces)."""
    text = _BREAKS.sub("\n", text).replace("\t", " ")
    text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def cell_text(cell: Any, text: str) -> None:
    """Put `text` into an openpyxl cell as a string, never as a formula."""
    cell.value = text
    if isinstance(text, str) and (cell.data_type == "f" or looks_like_formula(text)):
        cell.data_type = "s"
        cell.quotePrefix = True


class BadNumber(ValueError):
    """Why a figure cannot be taken (Chinese, for the unit)."""


def figure(raw: object) -> Decimal:
    """A reported figure as the database keeps it, or BadNumber saying why it is not one."""
    if isinstance(raw, bool):
        raise BadNumber("不是数字，请只填写数字")
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise BadNumber("不是数字，请只填写数字") from None
    if not value.is_finite():
        raise BadNumber("不是有效的数字（NaN 或无穷大），请填写实际数值")
    if value < 0:
        raise BadNumber("为负数，请填写不小于 0 的数")
    if value.adjusted() >= MAX_DIGITS:
        raise BadNumber(f"超出可填写的范围（整数部分不超过 {MAX_DIGITS} 位），请核对数值和单位")
    return value.quantize(Decimal(1).scaleb(-PLACES))
