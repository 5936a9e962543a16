"""One task's units and deadline as the office corrects them on the review page: the same
reading as a 任务分工表 cell (names or aliases from the directory, deadlines as written), so a
name the sheet accepts the page accepts too. Saving confirms the units Duban proposed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tasks_catalog.directory import Directory
from tasks_catalog.schema import Plan, Task, UnitRef
from tasks_catalog.sheet_values import CellError, context_for, parse_deadline, parse_units
from vocab.words import Role

T = TypeVar("T")


class TaskEditError(ValueError):
    """Each field's problems, in Chinese: {"lead": [...], "deadline": [...]}."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("；".join(m for ms in problems.values() for m in ms))


def _names(units: list[UnitRef]) -> str:
    return "、".join(u.name for u in units) or "（无）"


def edit_task(
    plan: Plan, ref: str, fields: dict[str, str], directory: Directory
) -> tuple[Plan, list[str]]:
    """The plan with task `ref` given the `lead`, `support` and `deadline` texts, and what changed
    (one sentence each). Raise TaskEditError naming each field that cannot be read, KeyError
    for a task the plan does not have."""
    index = next((i for i, t in enumerate(plan.tasks) if t.ref == ref), None)
    if index is None:
        raise KeyError(ref)
    task, ctx = plan.tasks[index], context_for(plan, directory)
    problems: dict[str, list[str]] = {}

    def read(name: str, parse: Callable[[str], T]) -> T | None:
        try:
            return parse(fields.get(name, "").strip())
        except CellError as exc:
            problems[name] = exc.messages
            return None

    leads = read("lead", lambda text: parse_units(text, Role.LEAD, ctx))
    supports = read("support", lambda text: parse_units(text, Role.SUPPORT, ctx))
    deadline = read("deadline", lambda text: parse_deadline(text, ctx))
    if leads == [] and "lead" not in problems:
        problems["lead"] = ["请至少填写一个牵头单位"]
    if problems or leads is None or supports is None or deadline is None:
        raise TaskEditError(problems)
    units = [u.model_copy(update={"proposed": False}) for u in leads + supports]
    new = task.model_copy(update={"units": units, "deadline": deadline[0], "due_date": deadline[1]})
    changes = _changes(task, new)
    tasks = [*plan.tasks[:index], new, *plan.tasks[index + 1 :]]
    return plan.model_copy(update={"tasks": tasks}), changes


def _changes(old: Task, new: Task) -> list[str]:
    found = []
    for role, word in ((Role.LEAD, "牵头单位"), (Role.SUPPORT, "配合单位")):
        before = [u for u in old.units if u.role == role]
        after = [u for u in new.units if u.role == role]
        if [u.name for u in before] != [u.name for u in after]:
            found.append(f"任务 {old.ref}：{word} {_names(before)} → {_names(after)}")
        elif confirmed := [u.name for u in before if u.proposed]:
            found.append(f"任务 {old.ref}：{word} {'、'.join(confirmed)} 已确认")
    if (old.deadline, old.due_date) != (new.deadline, new.due_date):
        found.append(
            f"任务 {old.ref}：完成时限 {old.deadline or '（无）'} → {new.deadline or '（无）'}"
        )
    return found
