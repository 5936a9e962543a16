"""`duban status`: a period as the dashboard shows it. `duban assess-year`: the yearly 考核 of a
plan's units, written as the 考核 table (.xlsx) and its 通报 (.docx) under var/reports/, and
shown as a table or JSON with the figures behind each score."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from duban.cli.common import dump_json, err, fail, out, parse_day, runtime

if TYPE_CHECKING:
    from reporting.queries import PeriodView
    from reporting.yearly import YearResult
    from tasks_catalog.schema import Assessment


class YearFormat(StrEnum):
    table = "table"
    json = "json"


def _weights(slug: str) -> Assessment | None:
    """The plan's 考核 weights from its catalog file (None: the documented defaults)."""
    from tasks_catalog.check import check_catalog

    plans, _ = check_catalog()
    return next((p.assessment for p in plans if p.slug == slug), None)


def _year_json(result: YearResult) -> dict[str, object]:
    from reporting.yearly import explain

    return {
        "plan": result.plan_slug,
        "year": result.year,
        "periods": result.periods,
        "scores": [
            {
                "rank": s.rank,
                "unit_id": s.unit_id,
                "unit": s.name,
                "score": str(s.score),
                "parts": [
                    {
                        "measure": p.name,
                        "basis": p.basis,
                        "weight": str(p.weight),
                        "points": str(p.points),
                    }
                    for p in s.parts
                ],
                "deducted": str(s.deducted),
                "adjustment": str(s.adjustment),
                "figures": explain(s),
            }
            for s in result.scores
        ],
    }


def _year_table(result: YearResult) -> Table:
    from reporting.yearly import explain
    from vocab import zh

    table = Table(title=f"{result.year}年度考核 · {result.plan_title}")
    for name in ("名次", "单位", "得分", "得分依据"):
        table.add_column(name, overflow="fold")
    for s in result.scores:
        table.add_row(str(s.rank), s.name, zh.number(s.score), explain(s))
    return table


def assess_year(
    year: Annotated[int, typer.Option("--year", help="The year to score, e.g. 2025")],
    plan: Annotated[
        str | None, typer.Option("--plan", help="Plan slug; default every plan loaded")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Assess as of this day (YYYY-MM-DD); default today"),
    ] = None,
    format: Annotated[
        YearFormat, typer.Option("--format", "-f", help="table or json on the terminal")
    ] = YearFormat.table,
) -> None:
    """Score every unit of a plan for a year (按时报送率, 报送完整率, 办结率, 指标达标率, deductions
    for 与上期雷同; weights from the plan's catalog `assessment:`) and write the 考核 table
    (.xlsx) and its 通报 (.docx) under var/reports/."""
    from flows.steps import report_setup
    from reporting.actions import NoYear, write_year, year_result
    from reporting.office_lists import plan_slugs

    day = parse_day(as_of)
    rt = runtime()
    results, problems = [], []
    with rt.sessions() as session:
        for slug in [plan] if plan else plan_slugs(session):
            try:
                results.append(year_result(session, slug, year, day, _weights(slug)))
            except NoYear as exc:
                problems.append(str(exc))
    for problem in problems:
        err.print(problem, markup=False, highlight=False)
    if not results:
        fail(f"{year}年没有可考核的方案", 1)
    setup = report_setup(rt, day)
    written = [(r, write_year(r, setup, day)) for r in results]
    if format == YearFormat.json:
        dump_json([_year_json(r) for r in results])
    for result, paths in written:
        if format == YearFormat.table:
            out.print(_year_table(result))
        for path in paths:  # stdout stays JSON alone with --format json
            (err if format == YearFormat.json else out).print(
                str(path), markup=False, highlight=False
            )


def status(
    period: Annotated[str, typer.Option("--period", help="e.g. 2025Q3")],
    plan: Annotated[
        str | None, typer.Option("--plan", help="Plan slug; default every plan with that period")
    ] = None,
    state: Annotated[
        str, typer.Option("--status", help="submitted, late, overdue, pending or waived")
    ] = "",
    unit: Annotated[str, typer.Option("--unit", help="Only this unit (its id)")] = "",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As of this day (YYYY-MM-DD); default today")
    ] = None,
    format: Annotated[
        YearFormat, typer.Option("--format", "-f", help="table or json")
    ] = YearFormat.table,
) -> None:
    """A period as the office's dashboard shows it, from the current data: each unit's status
    (按时报送, 逾期报送, 逾期未报, 待报送, 免报) and every flag, in Chinese (`reporting.queries`,
    the portal's read side)."""
    from reporting import queries
    from reporting.office_lists import period_ids

    if state and state not in queries.SHOWN:
        fail(f"--status {state!r}: choose one of {', '.join(queries.SHOWN)}")
    day = parse_day(as_of)
    rt = runtime()
    views = []
    with rt.sessions() as session:
        for period_id in period_ids(session, period, plan):
            view = queries.period_view(
                session, period_id, day, status=state, unit=unit, per_page=1_000_000
            )
            if view is not None:
                views.append(view)
    if not views:
        fail(f"no period {period}" + (f" in plan {plan}" if plan else ""), 1)
    if format == YearFormat.json:
        dump_json([_view_json(v) for v in views])
        return
    for v in views:
        table = Table(title=f"《{v.choice.plan_title}》{v.choice.name}（截止 {v.due_on}）")
        for name in ("单位", "状态", "参考编号", "收到"):
            table.add_column(name, overflow="fold")
        for u in v.units:
            table.add_row(u.name, u.status_text, u.code, u.received_at or "")
        out.print(table)
        out.print(
            f"本期评估提示共 {v.flag_total} 条："
            + "，".join(f"{k} {n}" for k, n in v.flag_kinds.items()),
            highlight=False,
        )


def _view_json(v: PeriodView) -> dict[str, Any]:
    return {
        "plan": v.choice.plan_slug,
        "period": v.choice.label,
        "units": [
            {
                "unit_id": u.unit_id,
                "unit": u.name,
                "status": u.status_text,
                "code": u.code,
                "due_on": u.due_on.isoformat(),
                "received_at": u.received_at,
            }
            for u in v.units
        ],
        "flags": [vars(f) for f in v.flags],
    }


def register(app: typer.Typer) -> None:
    app.command("assess-year")(assess_year)
    app.command("status")(status)
