"""`duban catalog extract`, `check`, `load`, `show`: a policy document into a draft, the
catalog files checked and synced into the database, and what is loaded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from duban.cli.common import Format, dump_json, err, fail, now, out
from duban.settings import Settings

catalog_app = typer.Typer(
    help="The policy catalog: extract, import, check, load, show, export, apply, publish.",
    no_args_is_help=True,
)

CatalogDir = Annotated[
    Path | None, typer.Option("--dir", help="Catalog folder (default: the shipped catalog)")
]


@catalog_app.command("extract")
def catalog_extract(
    file: Annotated[
        Path, typer.Argument(help="Policy document: .txt (UTF-8 or GB18030), .docx, .xlsx or .pdf")
    ],
    format: Annotated[Format, typer.Option("--format", "-f", help="json or yaml")] = Format.json,
) -> None:
    """Print a draft catalog of FILE: its tasks, their units and its targets, for review."""
    from tasks_catalog.extract import extract
    from tasks_catalog.files import plan_to_yaml
    from tasks_catalog.loader import draft_dict
    from tasks_catalog.reading import DocumentError

    try:
        plan = extract(file)
    except DocumentError as exc:
        fail(str(exc))
    if format == Format.yaml:
        sys.stdout.write(plan_to_yaml(plan))
    else:
        dump_json(draft_dict(plan))


@catalog_app.command("check")
def catalog_check(dir: CatalogDir = None) -> None:
    """Validate every catalog file: schema, unit names, duplicate refs, owners. Exit 1 on problems."""
    from tasks_catalog.check import check_catalog, plan_files

    data_dir = dir or Settings().catalog_path()
    plans, problems = check_catalog(data_dir)
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False)
    if problems:
        err.print(f"[red]{len(problems)} problem(s)[/red] in {data_dir}")
        raise typer.Exit(1)
    out.print(
        f"[green]ok[/green]: {len(plan_files(data_dir))} plan file(s), "
        f"{sum(len(p.tasks) for p in plans)} tasks, {sum(len(p.targets) for p in plans)} targets"
    )


@catalog_app.command("load")
def catalog_load(dir: CatalogDir = None) -> None:
    """Check the catalog files and sync them into the database (idempotent; nothing is written
    when any file has a problem)."""
    from duban.bootstrap import open_database
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.drafts import blocking
    from tasks_catalog.loader import load_catalog

    settings = Settings()
    data_dir = dir or settings.catalog_path()
    plans, problems = check_catalog(data_dir)
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False)
    if blocking(problems):  # a draft's problems keep only that draft out
        fail(f"{data_dir} 中有 {len(problems)} 处问题，未载入任何内容 (nothing was loaded)", 1)
    sessions = open_database(settings)
    with sessions.begin() as session:
        report = load_catalog(session, plans, Directory.load(data_dir / DIRECTORY_FILE), now())
    table = Table(title="载入目录 catalog load", show_header=True)
    table.add_column("内容 rows")
    table.add_column("数量", justify="right")
    for key, count in sorted(report.counts.items()):
        table.add_row(key, str(count))
    out.print(table)
    out.print(
        "没有变化 (nothing changed)" if not report.changed else "目录已更新 (catalog updated)"
    )


@catalog_app.command("show")
def catalog_show(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan (slug)")] = None,
) -> None:
    """Show the loaded catalog: plans, then each plan's tasks with their units and its targets."""
    from duban.bootstrap import open_database
    from tasks_catalog.loader import export_catalog

    with open_database(Settings())() as session:
        data = export_catalog(session, plan)
    if not data["plans"]:
        fail("尚未载入任何计划：请先运行 `duban catalog load`", 1)
    out.print(_plans_table(data["plans"]))
    if plan is None:
        out.print("Use --plan SLUG for the tasks and targets of one plan.")
        return
    p = data["plans"][0]
    out.print(_tasks_table(p))
    out.print(_targets_table(p["targets"]))
    out.print(
        "* proposed by Duban from the units' duties; the document names no units for this task"
    )


def _plans_table(plans: list[dict[str, Any]]) -> Table:
    from vocab.words import PlanStatus
    from vocab.zh import word

    summary = Table(title="已载入的政策文件 plans loaded")
    for col in ("slug", "title", "status 状态", "period", "tasks", "targets"):
        summary.add_column(col, overflow="fold")
    for p in plans:
        summary.add_row(
            p["slug"],
            p["title"],
            word(p["status"], PlanStatus),
            "–".join(map(str, p["period"])),
            str(len(p["tasks"])),
            str(len(p["targets"])),
        )
    return summary


def _unit_names(units: list[dict[str, Any]], role: str) -> str:
    """The units of `role`, a name Duban proposed marked *."""
    return "、".join(
        u["name"] + ("*" if u.get("proposed") else "") for u in units if u["role"] == role
    )


def _tasks_table(plan: dict[str, Any]) -> Table:
    tasks = Table(title=f"{plan['title']} — 任务 tasks")
    for col in ("ref", "title", "lead 牵头", "support 配合"):
        tasks.add_column(col, overflow="fold")
    for t in plan["tasks"]:
        tasks.add_row(
            t["ref"],
            t["title"],
            _unit_names(t["units"], "lead"),
            _unit_names(t["units"], "support"),
        )
    return tasks


def _targets_table(targets: list[dict[str, Any]]) -> Table:
    table = Table(title="指标 targets")
    for col in ("code", "name", "target", "kind", "baseline", "year", "owner"):
        table.add_column(col, overflow="fold")
    for t in targets:
        value = (
            f"{t['cmp']} {t['value']}"
            + (f"–{t['value_max']}" if t["value_max"] else "")
            + f" {t['unit']}"
        )
        base = "" if t["baseline"] is None else f"{t['baseline']} ({t['baseline_year']})"
        table.add_row(
            t["code"],
            t["name"],
            value,
            t["kind"] + (" /年" if t["per_year"] else ""),
            base,
            str(t["year"]),
            t["owner"],
        )
    return table
