"""The columns of a 任务分工表: how each field of a task or target is written into a cell and read
back. Export and apply both go through these, so a cell nobody edited reads back as exactly what
was written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tasks_catalog.schema import Role, Target, Task, UnitRef
from tasks_catalog.sheet_values import (
    CMP_WORDS,
    KIND_WORDS,
    NONE_SHOWN,
    CellError,
    Context,
    deadline_text,
    goal_text,
    optional_number,
    optional_year,
    parse_cmp,
    parse_deadline,
    parse_decimal,
    parse_goal,
    parse_kind,
    parse_measure,
    parse_owner,
    parse_ref,
    parse_units,
    parse_year,
    required_text,
    show_deadline,
    units_text,
)

TASK_SHEET, TARGET_SHEET, UNIT_SHEET, GUIDE_SHEET, META_SHEET = (
    "任务分工",
    "指标",
    "单位名录",
    "填写说明",
    "督办",
)
KEY_HEADER = "督办编号"  # the hidden column of task refs and target codes
FORMAT = "duban-catalog-1"

# --- the columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: its header, how a value is taken from a task or target, written, read and
    named in a change ("牵头单位 A → B")."""

    header: str
    name: str  # the keyword the row's value is built with
    get: Callable[[Any], Any]
    render: Callable[[Any], str]
    parse: Callable[[str, Context], Any]
    label: str = ""
    show: Callable[[Any], str] | None = None
    numeric: bool = False  # written as a number when the text is one (years)
    widths: tuple[int, int] = (8, 40)

    def shown(self, value: Any) -> str:
        return (self.show or self.render)(value) or NONE_SHOWN


def _role(task: Task, role: str) -> list[UnitRef]:
    return [u for u in task.units if u.role == role]


def _parse_leads(text: str, ctx: Context) -> list[UnitRef]:
    if not text:
        raise CellError("请填写牵头单位")
    return parse_units(text, Role.LEAD, ctx)


TASK_COLUMNS: tuple[Column, ...] = (
    Column("序号", "ref", lambda t: t.ref, str, parse_ref, "序号", widths=(6, 12)),
    Column(
        "任务",
        "title",
        lambda t: t.title,
        str,
        required_text("任务名称"),
        "任务名称",
        widths=(14, 30),
    ),
    Column(
        "牵头单位", "leads", lambda t: _role(t, "lead"), units_text, _parse_leads, widths=(12, 22)
    ),
    Column(
        "配合单位",
        "supports",
        lambda t: _role(t, "support"),
        units_text,
        lambda text, ctx: parse_units(text, Role.SUPPORT, ctx),
        widths=(12, 34),
    ),
    Column(
        "完成时限",
        "deadline",
        lambda t: (t.deadline, t.due_date),
        deadline_text,
        parse_deadline,
        show=show_deadline,
        widths=(10, 16),
    ),
    Column("任务要求", "body", lambda t: t.body, str, lambda text, ctx: text, widths=(30, 66)),
)

TARGET_COLUMNS: tuple[Column, ...] = (
    Column(
        "指标",
        "name",
        lambda g: g.name,
        str,
        required_text("指标名称"),
        "指标名称",
        widths=(16, 40),
    ),
    Column(
        "目标值",
        "goal",
        lambda g: (g.value, g.value_max, g.per_year),
        goal_text,
        parse_goal,
        widths=(8, 14),
    ),
    Column(
        "单位",
        "unit",
        lambda g: g.unit,
        str,
        parse_measure,
        widths=(6, 10),
    ),
    Column("比较", "cmp", lambda g: g.cmp, CMP_WORDS.__getitem__, parse_cmp, widths=(6, 8)),
    Column("类型", "kind", lambda g: g.kind, KIND_WORDS.__getitem__, parse_kind, widths=(6, 8)),
    Column(
        "基期值",
        "baseline",
        lambda g: g.baseline,
        optional_number,
        lambda text, ctx: parse_decimal(text, "基期值", "95.5"),
        widths=(8, 12),
    ),
    Column(
        "基期年",
        "baseline_year",
        lambda g: g.baseline_year,
        optional_year,
        lambda text, ctx: parse_year(text, "基期年", ctx, required=False),
        numeric=True,
        widths=(8, 10),
    ),
    Column(
        "目标年",
        "year",
        lambda g: g.year,
        str,
        lambda text, ctx: parse_year(text, "目标年", ctx, required=True),
        numeric=True,
        widths=(8, 10),
    ),
    Column("责任单位", "owner", lambda g: g.owner, lambda o: o or "", parse_owner, widths=(12, 22)),
)


def task_fields(values: dict[str, Any], section: str | None, original: Task | None) -> Task:
    """The task a row describes; what the sheet does not show (section, span) is kept."""
    deadline, due = values["deadline"]
    return Task(
        ref=values["ref"],
        title=values["title"],
        section=original.section if original else section,
        body=values["body"],
        span=original.span if original else None,
        units=[*values["leads"], *values["supports"]],
        deadline=deadline,
        due_date=due,
    )


def target_fields(values: dict[str, Any], code: str, original: Target | None) -> Target:
    value, value_max, per_year = values["goal"]
    return Target(
        code=code,
        name=values["name"],
        value=value,
        value_max=value_max,
        unit=values["unit"],
        cmp=values["cmp"],
        kind=values["kind"],
        per_year=per_year,
        baseline=values["baseline"],
        baseline_year=values["baseline_year"],
        year=values["year"],
        owner=values["owner"],
        span=original.span if original else None,
    )
