"""`duban tasks`: each unit's part of each task with its 完成时限, status and light, and the
office's 办结 (`duban tasks close`) and 退回 (`duban tasks return`) of a unit's 已完成 (issue 19)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from duban.cli.common import dump_json, fail, now, out, parse_day, runtime

LIGHT_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", "done": "dim"}


class TaskFormat(StrEnum):
    table = "table"
    json = "json"


tasks_app = typer.Typer(
    help="Tasks with 完成时限, status and light; 办结 and 退回 of a unit's 已完成.",
    invoke_without_command=True,
)


@tasks_app.callback(invoke_without_command=True)
def tasks(
    ctx: typer.Context,
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
    if ctx.invoked_subcommand is not None:
        return
    from reporting.task_board import task_states

    day = parse_day(as_of)
    rt = runtime()
    with rt.sessions() as session:
        states = task_states(session, rt.calendar, day, plan, unit)
    if not states and (plan or unit):
        fail(
            f"没有找到任务：--plan {plan or '（全部）'} --unit {unit or '（全部）'} (no such plan or unit, or no tasks)",
            1,
        )
    if format == TaskFormat.json:
        dump_json([s.as_dict() for s in states])
        return
    table = Table(title=f"任务 tasks — {day}")
    for col in ("计划", "编号", "任务", "单位", "角色", "完成时限", "状态", "灯", "原因"):
        table.add_column(col)
    for s in states:
        style = LIGHT_STYLE.get(s.light, "")
        table.add_row(
            s.plan,
            s.ref,
            s.title[:30],
            s.unit,
            s.role,
            s.due_on,
            s.status or "—",
            f"[{style}]{s.light_word}[/{style}]",
            s.reason,
        )
    out.print(table)


Ref = Annotated[str, typer.Argument(help="The task's 编号 in its plan, e.g. 二(一)1")]
PlanSlug = Annotated[str, typer.Option("--plan", help="Plan slug (see duban tasks)")]
UnitId = Annotated[str, typer.Option("--unit", help="The unit that reported it 已完成")]
By = Annotated[str, typer.Option("--by", help="Who in the office decides (audit log)")]


@tasks_app.command("close")
def close(ref: Ref, plan: PlanSlug, unit: UnitId, by: By = "office") -> None:
    """办结: confirm a unit's 已完成 of a task; the unit is told, the light turns 办结."""
    _decide(ref, plan, unit, "closed", by, "")


@tasks_app.command("return")
def return_(
    ref: Ref,
    plan: PlanSlug,
    unit: UnitId,
    reason: Annotated[str, typer.Option("--reason", help="Why (the unit is told)")],
    by: By = "office",
) -> None:
    """退回: return a unit's 已完成 of a task with a reason; the task stays open."""
    _decide(ref, plan, unit, "returned", by, reason)


def _decide(ref: str, plan: str, unit: str, action: str, by: str, reason: str) -> None:
    from flows.unit_notices import tell_closure
    from reporting.closure import ClosureRefused, claim_of, decide, word
    from vocab.words import ClosureAction

    rt = runtime()
    at = now()
    try:
        with rt.sessions.begin() as session:
            made = decide(
                session, plan, ref, unit, ClosureAction(action), actor=by, now=at, reason=reason
            )
            tell_closure(rt, session, claim_of(session, plan, ref, unit), made, at)
    except ClosureRefused as exc:
        fail(str(exc), 1)
    out.print(
        f"{plan} {ref}（{unit}）：已{word(action)}，已通知该单位", markup=False, highlight=False
    )


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
