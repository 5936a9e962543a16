"""The `duban` command line (Typer + Rich). Its --help is the reference; README lists it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from duban.settings import Settings
from vocab import zh
from vocab.words import MessageKind, OutboxStatus, RequestStatus

if TYPE_CHECKING:
    from flows.runtime import Runtime

app = typer.Typer(
    help="督办 Duban: policy tasks, quarterly reporting and reminders.", no_args_is_help=True
)
catalog_app = typer.Typer(
    help="The policy catalog: extract, import, check, load, show, export, apply, publish.",
    no_args_is_help=True,
)
units_app = typer.Typer(help="The unit directory.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(units_app, name="units")

out = Console(soft_wrap=True)  # a line printed is never broken mid-path or mid-date
err = Console(stderr=True, soft_wrap=True)  # never wrap a path or a message mid-word
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Format(StrEnum):
    json = "json"
    yaml = "yaml"
    table = "table"


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)  # the entry point reads the clock; nothing below does


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


def sent_text(sent: Mapping[str, int]) -> str:
    shown = "，".join(f"{SENT_WORDS.get(k, k)} {v}" for k, v in sent.items() if v)
    return shown or "没有到期的消息 (nothing due)"


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误：[/red]{message}", highlight=False)
    raise typer.Exit(code)


def _runtime(settings: Settings | None = None) -> Runtime:
    """The runtime of the configured settings; a configuration that cannot be used ends the
    command with its message (exit status 1)."""
    from duban.bootstrap import build_runtime
    from notifications.delivery import ChannelConfigError

    try:
        return build_runtime(settings)
    except (ChannelConfigError, ValueError) as exc:
        _fail(str(exc), 1)
        raise


def _dump_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


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
    from tasks_catalog.drafts import blocking
    from tasks_catalog.loader import load_catalog

    settings = Settings()
    data_dir = dir or settings.catalog_path()
    plans, problems = check_catalog(data_dir)
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False)
    if blocking(problems):  # a draft's problems keep only that draft out
        _fail(f"{data_dir} 中有 {len(problems)} 处问题，未载入任何内容 (nothing was loaded)", 1)
    sessions = open_database(settings)
    with sessions.begin() as session:
        report = load_catalog(session, plans, Directory.load(data_dir / DIRECTORY_FILE), _now())
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
    from vocab.words import PlanStatus
    from vocab.zh import word

    with open_database(Settings())() as session:
        data = export_catalog(session, plan)
    if not data["plans"]:
        _fail("尚未载入任何计划：请先运行 `duban catalog load`", 1)
    summary = Table(title="已载入的政策文件 plans loaded")
    for col in ("slug", "title", "status 状态", "period", "tasks", "targets"):
        summary.add_column(col, overflow="fold")
    for p in data["plans"]:
        summary.add_row(
            p["slug"],
            p["title"],
            word(p["status"], PlanStatus),
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
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Folder of other documents with hand-labelled gold")
    ] = Path("../shared/corpus"),
    gold: Annotated[
        Path, typer.Option("--gold", help="Folder of the gold files (one YAML per document)")
    ] = Path("tests/corpus_gold"),
) -> None:
    """Compare the extractor's drafts with the reviewed catalog, and with the corpus gold:
    what it gets right unaided."""
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
    if corpus.is_dir() and gold.is_dir():
        _corpus_table(corpus, gold, directory)


def _percent(right: int, total: int) -> str:
    return f"{right}/{total} ({100 * right / total:.0f}%)" if total else "–"


def _corpus_table(corpus: Path, gold_dir: Path, directory: object) -> None:
    from tasks_catalog.extract import extract
    from tasks_catalog.gold import CorpusScore, gold_files, load_gold, score_against_gold

    table = Table(title="extractor vs corpus gold")
    columns = ("file", "tasks found", "exact units", "leads", "deadlines", "targets recall",
               "targets precision")  # fmt: skip
    for col in columns:
        table.add_column(col)
    total = CorpusScore("total")

    def row(name: str, s: CorpusScore) -> None:
        table.add_row(
            name,
            _percent(s.found, s.tasks) + (f" +{s.extra}" if s.extra else ""),
            _percent(s.exact_units, s.scored),
            _percent(s.exact_leads, s.scored),
            _percent(s.deadlines_right, s.deadlines)
            + (f" ({s.deadlines_wrong} wrong)" if s.deadlines_wrong else ""),
            _percent(s.targets_right, s.targets),
            _percent(s.targets_right, s.targets_extracted),
        )

    for path in gold_files(gold_dir):
        g = load_gold(path)
        source = corpus / g.source
        if not source.exists():
            table.add_row(g.source, "source missing", "", "", "", "", "")
            continue
        s = score_against_gold(extract(source, directory), g)  # type: ignore[arg-type]
        total.add(s)
        row(g.source[:40], s)
    row("total", total)
    out.print(table)


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
        _fail(str(exc))
        return
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


from duban import commands_catalog  # noqa: E402

commands_catalog.register(app, catalog_app)


# --- the cycle ---------------------------------------------------------------------------


def _parse_day(value: str | None) -> dt.date:
    if value is None:
        return _now().date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r} 不是日期，请写成 YYYY-MM-DD（如 2025-10-14）")
        raise


def _at(day: dt.date) -> dt.datetime:
    """Replaying a past day happens at 09:00 of that day; today happens now."""
    from reporting.schedule import run_time

    return run_time(day, _now())


@app.command("tick")
def tick(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day to run (YYYY-MM-DD); default today")
    ] = None,
    no_dispatch: Annotated[
        bool, typer.Option("--no-dispatch", help="Only enqueue; leave sending to `duban dispatch`")
    ] = False,
) -> None:
    """Do everything due on a day: open periods, issue requests, ingest the inbox, enqueue
    reminders and escalations, assess, write reports, then send. Running it twice changes nothing."""
    from flows import steps
    from flows.tick import run_tick

    day = _parse_day(as_of)
    rt = _runtime()
    at = _at(day)
    summary = run_tick(rt, day, at)
    table = Table(title=f"日常任务 tick {day}")
    table.add_column("事项 step")
    table.add_column("结果 result", overflow="fold")
    if summary.skipped:
        table.add_row("未办理 skipped", summary.skipped)
        out.print(table)
        return
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
    if not no_dispatch:
        sent = steps.dispatch_outbox(rt, lambda: at if day != _now().date() else _now())
        table.add_row("发送 dispatched", sent_text(sent))
    out.print(table)


@app.command("dispatch")
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

    rt = _runtime()
    sent = steps.dispatch_outbox(rt, _now, worker=worker, limit=limit)
    out.print(sent_text(sent), highlight=False)
    held = steps.held_messages(rt, _now())
    if held is not None:
        count, until = held
        out.print(
            f"发送时段外（DUBAN_SEND_HOURS={Settings().send_hours}，工作日）：{count} 条消息暂缓，"
            f"将于 {until:%Y-%m-%d %H:%M} 起发送",
            highlight=False,
        )


@app.command("submit")
def submit(
    file: Annotated[Path, typer.Argument(help="A filled Excel template (.xlsx)")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Reject the file unless it is this unit's")
    ] = None,
) -> None:
    """Submit a filled template: validated whole, recorded with its sha256; the same file twice is a no-op."""
    from reporting.intake import SubmissionRejected, submit_file

    rt = _runtime()
    try:
        with rt.sessions.begin() as session:
            result = submit_file(session, file, now=_now(), store_dir=rt.var_dir / "submissions", channel="cli",
                                 expected_unit=unit, submitter="cli")  # fmt: skip
    except SubmissionRejected as exc:
        for problem in exc.problems:
            err.print(f"{file}: {problem}", markup=False, highlight=False)
        _fail(f"{file} 未被接受，未记录任何内容：请按上述问题修改后重新报送", 1)
        return
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


@app.command("report")
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
    from sqlalchemy import select

    from db.models import Period, Plan
    from flows.steps import report_setup
    from reporting.actions import reassess

    day = _parse_day(as_of)
    rt = _runtime()
    with rt.sessions.begin() as session:
        query = select(Period.id).join(Plan).where(Period.label == period).order_by(Plan.slug)
        if plan:
            query = query.where(Plan.slug == plan)
        ids = list(session.scalars(query))
        if not ids:
            _fail(
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


outbox_app = typer.Typer(
    help="The outbox: every message Duban decided to send.", invoke_without_command=True
)
app.add_typer(outbox_app, name="outbox")


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
    from notifications.outbox import STATUSES, listing

    if status and status not in STATUSES:
        _fail(f"--status {status!r} 无效，可用：{'、'.join(STATUSES)}")
    with open_database(Settings())() as session:
        rows = [{"id": n.id, "key": n.key, "recipient": n.channel, "kind": n.kind, "status": n.status,
                 "attempts": n.attempts, "subject": n.subject, "last_error": n.last_error,
                 "sent_at": n.sent_at.isoformat() if n.sent_at else None} for n in listing(session, status)]  # fmt: skip
    if format == Format.json:
        _dump_json(rows)
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
        _fail("请给出消息编号，或用 --failed 重发全部失败的消息")
    with open_database(Settings()).begin() as session:
        count = requeue(session, None if failed else list(ids or []), _now())
    out.print(f"已重新排队 {count} 条消息 (requeued)")


@app.command("demo")
def demo(
    dir: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its database, outbox and reports")
    ] = Path("var/demo"),
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="The reporting year to simulate (default: this year, up to today)"
        ),
    ] = None,
    prefect_days: Annotated[
        int,
        typer.Option(
            "--prefect-days", help="How many of the last working days run through Prefect itself"
        ),
    ] = 1,
    contacts: Annotated[
        Path | None,
        typer.Option("--contacts", help="A 通讯录 .xlsx: deliver the demo's messages to it"),
    ] = None,
) -> None:
    """Simulate a reporting year of the Zhoushan plans, reported monthly, up to today, with
    simulated departments (模拟单位) answering through the real tick, intake and outbox. The
    current month stays open: open the portal next and follow the links of the latest
    messages. Run twice into the same dir, it sends nothing twice."""
    import time

    from duban.demo import demo_office_user, demo_plans, run_demo, summary_rows
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog
    from tasks_catalog.paths import DATA_DIR

    started, now = time.perf_counter(), _now()
    year = year or now.year
    # The demo runs on the shipped example catalogs and the file outbox, even inside a workspace.
    settings = Settings(var_dir=dir, database_url=f"sqlite:///{dir / 'duban.db'}", catalog_dir=DATA_DIR,
                        calendar_file=None, apprise_config=None)  # fmt: skip
    plans, problems = check_catalog(settings.catalog_path())
    if problems:
        _fail(f"目录中有 {len(problems)} 处问题：请运行 `duban catalog check` 查看", 1)
    rt = _runtime(settings)
    with rt.sessions.begin() as session:
        load_catalog(session, demo_plans(plans, year),
                     Directory.load(settings.catalog_path() / DIRECTORY_FILE), dt.datetime(year, 1, 1, 8, tzinfo=SHANGHAI))  # fmt: skip
        login = demo_office_user(session, dir, now)
    if contacts is not None:
        rt = _demo_contacts(settings, contacts, now)
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), now.date())
    through_prefect = None
    if prefect_days > 0:
        # Prefect keeps its own state with the demo's, not in the user's home.
        os.environ.setdefault("PREFECT_HOME", str((dir / "prefect").resolve()))
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        # A new Prefect database is migrated on the first start: half a minute here, more than
        # Prefect's 20 s default wait for its temporary server.
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
        from flows.prefect_flows import PrefectDays

        through_prefect = PrefectDays.last_working_days(rt.calendar, end, prefect_days)
    figures = run_demo(rt, start, end, now, on_day=through_prefect)
    rows, messages = summary_rows(rt)
    table = Table(title=f"duban demo {year} — Zhoushan plans, 模拟单位 simulated departments")
    columns = ("plan", "period", "due", "units", "on time", "late", "missing", "files")
    for col in columns:
        table.add_column(col, no_wrap=True)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    out.print(table)
    out.print(f"messages decided {sum(messages.values())}: sent {messages['sent']}, cancelled at sending because the unit "
              f"had submitted {messages['cancelled']}, failed {messages['failed']}, undeliverable {messages['undeliverable']}, "
              f"pending {messages['pending']}")  # fmt: skip
    acted = figures["acted"]
    out.print(
        f"simulated departments filed {acted['filed']} templates, {acted['mistaken']} with a mistake (rejected, then resent)"
    )
    if through_prefect is not None:
        out.print(f"days run through Prefect: {', '.join(map(str, through_prefect.days))}")
    out.print(f"messages: {dir / 'outbox'}")
    out.print(f"reports:  {dir / 'reports'}")
    out.print(
        f"portal:   DUBAN_VAR_DIR={dir} duban portal  →  {settings.portal_url}/office ({login})"
    )
    out.print(f"finished in {time.perf_counter() - started:.0f} s")


def _demo_contacts(settings: Settings, file: Path, now: dt.datetime) -> Runtime:
    """Import the demo's 通讯录; the runtime again, its channels now following from it."""
    from duban.commands_contacts import demo_contacts
    from tasks_catalog.contacts import ContactsError

    try:
        out.print(demo_contacts(settings, file, now), highlight=False)
    except (ContactsError, OSError) as exc:
        _fail(f"--contacts {file}：{exc}", 1)
    return _runtime(settings)


