"""The office's workspace: `duban init` creates one; every command checks the one it runs in
(a typo in duban.toml said where, not a traceback); commands that write plan files refuse to
write into the shipped example catalogs."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from duban.cli.common import fail, say
from duban.settings import Settings

DEFAULT_ACTOR = "cli"


def office_fail(message: str, code: int = 1) -> NoReturn:
    fail(message, code, label="错误 error: ")


def actor_of(given: str | None) -> str:
    """Who acts, for the audit log: `--as`, else the user signed in, else cli."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return DEFAULT_ACTOR


def office_settings() -> Settings:
    """The settings of the workspace the command runs in; a command that writes plan files
    refuses to write into the shipped example catalogs."""
    settings = Settings()
    if settings.catalog_dir is None:
        office_fail(
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
        office_fail(str(exc))
    for path in written:
        say(f"已创建 {path}")
    say(
        f"下一步：cd {dir} && duban catalog import 政策文件.docx（生成草稿，审核后 duban catalog publish）"
    )


def check_workspace() -> None:
    """督办 Duban: policy tasks, quarterly reporting and reminders."""
    from duban.workspace import WorkspaceError

    try:
        Settings()
    except WorkspaceError as exc:  # a typo in duban.toml: say where, not a traceback
        office_fail(str(exc), 2)
