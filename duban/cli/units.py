"""`duban units suggest` and `duban units list`: the unit directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from duban.cli.common import Format, dump_json, err, fail, out
from duban.settings import Settings

units_app = typer.Typer(help="The unit directory.", no_args_is_help=True)


@units_app.command("suggest")
def units_suggest(
    file: Annotated[Path, typer.Argument(help="Policy document whose units to propose")],
) -> None:
    """Propose directory entries for the units FILE names that units.yaml does not know (a new
    jurisdiction's directory draft, printed as YAML for review)."""
    import yaml

    from tasks_catalog.check import DIRECTORY_FILE
    from tasks_catalog.directory import Directory
    from tasks_catalog.extract import extract
    from tasks_catalog.proposals import directory_draft, unknown_units
    from tasks_catalog.reading import DocumentError

    directory = Directory.load(Settings().catalog_path() / DIRECTORY_FILE)
    try:
        plan = extract(file, directory)
    except DocumentError as exc:
        fail(str(exc))
    unknown = unknown_units(plan, directory)
    if not unknown:
        out.print(f"{file}：文中点名的单位都已在单位名录中（all units are known）")
        return
    for name, closest in unknown:
        hint = f"（最接近：{'、'.join(closest)}）" if closest else ""
        err.print(f"未知单位 unknown unit: {name}{hint}", highlight=False, markup=False)
    draft = directory_draft(plan, [name for name, _ in unknown])
    sys.stdout.write("# 请核对后加入 tasks_catalog/data/units.yaml 的 jurisdictions 列表\n")
    sys.stdout.write(yaml.safe_dump([draft], allow_unicode=True, sort_keys=False))


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
        fail(f"no jurisdiction {jurisdiction!r}; known: {', '.join(directory.jurisdictions)}")
    rows: list[dict[str, Any]] = [
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
        dump_json(rows)
        return
    table = Table(title="单位 units")
    for col in ("id", "name", "jurisdiction", "kind"):
        table.add_column(col)
    for u in units:
        table.add_row(u.id, u.name, u.jurisdiction, u.kind)
    out.print(table)
