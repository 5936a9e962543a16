"""`duban contacts …`: the 通讯录 the office keeps (liaisons, leaders, robots, the office's own
联系人 and 联系电话). Secrets are never printed: exports and messages show them masked."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from duban.cli.common import err, fail, now, out
from duban.settings import Settings

contacts_app = typer.Typer(
    help="The contact directory (通讯录): import, export, the office's contact.",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 1) -> NoReturn:
    fail(message, code, label="error: ")


@contacts_app.command("import")
def contacts_import(
    file: Annotated[Path, typer.Argument(help="通讯录 .xlsx (columns by Chinese header)")],
    jurisdiction: Annotated[
        str | None,
        typer.Option(help="Jurisdiction code for names several share (default: the plans')"),
    ] = None,
) -> None:
    """Check a whole 通讯录 and apply it, or nothing: each row replaces that unit's contacts."""
    from duban.bootstrap import open_database
    from tasks_catalog.contacts import ContactsError
    from tasks_catalog.contacts_sheet import import_contacts

    if not file.is_file():
        _fail(f"{file}：文件不存在", 1)
    sessions = open_database(Settings())
    try:
        with sessions.begin() as session:
            done = import_contacts(
                session,
                file.read_bytes(),
                file.name,
                now(),
                f"cli:{getpass.getuser()}",
                jurisdiction,
            )
    except ContactsError as exc:
        for problem in exc.problems:
            err.print(problem, highlight=False, markup=False)
        _fail(f"{file.name}：{len(exc.problems)} 处需要修改，通讯录未作任何改动", 1)

    for column in done.ignored:
        out.print(f"未识别的列（已忽略）：{column}", highlight=False, markup=False)
    office = "，办公室联系人已更新" if done.office else ""
    out.print(
        f"已导入 {file.name}：新增 {done.added} 个单位，更新 {done.changed} 个，"
        f"未变 {done.unchanged} 个{office}",
        highlight=False,
    )


@contacts_app.command("export")
def contacts_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx to write")],
) -> None:
    """Write every unit with its contacts (robot tokens and secrets masked) to an .xlsx."""
    from duban.bootstrap import open_database
    from tasks_catalog.contacts_sheet import export_contacts

    with open_database(Settings())() as session:
        count = export_contacts(session, output)
    out.print(f"已导出 {output}：{count} 个单位有联系人", highlight=False)


@contacts_app.command("office")
def contacts_office(
    name: Annotated[str | None, typer.Option("--name", help="办公室联系人")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="联系电话")] = None,
) -> None:
    """Show, or with --name and --phone set, the office's 联系人 and 联系电话 that every
    message signs with."""
    from duban.bootstrap import open_database
    from tasks_catalog.contacts import BadValue, office_contact, set_office_contact

    sessions = open_database(Settings())
    if name is None and phone is None:
        with sessions() as session:
            current = office_contact(session)
        if current is None:
            _fail("尚未设置办公室联系人：duban contacts office --name 姓名 --phone 电话", 1)
        out.print(f"联系人：{current[0]}  联系电话：{current[1]}", highlight=False)
        return
    if name is None or phone is None:
        _fail("请同时写 --name 和 --phone", 2)

    try:
        with sessions.begin() as session:
            set_office_contact(session, name, phone, now())
    except BadValue as exc:
        _fail(str(exc), 1)
    out.print(f"办公室联系人已设置：{name.strip()}，{phone.strip()}", highlight=False)
