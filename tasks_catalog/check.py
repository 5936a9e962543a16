"""Validate catalog files: schema, unit names, duplicate refs and codes, owners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tasks_catalog.directory import AmbiguousUnit, Directory, UnknownUnit
from tasks_catalog.files import CatalogFileError, Located, Problem, read_plan
from tasks_catalog.paths import DATA_DIR
from tasks_catalog.schema import Plan
from vocab.words import Role

DIRECTORY_FILE = "units.yaml"


def plan_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted(p for p in data_dir.glob("*.yaml") if p.name != DIRECTORY_FILE)


def check_plan(plan: Plan, located: Located, file: str, directory: Directory) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple[str | int, ...], field: str, message: str) -> None:
        problems.append(Problem(file, located.line_of(path), field, message))

    if plan.jurisdiction not in directory.jurisdictions:
        known = ", ".join(directory.jurisdictions)
        add(
            ("jurisdiction",),
            "jurisdiction",
            f"未知的辖区“{plan.jurisdiction}”，应为以下之一：{known} (unknown jurisdiction)",
        )
        return problems
    check_unit = _unit_checker(plan, directory, add)
    if plan.host:
        check_unit(plan.host, ("host",), "host")
    _check_tasks(plan, add, check_unit)
    _check_targets(plan, add, check_unit)
    return problems


Add = Callable[[tuple[str | int, ...], str, str], None]
CheckUnit = Callable[[str, tuple[str | int, ...], str], None]


def _unit_checker(plan: Plan, directory: Directory, add: Add) -> CheckUnit:
    def check_unit(name: str, path: tuple[str | int, ...], field: str) -> None:
        try:
            directory.resolve(name, plan.jurisdiction)
        except UnknownUnit as exc:
            closest = "、".join(exc.suggestions) or "无"
            add(
                path,
                field,
                f"单位名录中没有“{exc.name}”（最接近：{closest}），请核对名称或把它加入"
                "单位名录 units.yaml（可用 duban units suggest FILE 生成草稿） "
                f"(unknown unit '{exc.name}')",
            )
        except AmbiguousUnit as exc:
            add(
                path,
                field,
                f"单位名称“{exc.name}”有歧义，可能是 {'、'.join(exc.candidates)}，请写全称 (ambiguous unit)",
            )

    return check_unit


def _check_tasks(plan: Plan, add: Add, check_unit: CheckUnit) -> None:
    _repeats(plan.tasks, "ref", "tasks", add)
    for i, task in enumerate(plan.tasks):
        if task.units and not any(u.role == Role.LEAD for u in task.units):
            add(
                ("tasks", i, "units"),
                f"tasks[{task.ref}].units",
                "没有牵头单位：请把其中一个单位的 role 写成 lead (no lead unit)",
            )
        if not task.units:
            add(
                ("tasks", i),
                f"tasks[{task.ref}].units",
                "没有责任单位：请至少写明牵头单位 (no responsible unit)",
            )
        seen: set[str] = set()
        for j, unit in enumerate(task.units):
            field = f"tasks[{task.ref}].units[{j}].name"
            if unit.name in seen:
                add(
                    ("tasks", i, "units", j, "name"),
                    field,
                    f"{unit.name} 列了两次，请删去重复的一个 (listed twice)",
                )
            seen.add(unit.name)
            check_unit(unit.name, ("tasks", i, "units", j, "name"), field)


def _check_targets(plan: Plan, add: Add, check_unit: CheckUnit) -> None:
    _repeats(plan.targets, "code", "targets", add)
    for i, target in enumerate(plan.targets):
        field = f"targets[{target.code}].owner"
        if not target.owner and not plan.host:
            add(
                ("targets", i),
                field,
                "指标没有责任单位，计划也没有牵头主办单位（host）可作默认：请写 owner (no owner)",
            )
        elif target.owner:
            check_unit(target.owner, ("targets", i, "owner"), field)
        if target.value_max is not None and target.value_max < target.value:
            add(
                ("targets", i, "value_max"),
                f"targets[{target.code}].value_max",
                "区间上限 value_max 小于目标值 value，请核对 (value_max below value)",
            )


def _repeats(items: list, key: str, section: str, add) -> None:
    """Report each repeat of a ref or code where it stands (where the editor added it)."""
    counts = Counter(getattr(item, key) for item in items)
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            word = "编号" if key == "ref" else "指标代码"
            message = f"{word} {value} 出现了 {counts[value]} 次，{word}不能重复 ({key} used {counts[value]} times)"
            add((section, index, key), f"{section}[{value}].{key}", message)
        seen.add(value)


def check_catalog(
    data_dir: Path = DATA_DIR, directory: Directory | None = None
) -> tuple[list[Plan], list[Problem]]:
    """Return the plans that validated and every problem found in the files of `data_dir`."""
    problems: list[Problem] = []
    try:
        directory = directory or Directory.load(data_dir / DIRECTORY_FILE)
    except (OSError, ValueError, KeyError) as exc:
        return [], [
            Problem(
                str(data_dir / DIRECTORY_FILE), None, "", f"cannot read the unit directory: {exc}"
            )
        ]
    plans: list[Plan] = []
    slugs: dict[str, str] = {}
    for path in plan_files(data_dir):
        try:
            plan, located = read_plan(path)
        except CatalogFileError as exc:
            problems += exc.problems
            continue
        found = check_plan(plan, located, str(path), directory)
        if plan.slug in slugs:
            found.append(
                Problem(
                    str(path),
                    located.line_of(("slug",)),
                    "slug",
                    f"slug {plan.slug} is also used by {slugs[plan.slug]}",
                )
            )
        slugs[plan.slug] = str(path)
        problems += found
        if not found:
            plans.append(plan)
    return plans, problems
