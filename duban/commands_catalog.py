"""An office's own programme without a programmer: `duban init`, and `duban catalog import`,
`export`, `apply`, `publish` on the workspace's catalog folder."""

from __future__ import annotations

import datetime as dt
import getpass
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duban.settings import Settings
from vocab.words import PlanStatus
from vocab.zh import word

if TYPE_CHECKING:
    from tasks_catalog.schema import Plan

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
DEFAULT_ACTOR = "cli"


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)  # the entry point reads the clock; nothing below does


def _fail(message: str, code: int = 1) -> None:
    from duban.cli import err

    err.print(f"[red]错误 error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _say(message: str) -> None:
    from duban.cli import out

    out.print(message, highlight=False, markup=False)


def _actor(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return DEFAULT_ACTOR


def _office_settings() -> Settings:
    """The settings of the workspace the command runs in; a command that writes plan files
    refuses to write into the shipped example catalogs."""
    settings = Settings()
    if settings.catalog_dir is None:
        _fail(
            "这里不是督办工作目录：请先运行 duban init 目录名 --jurisdiction 辖区代码，"
            "再在该目录中运行本命令（或用 DUBAN_CATALOG_DIR 指定本办的目录）"
        )
    return settings


def init(
    dir: Annotated[Path, typer.Argument(help="The workspace folder (new or empty)")],
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", "-j", help="Jurisdiction code, e.g. zhoushan")
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Its name (开封市), for a jurisdiction Duban does not ship"),
    ] = None,
    office: Annotated[
        str | None, typer.Option("--office", help="The office's name, as notices are signed")
    ] = None,
) -> None:
    """Create an office workspace in DIR: duban.toml (documented settings), catalog/ with the
    jurisdiction's unit directory (empty for a new one), calendar.yaml (调休 overrides), var/.
    Every duban command run inside DIR uses it."""
    from duban.workspace import WorkspaceError, create_workspace
    from tasks_catalog.paths import DATA_DIR

    try:
        written = create_workspace(dir, jurisdiction, name, DATA_DIR / "units.yaml", office)
    except WorkspaceError as exc:
        _fail(str(exc))
        return
    for path in written:
        _say(f"已创建 {path}")
    _say(
        f"下一步：cd {dir} && duban catalog import 政策文件.docx（生成草稿，审核后 duban catalog publish）"
    )


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

    settings = _office_settings()
    data_dir = settings.catalog_path()
    try:
        plan = as_draft(extract(file, directory_of(data_dir)), settings.jurisdiction, slug)
    except DocumentError as exc:
        _fail(str(exc), 2)
        return
    if (existing := find_plan_file(data_dir, plan.slug)) is not None:
        _fail(
            f"计划 {plan.slug} 已在 {existing}；修改请用 duban catalog apply，或用 --slug 另起一份"
        )
    if add_units:
        for name in add_named_units(plan, data_dir / DIRECTORY_FILE):
            _say(f"已加入单位名录：{name}（请在 {data_dir / DIRECTORY_FILE} 中核对）")
    path = data_dir / f"{plan.slug}.yaml"
    sources = data_dir / SOURCES_DIR
    sources.mkdir(exist_ok=True)
    shutil.copyfile(file, sources / plan.source)  # the review page shows each task's source text
    write_plan(path, plan)
    _say(f"草稿已写入 {path}：{len(plan.tasks)} 项任务，{len(plan.targets)} 项指标")
    _load(settings, plan.slug, "import", f"{file.name} → {path.name}", None)


def _load(settings: Settings, slug: str, action: str, detail: str, actor: str | None) -> bool:
    """Sync plan `slug` into the database, audited; print the problems that keep it out.
    Return whether it was loaded."""
    from duban.bootstrap import open_database
    from duban.catalog_actions import load_plan

    who = (_actor(actor), action, detail)
    outcome = load_plan(open_database(settings), settings.catalog_path(), slug, _now(), who)
    for problem in outcome.problems:
        _say(f"  {problem}")
    if outcome.plan is None:
        _say(
            f"计划 {slug} 有 {len(outcome.problems)} 个问题，暂未载入数据库；"
            "改正后运行 duban catalog check"
        )
        return False
    _say(f"计划 {slug} 已载入（{word(outcome.plan.status, PlanStatus)}）")
    return True


def _read(settings: Settings, slug: str) -> tuple[Path, Plan]:
    from tasks_catalog.drafts import find_plan_file
    from tasks_catalog.files import CatalogFileError, read_plan

    path = find_plan_file(settings.catalog_path(), slug)
    if path is None:
        _fail(
            f"目录 {settings.catalog_path()} 中没有计划 {slug}（duban catalog show 列出已有的计划）"
        )
        raise AssertionError
    try:
        return path, read_plan(path)[0]
    except CatalogFileError as exc:
        for problem in exc.problems:
            _say(f"  {problem}")
        _fail(f"{path} 无法读取，请先改正上列问题")
        raise


def catalog_export(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan (slug)")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="json or xlsx")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The .xlsx to write (with --format xlsx)")
    ] = None,
) -> None:
    """Print the loaded catalog as JSON, or write a plan's 任务分工表 (--format xlsx --plan SLUG
    --output F) for the office to edit in Excel or WPS and return with `catalog apply F`."""
    from duban.cli import _dump_json

    settings = Settings()
    if format == "json":
        from duban.bootstrap import open_database
        from tasks_catalog.loader import export_catalog

        with open_database(settings)() as session:
            _dump_json(export_catalog(session, plan))
        return
    if format != "xlsx":
        _fail(f"--format {format!r}：请写 json 或 xlsx", 2)
    if not plan or not output:
        _fail("--format xlsx 需要 --plan SLUG 和 --output 文件名.xlsx", 2)
        return
    from tasks_catalog.drafts import directory_of, write_bytes_atomically
    from tasks_catalog.sheet import export_plan

    _, found = _read(settings, plan)
    data = export_plan(found, directory_of(settings.catalog_path()), exported_on=_now().date())
    write_bytes_atomically(output, data)
    _say(f"任务分工表已写入 {output}")


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

    settings = _office_settings()
    try:
        data = file.read_bytes()
        slug = plan or sheet_plan_slug(data)
        if not slug:
            _fail(f"{file}：看不出这份表格属于哪个计划，请用 --plan SLUG 写明", 2)
            return
        path, current = _read(settings, slug)
        result = apply_sheet(data, current, directory_of(settings.catalog_path()))
    except OSError as exc:
        _fail(f"{file}：无法读取（{exc.strerror}）", 2)
        return
    except SheetRejected as exc:
        for problem in exc.problems:
            _say(f"  {file}: {problem}")
        _fail(f"{file} 有 {len(exc.problems)} 处需要改正；未作任何改动")
        return
    if not result.changed:
        _say(f"{file}：与计划 {slug} 相同，没有改动")
        return
    write_plan(path, result.plan)
    for change in result.changes:
        _say(f"  {change}")
    _say(f"已写入 {path}（{len(result.changes)} 处改动）")
    _load(settings, slug, "apply", "；".join(result.changes)[:2000], actor)


