"""`duban tasks`: each unit's part of each task with its 完成时限, status and light (issue 19)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

LIGHT_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", "done": "dim"}


class TaskFormat(StrEnum):
    table = "table"
    json = "json"


def tasks(
    plan: Annotated[
        str | None, typer.Option("--plan", help="Plan slug; default every live plan")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit id, e.g. zs-amr")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the lights are for (YYYY-MM-DD); default today"),
    ] = None,
    format: Annotated[
        TaskFormat, typer.Option("--format", "-f", help="table or json")
    ] = TaskFormat.table,
) -> None:
    """List tasks with unit, 完成时限, reported status, light (绿/黄/红/办结) and its reason."""
    from duban import cli
    from reporting.task_board import task_states

    day = cli._parse_day(as_of)
    rt = cli._runtime()
    with rt.sessions() as session:
        states = task_states(session, rt.calendar, day, plan, unit)
    if not states and (plan or unit):
        cli._fail(
            f"没有找到任务：--plan {plan or '（全部）'} --unit {unit or '（全部）'} (no such plan or unit, or no tasks)",
            1,
        )
    if format == TaskFormat.json:
        cli._dump_json([s.as_dict() for s in states])
        return
    table = Table(title=f"任务 tasks — {day}")
    for col in ("计划", "编号", "任务", "单位", "角色", "完成时限", "状态", "灯", "原因"):
        table.add_column(col)
    for s in states:
        style = LIGHT_STYLE.get(s.light, "")
        table.add_row(s.plan, s.ref, s.title[:30], s.unit, s.role, s.due_on, s.status or "—",
                      f"[{style}]{s.light_word}[/{style}]", s.reason)  # fmt: skip
    cli.out.print(table)


def register(app: typer.Typer) -> None:
    app.command("tasks")(tasks)
