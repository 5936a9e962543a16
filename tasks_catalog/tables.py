"""Task-split tables (任务分工表, 责任分解表): rows of 序号, 重点任务, 牵头单位, 责任单位, 配合单位,
责任领导, 完成时限, 季度目标.

They come as pipe-separated rows (how Duban reads a .docx or .xlsx table, and how web copies
flatten one), as key/value rows (重点工作： | … |), or one cell per line. A row without its own
number continues the task above it (a merged cell); a person in 责任领导 is not a unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks_catalog import deadlines, targets, unitnames
from tasks_catalog.schema import Task, UnitRef
from tasks_catalog.tasklist import Context
from tasks_catalog.text import Piece, clean_line

# Column kinds by header text, first match wins (牵头责任单位 leads; 责任领导 is a person).
COLUMNS = (
    ("person", re.compile(r"领导|责任人|联系人")),
    ("other", re.compile(r"进展|落实情况|完成情况|完成状况|是否|说明|备注|存在问题")),
    ("lead", re.compile(r"牵头")),
    ("support", re.compile(r"配合|协办|参与")),
    ("responsible", re.compile(r"责任单位|责任部门|落实单位|主办单位|责任主体")),
    ("deadline", re.compile(r"时限|完成时间|时间节点|截止")),
    ("quarter", re.compile(r"季度|月度|阶段性")),
    ("detail", re.compile(r"细化|分解|措施|具体任务|任务及目标")),
    ("title", re.compile(r"重点任务|工作任务|重点工作|任务内容|工作内容|主要任务|任务名称")),
    ("ref", re.compile(r"^(?:序号|编号|任务项|项目序号|序)$")),
)
LEADING_NUMBER = re.compile(r"^(\d{1,3})[.、．]\s*")


@dataclass
class TaskTable:
    kinds: list[str]  # the kind of each column
    rows: list[list[Piece]]
    lines: set[int] = field(default_factory=set)  # source lines the table takes


def column_kind(header: str) -> str | None:
    text = re.sub(r"[\s:：]", "", header)
    if not text:
        return None
    return next((kind for kind, rx in COLUMNS if rx.search(text)), None)


def _header(kinds: list[str | None]) -> bool:
    known = [k for k in kinds if k]
    return "title" in known and bool({"lead", "responsible"} & set(known))


def _cells(raw: str, base: int) -> list[Piece]:
    cells, start = [], 0
    for i, ch in enumerate(raw + "|"):
        if ch == "|":
            cells.append(clean_line(raw[start:i], base + start).piece)
            start = i + 1
    while cells and not cells[-1].text:
        cells.pop()
    return cells


def find_task_table(lines: list[tuple[str, int]]) -> TaskTable | None:
    return _pipe_table(lines) or _key_value_table(lines) or _cell_per_line_table(lines)


def _pipe_table(lines: list[tuple[str, int]]) -> TaskTable | None:
    for n, (raw, base) in enumerate(lines):
        if raw.count("|") < 2:
            continue
        cells = _cells(raw, base)
        kinds = [column_kind(c.text) for c in cells]
        if not _header(kinds):
            continue
        rows, used = [], {n}
        for m in range(n + 1, len(lines)):
            if lines[m][0].count("|") < 2:
                if lines[m][0].strip():
                    break
                continue
            rows.append(_cells(*lines[m]))
            used.add(m)
        return TaskTable([k or "other" for k in kinds], rows, used)
    return None


def _key_value_table(lines: list[tuple[str, int]]) -> TaskTable | None:
    records: list[dict[str, Piece]] = []
    used: set[int] = set()
    for n, (raw, base) in enumerate(lines):
        cells = _cells(raw, base) if "|" in raw else []
        if len(cells) < 2 or not cells[0].text.endswith("："):
            continue
        kind = column_kind(cells[0].text)
        if kind is None:
            continue
        if kind == "title" or not records:
            records.append({})
        records[-1].setdefault(kind, cells[1])
        used.add(n)
    records = [r for r in records if "title" in r]
    if not records:
        return None
    kinds = sorted({k for r in records for k in r})
    rows = [[r.get(k, Piece()) for k in kinds] for r in records]
    return TaskTable(kinds, rows, used)


def _cell_per_line_table(lines: list[tuple[str, int]]) -> TaskTable | None:
    filled = [(n, raw, base) for n, (raw, base) in enumerate(lines) if raw.strip()]
    for i in range(len(filled)):
        kinds: list[str] = []
        j = i
        while j < len(filled) and len(filled[j][1].strip()) <= 12:
            kind = column_kind(filled[j][1])
            if kind is None:
                break
            kinds.append(kind)
            j += 1
        if len(kinds) < 3 or not _header(list(kinds)):
            continue
        cells = [clean_line(raw, base).piece for _, raw, base in filled[j:]]
        rows = [cells[k : k + len(kinds)] for k in range(0, len(cells), len(kinds))]
        used = {n for n, _, _ in filled[i:]}
        return TaskTable(kinds, rows, used)
    return None


# --- rows to tasks --------------------------------------------------------------------------


def _cell(row: list[Piece], kinds: list[str], kind: str) -> Piece | None:
    if kind in kinds and kinds.index(kind) < len(row):
        return row[kinds.index(kind)]
    return None


def _unit_cells(row: list[Piece], kinds: list[str]) -> dict[str, str]:
    """The unit columns' text; in a short row (merged cells dropped) the unit-like cell nearest
    each column's place."""
    found: dict[str, str] = {}
    for kind in ("lead", "responsible", "support"):
        if kind not in kinds:
            continue
        at = kinds.index(kind)
        if len(row) >= len(kinds):
            found[kind] = row[at].text if at < len(row) else ""
            continue
        near = sorted(range(len(row)), key=lambda i: abs(i - at))
        hit = next((row[i].text for i in near if i and _names(row[i].text)), "")
        found[kind] = hit
    return found


