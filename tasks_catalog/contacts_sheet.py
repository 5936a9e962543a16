"""The 通讯录 workbook: read an office's contact list (columns found by their Chinese header, in
any order), write the directory back with its secrets masked.

The sheet is the first one with a header cell 单位 in its first ten rows; a sheet named 办公室
with 联系人 and 联系电话 sets the office's contact too. Export writes both, so an exported file
imports unchanged (a masked secret keeps the stored one)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Unit, UnitContact
from tasks_catalog.contacts import (
    SECRET_FIELDS,
    BadValue,
    Contact,
    ContactsError,
    UnitMatcher,
    apply_contacts,
    check_field,
    masked,
    office_contact,
    set_office_contact,
    text,
    unchanged,
)

UNIT, UNIT_ID = "单位", "单位编号"
OFFICE_SHEET = "办公室"
COLUMNS: dict[str, str] = {  # header → Contact field, in the order export writes them
    "联络员": "liaison_name",
    "手机": "liaison_mobile",
    "邮箱": "liaison_email",
    "钉钉UserID": "liaison_userid",
    "分管领导": "leader_name",
    "领导手机": "leader_mobile",
    "领导邮箱": "leader_email",
    "领导钉钉UserID": "leader_userid",
    "钉钉机器人": "robot_token",
    "加签密钥": "robot_secret",
    "企业微信机器人": "wecom_key",
}
SYNONYMS = {
    "单位名称": UNIT,
    "联络员手机": "手机",
    "联络员邮箱": "邮箱",
    "联络员钉钉UserID": "钉钉UserID",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _key(header: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(header))).lower()


_KNOWN = {_key(h): h for h in (UNIT, UNIT_ID, *COLUMNS)} | {_key(s): h for s, h in SYNONYMS.items()}


@dataclass
class Read:
    """What a 通讯录 says: contacts by unit id, the office's contact, columns not understood."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    office: tuple[str, str] | None = None
    ignored: list[str] = field(default_factory=list)


