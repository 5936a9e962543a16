"""The Excel round trip of a plan's catalog: export the 任务分工表 an office keeps, and apply the
edited workbook back, whole or not at all.

    data = export_plan(plan, directory)             # .xlsx bytes
    slug = sheet_plan_slug(edited)                  # which plan a returned file belongs to
    result = apply_sheet(edited, plan, directory)   # or raises SheetRejected(problems)
    result.plan, result.changes                     # the new Plan, 任务 二(一)1：牵头单位 A → B, …

Layout (sheet_export), columns (sheet_fields), cell values (sheet_values), reading (sheet_read)
and matching rows to tasks and targets (sheet_apply) live beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks_catalog.directory import Directory
from tasks_catalog.schema import Plan
from tasks_catalog.sheet_apply import apply_targets, apply_tasks
from tasks_catalog.sheet_export import export_plan
from tasks_catalog.sheet_fields import (
    FORMAT,
    KEY_HEADER,
    META_SHEET,
    TARGET_COLUMNS,
    TARGET_SHEET,
    TASK_COLUMNS,
    TASK_SHEET,
)
from tasks_catalog.sheet_read import SheetProblem, SheetRejected, open_book, read_meta, read_table
from tasks_catalog.sheet_values import context_for

__all__ = [
    "SheetChanges",
    "SheetProblem",
    "SheetRejected",
    "apply_sheet",
    "export_plan",
    "sheet_plan_slug",
]
SHEET_ORDER = {"": 0, TASK_SHEET: 1, TARGET_SHEET: 2}


@dataclass
class SheetChanges:
    """The plan as the sheet describes it and what differs from before, one sentence each."""

    plan: Plan
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _source_problem(meta: dict[str, str], plan: Plan) -> SheetProblem | None:
    """The hidden sheet says which plan the file was exported from, and in which layout; a
    file without it (copied into a new workbook) is read by its headers alone."""
    slug, layout = meta.get("计划"), meta.get("格式")
    if slug and slug != plan.slug:
        message = (
            f"这份表格导出自计划“{slug}”，不是“{plan.slug}”（{plan.title}）；"
            "请提交本计划导出的任务分工表"
        )
        return SheetProblem("", None, message)
    if layout and layout != FORMAT:
        return SheetProblem("", None, f"这份表格的格式“{layout}”不是本版督办的；请重新导出后修改")
    return None


def sheet_plan_slug(data: bytes) -> str | None:
    """The slug of the plan a 任务分工表 was exported from (its hidden sheet), so `catalog apply F`
    needs no --plan; None when the sheet is gone. Raise SheetRejected for a file that is no
    .xlsx workbook."""
    return read_meta(open_book(data), META_SHEET).get("计划") or None


def apply_sheet(data: bytes, plan: Plan, directory: Directory) -> SheetChanges:
    """Read an edited 任务分工表 and return the plan it describes with the list of changes.
    Raise SheetRejected naming every cell to fix (sheet!cell and what to write) when anything
    in it cannot be applied; nothing is applied then."""
    book = open_book(data)
    ctx = context_for(plan, directory)
    problems = [p for p in [_source_problem(read_meta(book, META_SHEET), plan)] if p]
    task_rows = read_table(book, TASK_SHEET, TASK_COLUMNS, KEY_HEADER)
    target_rows = read_table(book, TARGET_SHEET, TARGET_COLUMNS, KEY_HEADER)
    tasks, targets, changes = plan.tasks, plan.targets, []
    if isinstance(task_rows, SheetProblem):
        problems.append(task_rows)
    else:
        tasks, found, task_problems = apply_tasks(task_rows, plan.tasks, ctx, TASK_SHEET)
        changes += found
        problems += task_problems
    if isinstance(target_rows, SheetProblem):
        problems.append(target_rows)
    else:
        targets, found, target_problems = apply_targets(
            target_rows, plan.targets, ctx, TARGET_SHEET
        )
        changes += found
        problems += target_problems
    if problems:
        raise SheetRejected(
            sorted(problems, key=lambda p: (SHEET_ORDER.get(p.sheet, 9), p.position()))
        )
    if not changes:
        return SheetChanges(plan, [])
    return SheetChanges(plan.model_copy(update={"tasks": tasks, "targets": targets}), changes)