def _names(text: str) -> list[str]:
    names = unitnames.split_names(re.sub(r"[，,；;/]", "、", text))
    return names if names and all(unitnames.looks_like_unit(n) for n in names) else []


def _row_units(cells: dict[str, str]) -> list[UnitRef]:
    lead_column = bool(_names(cells.get("lead", "")))
    units: list[UnitRef] = []
    for kind, text in cells.items():
        for i, name in enumerate(_names(text)):
            if kind == "lead":
                role = "lead"
            elif kind == "responsible":
                role = "support" if lead_column or i else "lead"
            else:
                role = "support"
            if name not in {u.name for u in units}:
                units.append(UnitRef(name=name, role=role))  # type: ignore[arg-type]
    return units


def _row_ref(row: list[Piece], kinds: list[str]) -> str | None:
    """The row's task number: its 序号 cell, or the number its task text starts with."""
    ref_cell = _cell(row, kinds, "ref")
    if ref_cell and ref_cell.text.isdigit():
        return ref_cell.text
    title_cell = _cell(row, kinds, "title") or (row[0] if row else None)
    number = LEADING_NUMBER.match(title_cell.text) if title_cell else None
    return number.group(1) if number else None


def table_tasks(table: TaskTable, ctx: Context) -> list[Task]:
    tasks: list[Task] = []
    for row in table.rows:
        title_cell = _cell(row, table.kinds, "title") or (row[0] if row else None)
        if title_cell is None or not title_cell.text:
            continue
        number = LEADING_NUMBER.match(title_cell.text)
        ref = _row_ref(row, table.kinds)
        if (ref is None or (tasks and tasks[-1].ref == ref)) and tasks:
            tasks[-1].body += "\n" + " ".join(c.text for c in row if c.text)
            continue  # a continuation row: the merged cells above hold its task
        title = title_cell.text[number.end() :] if number else title_cell.text
        deadline_cell = _cell(row, table.kinds, "deadline")
        deadline, due = deadlines.resolve(
            deadline_cell.text if deadline_cell and deadline_cell.text else None, ctx.doc_year
        )
        detail = _cell(row, table.kinds, "detail")
        tasks.append(
            Task(
                ref=ref or str(len(tasks) + 1),
                title=title.strip("。 "),
                body=detail.text if detail else "",
                span=title_cell.span(),
                units=_row_units(_unit_cells(row, table.kinds)),
                deadline=deadline,
                due_date=due,
            )
        )
    return tasks


def table_targets(table: TaskTable, year: int) -> list[targets.FoundTarget]:
    """Targets stated in the task column (细化 and quarterly columns are milestones)."""
    found: list[targets.FoundTarget] = []
    last = None
    for row in table.rows:
        cell = _cell(row, table.kinds, "title")
        ref = _row_ref(row, table.kinds)
        if cell is not None and ref is not None and ref != last:
            found += targets.in_sentence(cell, year, in_table=True)
        last = ref or last
    return found
