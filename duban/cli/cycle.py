"""The reporting cycle by hand: `duban tick` (a day's work), `dispatch` (send what is due),
`submit` (a filled template), `report` (re-assess a period and write its report)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from duban.cli.common import err, fail, now, out, parse_day, run_at, runtime
from duban.settings import Settings

if TYPE_CHECKING:
    from flows.tick import TickSummary

INTAKE_WORDS = {
    "accepted": "已接收",
    "rejected": "退回",
    "duplicate": "重复",
    "waiting": "等待写完",
}
SENT_WORDS = {
    "sent": "已发送",
    "retry": "稍后重试",
    "failed": "发送失败",
    "undeliverable": "无通道可投递",
    "cancelled": "已无需发送",
    "requeued": "租约过期重新排队",
    "released": "未发出已放回",
}
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="The day to run (YYYY-MM-DD); default today")
]


def sent_text(sent: Mapping[str, int]) -> str:
    shown = "，".join(f"{SENT_WORDS.get(k, k)} {v}" for k, v in sent.items() if v)
    return shown or "没有到期的消息 (nothing due)"


def tick(
    as_of: AsOf = None,
    no_dispatch: Annotated[
        bool, typer.Option("--no-dispatch", help="Only enqueue; leave sending to `duban dispatch`")
    ] = False,
) -> None:
    """Do everything due on a day: open periods, issue requests, ingest the inbox, enqueue
    reminders and escalations, assess, write reports, then send. Running it twice changes nothing."""
    from flows import steps
    from flows.tick import run_tick

    day = parse_day(as_of)
    rt = runtime()
    at = run_at(day)
    summary = run_tick(rt, day, at)
    table = Table(title=f"日常任务 tick {day}")
    table.add_column("事项 step")
    table.add_column("结果 result", overflow="fold")
    if summary.skipped:
        table.add_row("未办理 skipped", summary.skipped)
        out.print(table)
        return
    _tick_rows(table, summary)
    if not no_dispatch:
        sent = steps.dispatch_outbox(rt, lambda: at if day != now().date() else now())
        table.add_row("发送 dispatched", sent_text(sent))
    out.print(table)


def _tick_rows(table: Table, summary: TickSummary) -> None:
    table.add_row("发出报送通知 requests", str(summary.opened_requests))
    table.add_row(
        "收件箱 inbox",
        "，".join(f"{INTAKE_WORDS.get(k, k)} {v}" for k, v in summary.intake.items()) or "无文件",
    )
    table.add_row(
        "提醒消息 digests",
        f"{summary.digests}（并入当日 {summary.merged}，顺延 {summary.deferred}）",
    )
    table.add_row("报告 reports", "\n".join(summary.reports) or "今日无到期报告")
    for note in summary.notes:
        table.add_row("说明 note", note)


def dispatch_cmd(
    worker: Annotated[
        str, typer.Option("--worker", help="Name of this dispatcher in the outbox rows")
    ] = "cli",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most this many")
    ] = None,
) -> None:
    """Send what is due in the outbox (several dispatchers may run at once). Outside the send
    hours only alerts to the admin go; the others are held and the command says until when."""
    from flows import steps

    rt = runtime()
    sent = steps.dispatch_outbox(rt, now, worker=worker, limit=limit)
    out.print(sent_text(sent), highlight=False)
    held = steps.held_messages(rt, now())
    if held is not None:
        count, until = held
        out.print(
            f"发送时段外（DUBAN_SEND_HOURS={Settings().send_hours}，工作日）：{count} 条消息暂缓，"
            f"将于 {until:%Y-%m-%d %H:%M} 起发送",
            highlight=False,
        )


def submit(
    file: Annotated[Path, typer.Argument(help="A filled Excel template (.xlsx)")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Reject the file unless it is this unit's")
    ] = None,
) -> None:
    """Submit a filled template: validated whole, recorded with its sha256; the same file twice is a no-op."""
    from flows.receipts import enqueue_receipt
    from reporting.intake import SubmissionRejected, submit_file

    rt = runtime()
    at = now()
    try:
        with rt.sessions.begin() as session:
            result = submit_file(
                session,
                file,
                now=at,
                store_dir=rt.var_dir / "submissions",
                channel="cli",
                expected_unit=unit,
                submitter="cli",
            )
            enqueue_receipt(rt, session, result, at)  # the unit is told, as for every channel
    except SubmissionRejected as exc:
        for problem in exc.problems:
            err.print(f"{file}: {problem}", markup=False, highlight=False)
        fail(f"{file} 未被接受，未记录任何内容：请按上述问题修改后重新报送", 1)
    if result.duplicate:
        out.print(f"{file}：{result.request_code} 已收到过同一文件，未作改动", highlight=False)
    elif not result.complete:
        out.print(
            f"{file}：已暂存 {result.request_code}（{result.accepted}），尚未填写完整，不计为已报送，"
            "催报继续 (kept as a draft; the request stays open):",
            markup=False,
            highlight=False,
        )
        for line in result.missing:
            out.print(f"  - {line}", markup=False, highlight=False)
    else:
        out.print(
            f"{file}：已记录为 {result.request_code} 的报送（{result.accepted}）"
            + ("（逾期报送）" if result.late else ""),
            markup=False,
            highlight=False,
        )


def report(
    period: Annotated[str, typer.Option("--period", help="e.g. 2025Q3")],
    plan: Annotated[
        str | None, typer.Option("--plan", help="Plan slug; default every plan with that period")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Assess as of this day; default today")
    ] = None,
) -> None:
    """Assess a period from the current data and write its report under var/reports/: the
    annex (.xlsx), the HTML page, the 通报 (.docx) and, for the plan's last period once it has
    closed, the 最终评估 — the same action as the portal's 重新评估."""
    from flows.steps import report_setup
    from reporting.actions import reassess
    from reporting.office_lists import period_ids

    day = parse_day(as_of)
    rt = runtime()
    with rt.sessions.begin() as session:
        ids = period_ids(session, period, plan)
        if not ids:
            fail(
                f"no period {period}"
                + (f" in plan {plan}" if plan else "")
                + "; load the catalog and run a tick first",
                1,
            )
        done = reassess(session, ids, day, report_setup(rt, day))
    for d in done:
        out.print(d.summary, highlight=False)
        for path in d.files:
            if path is not None:
                out.print(str(path), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("tick")(tick)
    app.command("dispatch")(dispatch_cmd)
    app.command("submit")(submit)
    app.command("report")(report)
