"""Apply the rows of an edited 任务分工表 to a plan's tasks and targets: which row stands for which
task or target, what changed (in the words the office reads) and every cell that cannot be
applied. A cell nobody edited keeps the plan's value exactly."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from tasks_catalog.schema import Target, Task
from tasks_catalog.sheet_fields import (
    TARGET_COLUMNS,
    TASK_COLUMNS,
    Column,
    target_fields,
    task_fields,
)
from tasks_catalog.sheet_read import Row, SheetProblem
from tasks_catalog.sheet_values import CMP_WORDS, CellError, Context, clean, goal_text, parse_ref

M = TypeVar("M", Task, Target)
Outcome = tuple[list[M], list[str], list[SheetProblem]]


def match_rows(
    rows: Sequence[Row], originals: dict[str, M], visible: Callable[[Row], str | None]
) -> list[M | None]:
    """The original each row stands for: the one its hidden key names (when a copied row repeats
    a key, the row still showing that task's own 序号 or name keeps it), else the one its visible
    序号 or name denotes if no other row took it. Rows matched to nothing are new."""
    matched: list[M | None] = [None] * len(rows)
    by_key: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row.key in originals:
            by_key.setdefault(row.key, []).append(i)
    for key, indexes in by_key.items():
        best = next((i for i in indexes if visible(rows[i]) == key), indexes[0])
        matched[best] = originals[key]
    taken = set(by_key)
    for i, row in enumerate(rows):
        shown = visible(row)
        if matched[i] is None and shown is not None and shown in originals and shown not in taken:
            matched[i] = originals[shown]
            taken.add(shown)
    return matched


def describe(column: Column, old: Any, new: Any) -> str:
    """One change in words: 牵头单位 市科技局 → 市经信局; 配合单位 市科技局 已确认."""
    if column.name == "body":
        return "任务要求已修改"
    if column.name in ("leads", "supports") and [u.name for u in old] == [u.name for u in new]:
        confirmed = [n.name for o, n in zip(old, new, strict=True) if o.proposed > n.proposed]
        marked = [n.name for o, n in zip(old, new, strict=True) if o.proposed < n.proposed]
        parts = [f"{column.header} {'、'.join(confirmed)} 已确认"] if confirmed else []
        parts += [f"{column.header} {'、'.join(marked)} 改为待确认"] if marked else []
        return "，".join(parts)
    return f"{column.label or column.header} {column.shown(old)} → {column.shown(new)}"


def read_row(
    row: Row, columns: tuple[Column, ...], original: Any, ctx: Context, sheet: str
) -> tuple[dict[str, Any], list[str], list[SheetProblem]]:
    """The row's values by field name, the changes from `original` and the cells in error."""
    values: dict[str, Any] = {}
    changes: list[str] = []
    problems: list[SheetProblem] = []
    for column in columns:
        cell = row.cells[column.header]
        old = column.get(original) if original is not None else None
        if original is not None and cell.text == clean(column.render(old)):
            values[column.name] = old
            continue
        try:
            new = column.parse(cell.text, ctx)
        except CellError as exc:
            problems += [SheetProblem(sheet, cell.ref, m) for m in exc.messages]
            continue
        values[column.name] = old if original is not None and new == old else new
        if original is not None and new != old:
            changes.append(describe(column, old, new))
    return values, changes, problems


def _missing(originals: Sequence[M], kept: Sequence[M]) -> list[M]:
    ids = {id(m) for m in kept}
    return [m for m in originals if id(m) not in ids]


def order_change(originals: Sequence[M], kept: Sequence[M], what: str) -> list[str]:
    order = [id(m) for m in kept]
    before = [id(m) for m in originals if id(m) in set(order)]
    return [] if before == order else [f"{what}顺序已按表中调整"]


def _built(
    build: Callable[..., M], args: tuple[Any, ...], sheet: str, row: Row
) -> M | SheetProblem:
    try:
        return build(*args)
    except ValidationError as exc:  # the cells are checked one by one first; this is a backstop
        return SheetProblem(sheet, None, f"第{row.number}行无法保存：{exc.errors()[0]['msg']}")


def _lead_and_support(row: Row, values: dict[str, Any], sheet: str) -> list[SheetProblem]:
    leads = {u.name for u in values.get("leads", ())}
    both = [u.name for u in values.get("supports", ()) if u.name in leads]
    message = f"“{'、'.join(both)}”已是牵头单位；一个单位只填在牵头或配合一处"
    return [SheetProblem(sheet, row.cells["配合单位"].ref, message)] if both else []


def apply_tasks(
    rows: Sequence[Row], tasks: Sequence[Task], ctx: Context, sheet: str
) -> Outcome[Task]:
    originals = {t.ref: t for t in tasks}

    def visible(row: Row) -> str | None:
        try:
            return parse_ref(row.cells["序号"].text, ctx)
        except CellError:
            return None

    matched = match_rows(rows, originals, visible)
    result: list[Task] = []
    changes: list[str] = []
    problems: list[SheetProblem] = []
    section = tasks[0].section if tasks else None
    first_row: dict[str, int] = {}
    for row, original in zip(rows, matched, strict=True):
        values, diffs, found = read_row(row, TASK_COLUMNS, original, ctx, sheet)
        found += _lead_and_support(row, values, sheet)
        ref = values.get("ref")
        if ref is not None and ref in first_row:
            found.append(
                SheetProblem(
                    sheet,
                    row.cells["序号"].ref,
                    f"序号“{ref}”与第{first_row[ref]}行重复；每项任务的序号应唯一",
                )
            )
        if ref is not None:
            first_row.setdefault(ref, row.number)
        task = _built(task_fields, (values, section, original), sheet, row) if not found else None
        if isinstance(task, SheetProblem):
            found.append(task)
        problems += found
        if not isinstance(task, Task):
            continue
        section = task.section
        result.append(task)
        if original is None:
            changes.append(f"新增任务 {task.ref}：{task.title}")
        changes += [f"任务 {original.ref}：{d}" for d in diffs if original is not None]
    kept = [m for m in matched if m is not None]
    changes += [f"删除任务 {t.ref}：{t.title}" for t in _missing(tasks, kept)]
    changes += order_change(tasks, kept, "任务")
    return result, changes, problems


def _code_number(code: str) -> int:
    return int(re.sub(r"\D", "", code) or 0)


def apply_targets(
    rows: Sequence[Row], targets: Sequence[Target], ctx: Context, sheet: str
) -> Outcome[Target]:
    originals = {t.code: t for t in targets}
    names = [t.name for t in targets]
    by_name = {t.name: t.code for t in targets if names.count(t.name) == 1}
    matched = match_rows(rows, originals, lambda row: by_name.get(row.cells["指标"].text))
    next_code = max((_code_number(c) for c in originals), default=0) + 1
    result: list[Target] = []
    changes: list[str] = []
    problems: list[SheetProblem] = []
    for row, original in zip(rows, matched, strict=True):
        values, diffs, found = read_row(row, TARGET_COLUMNS, original, ctx, sheet)
        code = original.code if original else f"T{next_code}"
        target = _built(target_fields, (values, code, original), sheet, row) if not found else None
        if isinstance(target, SheetProblem):
            found.append(target)
        problems += found
        if not isinstance(target, Target):
            continue
        result.append(target)
        if original is None:
            next_code += 1
            goal = goal_text((target.value, target.value_max, target.per_year))
            changes.append(
                f"新增指标 {code}：{target.name}（{CMP_WORDS[target.cmp]} {goal} {target.unit}，"
                f"{target.year}年）"
            )
        changes += [f"指标 {code}（{original.name}）：{d}" for d in diffs if original is not None]
    kept = [m for m in matched if m is not None]
    changes += [f"删除指标 {t.code}：{t.name}" for t in _missing(targets, kept)]
    changes += order_change(targets, kept, "指标")
    return result, changes, problems
