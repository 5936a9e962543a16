"""The `duban` command line (Typer + Rich). Its --help is the reference; README lists it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from duban.settings import Settings

app = typer.Typer(
    help="督办 Duban: policy tasks, quarterly reporting and reminders.", no_args_is_help=True
)
catalog_app = typer.Typer(
    help="The policy catalog: extract, check, load, show, export.", no_args_is_help=True
)
units_app = typer.Typer(help="The unit directory.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(units_app, name="units")

out = Console()
err = Console(stderr=True, soft_wrap=True)  # never wrap a path or a message mid-word
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Format(StrEnum):
    json = "json"
    yaml = "yaml"
    table = "table"


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)  # the entry point reads the clock; nothing below does


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _dump_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@catalog_app.command("extract")
def catalog_extract(
    file: Annotated[Path, typer.Argument(help="Policy document: .txt (UTF-8 or GB18030) or .docx")],
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
        _fail(str(exc))
        return
    if format == Format.yaml:
        sys.stdout.write(plan_to_yaml(plan))
    else:
        _dump_json({"plans": [draft_dict(plan)]}["plans"][0])


@catalog_app.command("check")
def catalog_check(
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Catalog folder (default: the shipped catalog)")
    ] = None,
) -> None:
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
def catalog_load(
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Catalog folder (default: the shipped catalog)")
    ] = None,
) -> None:
    """Check the catalog files and sync them into the database (idempotent; nothing is written
    when any file has a problem)."""
    from duban.bootstrap import open_database
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog

    settings = Settings()
    data_dir = dir or settings.catalog_path()
    plans, problems = check_catalog(data_dir)
    if problems:
        for problem in problems:
            err.print(str(problem), highlight=False, markup=False)
        _fail(f"{len(problems)} problem(s) in {data_dir}; nothing was loaded", 1)
    sessions = open_database(settings)
    with sessions.begin() as session:
        report = load_catalog(session, plans, Directory.load(data_dir / DIRECTORY_FILE), _now())
    table = Table(title="catalog load", show_header=True)
    table.add_column("rows")
    table.add_column("count", justify="right")
    for key, count in sorted(report.counts.items()):
        table.add_row(key, str(count))
    out.print(table)
    out.print("nothing changed" if not report.changed else "catalog updated")


@catalog_app.command("export")
def catalog_export(
    format: Annotated[Format, typer.Option("--format", "-f", help="json")] = Format.json,
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan (slug)")] = None,
) -> None:
    """Print the loaded catalog as JSON."""
    from duban.bootstrap import open_database
    from tasks_catalog.loader import export_catalog

    if format != Format.json:
        _fail("export supports --format json")
    sessions = open_database(Settings())
    with sessions() as session:
        _dump_json(export_catalog(session, plan))


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
        _fail("no plan loaded; run `duban catalog load` first", 1)
    summary = Table(title="已载入的政策文件 plans loaded")
    for col in ("slug", "title", "period", "tasks", "targets"):
        summary.add_column(col, overflow="fold")
    for p in data["plans"]:
        summary.add_row(
            p["slug"],
            p["title"],
            "–".join(map(str, p["period"])),
            str(len(p["tasks"])),
            str(len(p["targets"])),
        )
    out.print(summary)
    if plan is None:
        out.print("Use --plan SLUG for the tasks and targets of one plan.")
        return
    p = data["plans"][0]
    tasks = Table(title=f"{p['title']} — 任务 tasks")
    for col in ("ref", "title", "lead 牵头", "support 配合"):
        tasks.add_column(col, overflow="fold")
    for t in p["tasks"]:
        mark = lambda u: u["name"] + ("*" if u.get("proposed") else "")  # noqa: E731
        tasks.add_row(
            t["ref"],
            t["title"],
            "、".join(mark(u) for u in t["units"] if u["role"] == "lead"),
            "、".join(mark(u) for u in t["units"] if u["role"] == "support"),
        )
    out.print(tasks)
    targets = Table(title="指标 targets")
    for col in ("code", "name", "target", "kind", "baseline", "year", "owner"):
        targets.add_column(col, overflow="fold")
    for t in p["targets"]:
        value = (
            f"{t['cmp']} {t['value']}"
            + (f"–{t['value_max']}" if t["value_max"] else "")
            + f" {t['unit']}"
        )
        base = "" if t["baseline"] is None else f"{t['baseline']} ({t['baseline_year']})"
        targets.add_row(
            t["code"],
            t["name"],
            value,
            t["kind"] + (" /年" if t["per_year"] else ""),
            base,
            str(t["year"]),
            t["owner"],
        )
    out.print(targets)
    out.print(
        "* proposed by Duban from the units' duties; the document names no units for this task"
    )


@catalog_app.command("score")
def catalog_score(
    seeds: Annotated[Path, typer.Option("--seeds", help="Folder of the source documents")] = Path(
        "../shared/seeds"
    ),
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Catalog folder (default: the shipped catalog)")
    ] = None,
) -> None:
    """Compare the extractor's drafts with the reviewed catalog: what it gets right unaided."""
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.extract import extract
    from tasks_catalog.score import score

    data_dir = dir or Settings().catalog_path()
    plans, problems = check_catalog(data_dir)
    if problems:
        _fail(f"{len(problems)} problem(s) in the catalog; run `duban catalog check`", 1)
    directory = Directory.load(data_dir / DIRECTORY_FILE)
    table = Table(title="extractor vs reviewed catalog (right/reviewed)")
    for col in ("source", "tasks", "assignments", "targets"):
        table.add_column(col)
    for reviewed in plans:
        source = seeds / reviewed.source
        if not source.exists():
            table.add_row(reviewed.source, "source missing", "", "")
            continue
        s = score(extract(source, directory), reviewed, directory)
        table.add_row(reviewed.source, str(s.tasks), str(s.assignments), str(s.targets))
    out.print(table)


@units_app.command("list")
def units_list(
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="e.g. zhoushan")
    ] = None,
) -> None:
    """List units with their stable id (also their Apprise tag), name, jurisdiction and kind."""
    from tasks_catalog.check import DIRECTORY_FILE
    from tasks_catalog.directory import Directory

    directory = Directory.load(Settings().catalog_path() / DIRECTORY_FILE)
    units = [u for u in directory.units.values() if jurisdiction in (None, u.jurisdiction)]
    if jurisdiction and not units:
        _fail(f"no jurisdiction {jurisdiction!r}; known: {', '.join(directory.jurisdictions)}")
    rows = [
        {
            "id": u.id,
            "name": u.name,
            "jurisdiction": u.jurisdiction,
            "kind": u.kind,
            "aliases": list(u.aliases),
        }
        for u in units
    ]
    if format == Format.json:
        _dump_json(rows)
        return
    table = Table(title="单位 units")
    for col in ("id", "name", "jurisdiction", "kind"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["name"], r["jurisdiction"], r["kind"])
    out.print(table)


def main() -> None:  # pragma: no cover
    app()