def read_contacts(data: bytes, filename: str, matcher: UnitMatcher) -> Read:
    """Read and check a whole 通讯录; ContactsError lists every bad cell (nothing is applied
    by the caller then)."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise ContactsError(
            [f"{filename}：无法作为 Excel 工作簿打开；请用 Excel 或 WPS 另存为 .xlsx"]
        ) from None
    found = next(
        (
            (ws, h)
            for ws in wb.worksheets
            if ws.title != OFFICE_SHEET
            for h in [_header(ws)]
            if h is not None
        ),
        None,
    )
    if found is None:
        names = "、".join([UNIT, *COLUMNS])
        raise ContactsError([f"{filename}：找不到表头「{UNIT}」；请在第一行写列名：{names}"])
    ws, (header_row, columns, ignored) = found
    read, problems = Read(ignored=ignored), list[str]()
    seen: dict[str, int] = {}
    rows = [
        (
            row[0].row,
            {
                h: (text(row[i].value), row[i].coordinate)
                for h, i in columns.items()
                if i < len(row)
            },
        )
        for row in ws.iter_rows(min_row=header_row + 1)
    ]
    rows = [(n, values) for n, values in rows if any(v for v, _ in values.values())]
    prefer = matcher.jurisdiction_of(v.get(UNIT_ID, v.get(UNIT, ("", "")))[0] for _, v in rows)
    for number, values in rows:
        where = functools.partial(_place, filename, ws.title, values)
        unit = _unit(values, matcher, prefer, where, problems)
        if unit is None:
            continue
        first = seen.setdefault(unit.id, number)
        if first != number:
            column = UNIT if UNIT in values else UNIT_ID
            problems.append(f"{where(column)}：{unit.name}已在第 {first} 行写过；每个单位只写一行")
            continue
        contact = _contact(values, where, problems)
        if contact is not None:
            read.contacts[unit.id] = contact
    read.office = _office(wb, filename, problems)
    if problems:
        raise ContactsError(problems)
    return read


def _place(filename: str, title: str, values: dict[str, tuple[str, str]], header: str) -> str:
    return f"{filename}：{title}!{values[header][1]}（{header}）"


def _header(ws: Worksheet) -> tuple[int, dict[str, int], list[str]] | None:
    for row in ws.iter_rows(min_row=1, max_row=10):
        keys = [_key(c.value) for c in row]
        if _key(UNIT) in keys or _key(UNIT_ID) in keys:
            columns: dict[str, int] = {}
            ignored = []
            for i, (cell, key) in enumerate(zip(row, keys, strict=True)):
                if key in _KNOWN:
                    columns.setdefault(_KNOWN[key], i)
                elif key:
                    ignored.append(f"{cell.coordinate} {text(cell.value)}")
            return row[0].row, columns, ignored
    return None


def _unit(
    values: dict[str, tuple[str, str]],
    matcher: UnitMatcher,
    prefer: str | None,
    where: Any,
    problems: list[str],
) -> Unit | None:
    for header in (UNIT_ID, UNIT):
        name = values.get(header, ("", ""))[0]
        if name:
            try:
                return matcher.find(name, prefer)
            except BadValue as exc:
                problems.append(f"{where(header)}：{exc}")
                return None
    column = UNIT if UNIT in values else UNIT_ID
    problems.append(f"{where(column)}：请写单位名称")
    return None


def _contact(values: dict[str, tuple[str, str]], where: Any, problems: list[str]) -> Contact | None:
    checked: dict[str, str | None] = {}
    bad = False
    for header, name in COLUMNS.items():
        value = values.get(header, ("", ""))[0]
        try:
            checked[name] = (
                value if name in SECRET_FIELDS and unchanged(value) else check_field(name, value)
            )
        except BadValue as exc:
            problems.append(f"{where(header)}：{exc}")
            bad = True
    if not bad and checked["robot_secret"] and not checked["robot_token"]:
        problems.append(
            f"{where('加签密钥')}：有加签密钥而没有钉钉机器人；请在「钉钉机器人」列粘贴 Webhook 地址"
        )
        bad = True
    return None if bad else Contact(**checked)


def _office(wb: Workbook, filename: str, problems: list[str]) -> tuple[str, str] | None:
    if OFFICE_SHEET not in wb.sheetnames:
        return None
    ws = wb[OFFICE_SHEET]
    rows = [[text(c.value) for c in r] for r in ws.iter_rows(min_row=1, max_row=2)]
    header = [_key(h) for h in rows[0]] if rows else []
    if len(rows) < 2 or _key("联系人") not in header or _key("联系电话") not in header:
        problems.append(
            f"{filename}：{OFFICE_SHEET}!A1：第一行写「联系人」「联系电话」，第二行写姓名和电话"
        )
        return None
    return rows[1][header.index(_key("联系人"))], rows[1][header.index(_key("联系电话"))]


def _cell(ws: Worksheet, row: int, column: int, value: str) -> None:
    """Write text as text: a leading = + - @ never becomes a formula, a phone stays digits."""
    cell = ws.cell(row=row, column=column, value=value)
    cell.data_type = "s"
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True


def write_contacts(
    path: Path, units: list[Unit], contacts: dict[str, Contact], office: tuple[str, str] | None
) -> None:
    """Every unit in official order with its contacts, secrets masked; the office's contact."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "通讯录"
    headers = [UNIT, UNIT_ID, *COLUMNS]
    for col, header in enumerate(headers, 1):
        _cell(ws, 1, col, header)
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = 24 if col == 1 else 16
    for number, unit in enumerate(units, 2):
        contact = contacts.get(unit.id, Contact())
        row = [unit.name, unit.id]
        for name in COLUMNS.values():
            value = getattr(contact, name)
            row.append(masked(name, value) if name in SECRET_FIELDS else value or "")
        for col, value in enumerate(row, 1):
            _cell(ws, number, col, value)
    ws.freeze_panes = "A2"
    sheet = wb.create_sheet(OFFICE_SHEET)
    for col, value in enumerate(("联系人", "联系电话"), 1):
        _cell(sheet, 1, col, value)
        sheet.column_dimensions[get_column_letter(col)].width = 20
    for col, value in enumerate(office or ("", ""), 1):
        _cell(sheet, 2, col, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


@dataclass(frozen=True)
class Imported:
    added: int
    changed: int
    unchanged: int
    office: bool
    ignored: list[str]


def import_contacts(
    session: Session,
    data: bytes,
    filename: str,
    now: dt.datetime,
    by: str,
    jurisdiction: str | None = None,
) -> Imported:
    """Check the whole 通讯录, then apply it in `session` (the caller commits, or rolls back
    on ContactsError: nothing is half-applied)."""
    read = read_contacts(data, filename, UnitMatcher.of(session, jurisdiction))
    if read.office is not None:
        try:
            set_office_contact(session, *read.office, now)
        except BadValue as exc:
            raise ContactsError([f"{filename}：{OFFICE_SHEET}!A2：{exc}"]) from None
    added, changed = apply_contacts(session, read.contacts, now, by)
    same = sum(1 for u, c in read.contacts.items() if c != Contact()) - added - changed
    return Imported(added, changed, same, read.office is not None, read.ignored)


def export_contacts(session: Session, path: Path) -> int:
    """Write the directory to `path`; return the number of units with contacts."""
    contacts = {c.unit_id: Contact.of(c) for c in session.scalars(select(UnitContact))}
    units = UnitMatcher.of(session).units(contacts)
    write_contacts(path, units, contacts, office_contact(session))
    return sum(1 for u in units if u.id in contacts)