def catalog_publish(
    slug: Annotated[str, typer.Argument(help="The plan to publish (slug)")],
    actor: Annotated[str | None, typer.Option("--as", help="Who publishes (audit log)")] = None,
) -> None:
    """Publish a draft plan: from the next tick on, its units receive requests. Refused (exit 1,
    the problems listed) while `catalog check` finds anything wrong with it."""
    from duban.bootstrap import open_database
    from duban.catalog_actions import PlanNotFound, publish_plan

    settings = _office_settings()
    try:
        outcome = publish_plan(
            open_database(settings), settings.catalog_path(), slug, _actor(actor), _now()
        )
    except PlanNotFound as exc:
        _fail(f"{exc}（duban catalog show 列出已有的计划）")
        return
    for problem in outcome.problems:
        _say(f"  {problem}")
    if outcome.problems or outcome.plan is None:
        _fail(f"计划 {slug} 还有 {len(outcome.problems)} 个问题，改正后才能发布；未发布")
        return
    if not outcome.loaded:
        _say(f"计划 {slug} 已于 {outcome.plan.published_at or '此前'} 发布，没有改动")
        return
    _say(f"计划 {slug} 已发布：下一次巡检（duban tick）起向各单位发送报送通知")


def check_workspace() -> None:
    """督办 Duban: policy tasks, quarterly reporting and reminders."""
    from duban.workspace import WorkspaceError

    try:
        Settings()
    except WorkspaceError as exc:  # a typo in duban.toml: say where, not a traceback
        _fail(str(exc), 2)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    app.callback()(check_workspace)
    app.command("init")(init)
    catalog_app.command("import")(catalog_import)
    catalog_app.command("export")(catalog_export)
    catalog_app.command("apply")(catalog_apply)
    catalog_app.command("publish")(catalog_publish)