@app.command("serve")
def serve() -> None:
    """Run unattended: the daily tick (DUBAN_TICK_CRON, default 09:00 Asia/Shanghai; non-working
    days do nothing), dispatch every DUBAN_DISPATCH_EVERY seconds, and the portal on
    DUBAN_PORTAL_HOST:DUBAN_PORTAL_PORT. Starts a local Prefect server unless PREFECT_API_URL
    is set. Stops cleanly on SIGTERM or Ctrl-C."""
    from duban.serve import ServeError, run

    try:
        run(
            Settings(),
            lambda line: out.print(line, highlight=False),
            os.environ.get("PREFECT_API_URL"),
        )
    except ServeError as exc:
        _fail(str(exc), 1)


requests_app = typer.Typer(
    help="Office actions on requests: list, extend a deadline, waive.", no_args_is_help=True
)
app.add_typer(requests_app, name="requests")


@requests_app.command("list")
def requests_list(
    period: Annotated[str | None, typer.Option("--period", help="e.g. 2025Q3")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, submitted, late, waived")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
) -> None:
    """List requests with their reference codes, due dates and status."""
    from sqlalchemy import select

    from db.models import Period, Request, Unit
    from duban.bootstrap import open_database

    with open_database(Settings())() as session:
        query = (
            select(Request, Period, Unit)
            .join(Period, Request.period_id == Period.id)
            .join(Unit, Request.unit_id == Unit.id)
        )
        if period:
            query = query.where(Period.label == period)
        if status:
            query = query.where(Request.status == status)
        rows = [{"code": r.code, "unit": u.name, "period": p.label, "due_on": r.due_on.isoformat(), "status": r.status,
                 "sequence": r.sequence} for r, p, u in session.execute(query.order_by(Request.due_on, Request.code))]  # fmt: skip
    if format == Format.json:
        _dump_json(rows)
        return
    table = Table(title="报送通知 requests")
    for col in ("参考编号", "单位", "报送期", "截止日期", "状态"):
        table.add_column(col)
    for r in rows:
        status = zh.word(r["status"], RequestStatus)
        table.add_row(r["code"], r["unit"], zh.period_name(r["period"]), r["due_on"], status)
    out.print(table)


@requests_app.command("extend")
def requests_extend(
    code: Annotated[str, typer.Argument(help="Reference code, e.g. 2025Q3-zs-sti-P1")],
    due: Annotated[str, typer.Option("--due", help="The new due date (a working day, YYYY-MM-DD)")],
) -> None:
    """Move a unit's deadline; the invite is re-sent with a higher SEQUENCE."""
    from flows import steps
    from reporting.cycle import ActionError

    try:
        out.print(steps.change_deadline(_runtime(), code, _now(), new_due=_parse_day(due)))
    except ActionError as exc:
        _fail(str(exc), 1)


@requests_app.command("waive")
def requests_waive(code: Annotated[str, typer.Argument(help="Reference code")]) -> None:
    """Excuse a unit from a period's report; its invite is cancelled (METHOD:CANCEL)."""
    from flows import steps
    from reporting.cycle import ActionError

    try:
        out.print(steps.change_deadline(_runtime(), code, _now(), waive=True))
    except ActionError as exc:
        _fail(str(exc), 1)


channels_app = typer.Typer(help="Delivery channels (Apprise configuration).", no_args_is_help=True)
app.add_typer(channels_app, name="channels")


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
        _fail(
            "没有可测试的通道：未设置 DUBAN_APPRISE_CONFIG、DUBAN_SMTP_URL、钉钉应用，通讯录中也没有"
            "机器人；消息写入发件文件夹 var/outbox/",
            1,
        )
        return
    results = channel.test(unit)
    if not results:
        _fail(f"标签 {unit!r} 没有通道（通讯录和 Apprise 配置中都没有）", 1)
    table = Table(title=f"{unit} 的通道 channels")
    for col in ("通道 url", "结果 result"):
        table.add_column(col, overflow="fold")
    for url, ok, error in results:
        table.add_row(url, "成功" if ok else f"失败：{error}")
    out.print(table)
    if not all(ok for _, ok, _ in results):
        raise typer.Exit(1)


@app.command("portal")
def portal(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default DUBAN_PORTAL_HOST)")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on (default DUBAN_PORTAL_PORT)")
    ] = None,
) -> None:
    """Serve the web portal (units' forms, the office dashboard) with uvicorn on the configured database."""
    import uvicorn

    from duban.bootstrap import build_portal
    from duban.serve import ServeError, take_port

    settings = Settings()
    host, port = host or settings.portal_host, port or settings.portal_port
    try:
        sock = take_port(host, port, "门户", "--port 或 DUBAN_PORTAL_PORT")
    except ServeError as exc:
        _fail(str(exc), 1)
        return
    out.print(f"门户 portal: http://{host}:{port}/office", highlight=False)
    from duban.portal.security import redact_access_log

    redact_access_log()  # link tokens never reach the log; the client address is decided by
    config = uvicorn.Config(
        build_portal(settings), log_level="info", proxy_headers=False
    )  # the portal
    uvicorn.Server(config).run(sockets=[sock])


office_app = typer.Typer(help="Office staff accounts for the portal.", no_args_is_help=True)
app.add_typer(office_app, name="office")


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
            add_user(session, username, password, _now())
    except ValueError as exc:
        _fail(str(exc), 1)
    out.print(f"办公室账号 {username} 已保存", highlight=False)


from duban.commands_contacts import contacts_app  # noqa: E402

app.add_typer(contacts_app, name="contacts")


from duban.commands_reports import register as _register_reports  # noqa: E402

_register_reports(app)


from duban import commands_tasks  # noqa: E402  (registers `duban tasks`)

commands_tasks.register(app)
