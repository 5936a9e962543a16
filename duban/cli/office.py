"""The office's own commands: `duban requests` (list, extend, waive), `duban outbox` (list,
retry), `duban channels test` and `duban office add-user`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from duban.cli.common import Format, dump_json, fail, now, out, parse_day, runtime
from duban.settings import Settings
from vocab import zh
from vocab.words import MessageKind, OutboxStatus, RequestStatus

requests_app = typer.Typer(
    help="Office actions on requests: list, extend a deadline, waive.", no_args_is_help=True
)
outbox_app = typer.Typer(
    help="The outbox: every message Duban decided to send.", invoke_without_command=True
)
channels_app = typer.Typer(help="Delivery channels (Apprise configuration).", no_args_is_help=True)
office_app = typer.Typer(help="Office staff accounts for the portal.", no_args_is_help=True)


@outbox_app.callback()
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, sent, failed, undeliverable, cancelled")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
) -> None:
    """List outbox rows with their errors (newest first)."""
    if ctx.invoked_subcommand is not None:
        return
    from duban.bootstrap import open_database
    from notifications.outbox import STATUSES
    from reporting.office_lists import outbox_rows

    if status and status not in STATUSES:
        fail(f"--status {status!r} 无效，可用：{'、'.join(STATUSES)}")
    with open_database(Settings())() as session:
        rows = outbox_rows(session, status)
    if format == Format.json:
        dump_json(rows)
        return
    table = Table(title="发件箱 outbox")
    for col in ("编号", "收件方", "类型", "状态", "尝试次数", "主题", "最近错误"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["recipient"],
            zh.word(r["kind"], MessageKind),
            zh.word(r["status"], OutboxStatus),
            str(r["attempts"]),
            r["subject"] or r["key"],
            r["last_error"] or "",
        )
    out.print(table)


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Row ids to send again")] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="Requeue every failed and undeliverable row")
    ] = False,
) -> None:
    """Requeue rows for another round of attempts."""
    from duban.bootstrap import open_database
    from notifications.outbox import requeue

    if not ids and not failed:
        fail("请给出消息编号，或用 --failed 重发全部失败的消息")
    with open_database(Settings()).begin() as session:
        count = requeue(session, None if failed else list(ids or []), now())
    out.print(f"已重新排队 {count} 条消息 (requeued)")


@requests_app.command("list")
def requests_list(
    period: Annotated[str | None, typer.Option("--period", help="e.g. 2025Q3")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, submitted, late, waived")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
) -> None:
    """List requests with their reference codes, due dates and status."""
    from duban.bootstrap import open_database
    from reporting.office_lists import request_rows

    with open_database(Settings())() as session:
        rows = request_rows(session, period, status)
    if format == Format.json:
        dump_json(rows)
        return
    table = Table(title="报送通知 requests")
    for col in ("参考编号", "单位", "报送期", "截止日期", "状态"):
        table.add_column(col)
    for r in rows:
        shown = zh.word(r["status"], RequestStatus)
        table.add_row(r["code"], r["unit"], zh.period_name(r["period"]), r["due_on"], shown)
    out.print(table)


@requests_app.command("extend")
def requests_extend(
    code: Annotated[str, typer.Argument(help="Reference code, e.g. 2025Q3-zs-sti-P1")],
    due: Annotated[str, typer.Option("--due", help="The new due date (a working day, YYYY-MM-DD)")],
) -> None:
    """Move a unit's deadline; the invite is re-sent with a higher SEQUENCE."""
    from flows import steps
    from reporting.requests import ActionError

    try:
        out.print(steps.change_deadline(runtime(), code, now(), new_due=parse_day(due, "--due")))
    except ActionError as exc:
        fail(str(exc), 1)


@requests_app.command("waive")
def requests_waive(code: Annotated[str, typer.Argument(help="Reference code")]) -> None:
    """Excuse a unit from a period's report; its invite is cancelled (METHOD:CANCEL)."""
    from flows import steps
    from reporting.requests import ActionError

    try:
        out.print(steps.change_deadline(runtime(), code, now(), waive=True))
    except ActionError as exc:
        fail(str(exc), 1)


@channels_app.command("test")
def channels_test(
    unit: Annotated[
        str, typer.Argument(help="A tag: unit id, '<unit id>:leader', 'office' or 'admin'")
    ],
) -> None:
    """Send a test message to every channel of UNIT (its contacts' and the Apprise file's) and
    report per URL (secrets hidden)."""
    from duban.bootstrap import make_channel, open_database
    from notifications.delivery import AppriseChannel

    settings = Settings()
    channel = make_channel(settings, open_database(settings))
    if not isinstance(channel, AppriseChannel):
        fail(
            "没有可测试的通道：未设置 DUBAN_APPRISE_CONFIG、DUBAN_SMTP_URL、钉钉应用，通讯录中也没有"
            "机器人；消息写入发件文件夹 var/outbox/",
            1,
        )
    results = channel.test(unit)
    if not results:
        fail(f"标签 {unit!r} 没有通道（通讯录和 Apprise 配置中都没有）", 1)
    table = Table(title=f"{unit} 的通道 channels")
    for col in ("通道 url", "结果 result"):
        table.add_column(col, overflow="fold")
    for url, ok, error in results:
        table.add_row(url, "成功" if ok else f"失败：{error}")
    out.print(table)
    if not all(ok for _, ok, _ in results):
        raise typer.Exit(1)


@office_app.command("add-user")
def office_add_user(
    username: Annotated[str, typer.Argument(help="Sign-in name")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters (prompted, never echoed)",
        ),
    ],
) -> None:
    """Create an office user (or set a new password); the password is stored as an argon2 hash."""
    from duban.bootstrap import open_database
    from duban.portal.security import add_user

    try:
        with open_database(Settings()).begin() as session:
            add_user(session, username, password, now())
    except ValueError as exc:
        fail(str(exc), 1)
    out.print(f"办公室账号 {username} 已保存", highlight=False)
