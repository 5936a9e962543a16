"""`duban catalog import`, `export`, `apply`, `publish`: the office edits its own catalog
folder (a draft from a document, the 任务分工表 out to Excel and back, publishing), every change
loaded into the database and audited."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duban.cli.common import dump_json, now, say
from duban.cli.workspace import actor_of, office_fail, office_settings
from duban.settings import Settings
from vocab.words import PlanStatus
from vocab.zh import word

if TYPE_CHECKING:
    from tasks_catalog.schema import Plan


def catalog_import(
    file: Annotated[Path, typer.Argument(help="Policy document: .txt, .docx, .xlsx or .pdf")],
    slug: Annotated[
        str | None, typer.Option("--slug", help="The plan's slug (default from FILE)")
    ] = None,
    add_units: Annotated[
        bool,
        typer.Option(
            "--add-units", help="Add the units FILE names that units.yaml lacks, for review"
        ),
    ] = False,
) -> None:
    """Extract FILE into a draft plan (草稿) in the workspace's catalog folder and load it as a
    draft: shown in `catalog show`, never sent to units until `catalog publish`."""
    from duban.catalog_actions import SOURCES_DIR
    from tasks_catalog.check import DIRECTORY_FILE
    from tasks_catalog.drafts import (
        add_named_units,
        as_draft,
        directory_of,
        find_plan_file,
        write_plan,
    )
    from tasks_catalog.extract import extract
    from tasks_catalog.reading import DocumentError

    settings = office_settings()
    data_dir = settings.catalog_path()
    try:
        plan = as_draft(extract(file, directory_of(data_dir)), settings.jurisdiction, slug)
    except DocumentError as exc:
        office_fail(str(exc), 2)
    if (existing := find_plan_file(data_dir, plan.slug)) is not None:
        office_fail(
            f"计划 {plan.slug} 已在 {existing}；修改请用 duban catalog apply，或用 --slug 另起一份"
        )
    if add_units:
        for name in add_named_units(plan, data_dir / DIRECTORY_FILE):
            say(f"已加入单位名录：{name}（请在 {data_dir / DIRECTORY_FILE} 中核对）")
    path = data_dir / f"{plan.slug}.yaml"
    sources = data_dir / SOURCES_DIR
    sources.mkdir(exist_ok=True)
    shutil.copyfile(file, sources / plan.source)  # the review page shows each task's source text
    write_plan(path, plan)
    say(f"草稿已写入 {path}：{len(plan.tasks)} 项任务，{len(plan.targets)} 项指标")
    _load(settings, plan.slug, "import", f"{file.name} → {path.name}", None)


def _load(settings: Settings, slug: str, action: str, detail: str, actor: str | None) -> bool:
    """Sync plan `slug` into the database, audited; print the problems that keep it out.
    Return whether it was loaded."""
    from duban.bootstrap import open_database
    from duban.catalog_actions import load_plan

    who = (actor_of(actor), action, detail)
    outcome = load_plan(open_database(settings), settings.catalog_path(), slug, now(), who)
    for problem in outcome.problems:
        say(f"  {problem}")
    if outcome.plan is None:
        say(
            f"计划 {slug} 有 {len(outcome.problems)} 个问题，暂未载入数据库；"
            "改正后运行 duban catalog check"
        )
        return False
    say(f"计划 {slug} 已载入（{word(outcome.plan.status, PlanStatus)}）")
    return True


def _read(settings: Settings, slug: str) -> tuple[Path, Plan]:
    from tasks_catalog.drafts import find_plan_file
    from tasks_catalog.files import CatalogFileError, read_plan

    path = find_plan_file(settings.catalog_path(), slug)
    if path is None:
        office_fail(
            f"目录 {settings.catalog_path()} 中没有计划 {slug}（duban catalog show 列出已有的计划）"
        )
    try:
        return path, read_plan(path)[0]
    except CatalogFileError as exc:
        for problem in exc.problems:
            say(f"  {problem}")
        office_fail(f"{path} 无法读取，请先改正上列问题")


def catalog_export(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan (slug)")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="json or xlsx")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The .xlsx to write (with --format xlsx)")
    ] = None,
) -> None:
    """Print the loaded catalog as JSON, or write a plan's 任务分工表 (--format xlsx --plan SLUG
    --output F) for the office to edit in Excel or WPS and return with `catalog apply F`."""
    settings = Settings()
    if format == "json":
        from duban.bootstrap import open_database
        from tasks_catalog.loader import export_catalog

        with open_database(settings)() as session:
            dump_json(export_catalog(session, plan))
        return
    if format != "xlsx":
        office_fail(f"--format {format!r}：请写 json 或 xlsx", 2)
    if not plan or not output:
        office_fail("--format xlsx 需要 --plan SLUG 和 --output 文件名.xlsx", 2)
    from tasks_catalog.drafts import directory_of, write_bytes_atomically
    from tasks_catalog.sheet import export_plan

    _, found = _read(settings, plan)
    data = export_plan(found, directory_of(settings.catalog_path()), exported_on=now().date())
    write_bytes_atomically(output, data)
    say(f"任务分工表已写入 {output}")


def catalog_apply(
    file: Annotated[
        Path, typer.Argument(help="An edited 任务分工表 (.xlsx) from `catalog export`")
    ],
    plan: Annotated[
        str | None, typer.Option("--plan", help="The plan (default: the one the file came from)")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="Who made the change (audit log)")
    ] = None,
) -> None:
    """Apply an edited 任务分工表 to its plan's file and the database: all of it, or nothing when
    any cell is wrong (each listed as sheet!cell with what to write)."""
    from tasks_catalog.drafts import directory_of, write_plan
    from tasks_catalog.sheet import SheetRejected, apply_sheet, sheet_plan_slug

    settings = office_settings()
    try:
        data = file.read_bytes()
        slug = plan or sheet_plan_slug(data)
        if not slug:
            office_fail(f"{file}：看不出这份表格属于哪个计划，请用 --plan SLUG 写明", 2)
        path, current = _read(settings, slug)
        result = apply_sheet(data, current, directory_of(settings.catalog_path()))
    except OSError as exc:
        office_fail(f"{file}：无法读取（{exc.strerror}）", 2)
    except SheetRejected as exc:
        for problem in exc.problems:
            say(f"  {file}: {problem}")
        office_fail(f"{file} 有 {len(exc.problems)} 处需要改正；未作任何改动")
    if not result.changed:
        say(f"{file}：与计划 {slug} 相同，没有改动")
        return
    write_plan(path, result.plan)
    for change in result.changes:
        say(f"  {change}")
    say(f"已写入 {path}（{len(result.changes)} 处改动）")
    _load(settings, slug, "apply", "；".join(result.changes)[:2000], actor)


def catalog_publish(
    slug: Annotated[str, typer.Argument(help="The plan to publish (slug)")],
    actor: Annotated[str | None, typer.Option("--as", help="Who publishes (audit log)")] = None,
) -> None:
    """Publish a draft plan: from the next tick on, its units receive requests. Refused (exit 1,
    the problems listed) while `catalog check` finds anything wrong with it."""
    from duban.bootstrap import open_database
    from duban.catalog_actions import PlanNotFound, publish_plan

    settings = office_settings()
    try:
        outcome = publish_plan(
            open_database(settings), settings.catalog_path(), slug, actor_of(actor), now()
        )
    except PlanNotFound as exc:
        office_fail(f"{exc}（duban catalog show 列出已有的计划）")
    for problem in outcome.problems:
        say(f"  {problem}")
    if outcome.problems or outcome.plan is None:
        office_fail(f"计划 {slug} 还有 {len(outcome.problems)} 个问题，改正后才能发布；未发布")
    if not outcome.loaded:
        say(f"计划 {slug} 已于 {outcome.plan.published_at or '此前'} 发布，没有改动")
        return
    say(f"计划 {slug} 已发布：下一次巡检（duban tick）起向各单位发送报送通知")
