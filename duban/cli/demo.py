"""`duban demo`: a reporting year of the Zhoushan plans simulated up to today, through the real
tick, intake and outbox, into a folder of its own."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from duban.cli.common import SHANGHAI, fail, now, out, runtime
from duban.settings import Settings

if TYPE_CHECKING:
    from flows.prefect_flows import PrefectDays
    from flows.runtime import Runtime

SUMMARY_COLUMNS = ("plan", "period", "due", "units", "on time", "late", "missing", "files")


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
    from duban.demo import run_demo
    from tasks_catalog.paths import DATA_DIR

    started, at = time.perf_counter(), now()
    year = year or at.year
    # The demo runs on the shipped example catalogs and the file outbox, even inside a workspace.
    settings = Settings(
        var_dir=dir,
        database_url=f"sqlite:///{dir / 'duban.db'}",
        catalog_dir=DATA_DIR,
        calendar_file=None,
        apprise_config=None,
    )
    rt, login = _load_demo(settings, dir, year, at)
    if contacts is not None:
        rt = _demo_contacts(settings, contacts, at)
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), at.date())
    through_prefect = _prefect_days(rt, dir, end, prefect_days) if prefect_days > 0 else None
    figures = run_demo(rt, start, end, at, on_day=through_prefect)
    _print_summary(rt, year, figures)
    if through_prefect is not None:
        out.print(f"days run through Prefect: {', '.join(map(str, through_prefect.days))}")
    out.print(f"messages: {dir / 'outbox'}")
    out.print(f"reports:  {dir / 'reports'}")
    out.print(
        f"portal:   DUBAN_VAR_DIR={dir} duban portal  →  {settings.portal_url}/office ({login})"
    )
    out.print(f"finished in {time.perf_counter() - started:.0f} s")


def _load_demo(settings: Settings, dir: Path, year: int, at: dt.datetime) -> tuple[Runtime, str]:
    """The demo's plans loaded into its database, its office user; the runtime and the login."""
    from duban.demo import demo_office_user, demo_plans
    from tasks_catalog.check import DIRECTORY_FILE, check_catalog
    from tasks_catalog.directory import Directory
    from tasks_catalog.loader import load_catalog

    plans, problems = check_catalog(settings.catalog_path())
    if problems:
        fail(f"目录中有 {len(problems)} 处问题：请运行 `duban catalog check` 查看", 1)
    rt = runtime(settings)
    directory = Directory.load(settings.catalog_path() / DIRECTORY_FILE)
    with rt.sessions.begin() as session:
        load_catalog(
            session, demo_plans(plans, year), directory, dt.datetime(year, 1, 1, 8, tzinfo=SHANGHAI)
        )
        login = demo_office_user(session, dir, at)
    return rt, login


def _prefect_days(rt: Runtime, dir: Path, end: dt.date, days: int) -> PrefectDays:
    # Prefect keeps its own state with the demo's, not in the user's home.
    os.environ.setdefault("PREFECT_HOME", str((dir / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A new Prefect database is migrated on the first start: half a minute here, more than
    # Prefect's 20 s default wait for its temporary server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    from flows.prefect_flows import PrefectDays

    return PrefectDays.last_working_days(rt.calendar, end, days)


def _print_summary(rt: Runtime, year: int, figures: dict[str, Any]) -> None:
    from duban.demo import summary_rows

    rows, messages = summary_rows(rt)
    table = Table(title=f"duban demo {year} — Zhoushan plans, 模拟单位 simulated departments")
    for col in SUMMARY_COLUMNS:
        table.add_column(col, no_wrap=True)
    for row in rows:
        table.add_row(*(str(row[c]) for c in SUMMARY_COLUMNS))
    out.print(table)
    out.print(
        f"messages decided {sum(messages.values())}: sent {messages['sent']}, cancelled at sending because the unit "
        f"had submitted {messages['cancelled']}, failed {messages['failed']}, undeliverable {messages['undeliverable']}, "
        f"pending {messages['pending']}"
    )
    acted = figures["acted"]
    out.print(
        f"simulated departments filed {acted['filed']} templates, {acted['mistaken']} with a mistake (rejected, then resent)"
    )


def _demo_contacts(settings: Settings, file: Path, at: dt.datetime) -> Runtime:
    """Import the demo's 通讯录; the runtime again, its channels now following from it."""
    from tasks_catalog.contacts import ContactsError

    try:
        out.print(demo_contacts(settings, file, at), highlight=False)
    except (ContactsError, OSError) as exc:
        fail(f"--contacts {file}：{exc}", 1)
    return runtime(settings)


def demo_contacts(settings: Settings, file: Path, at: dt.datetime) -> str:
    """Import `file` into the demo's database (the demo's plans are Zhoushan's); return what
    the demo's messages will reach. ContactsError when the file cannot be applied."""
    from duban.bootstrap import make_channel, open_database
    from notifications.channels import FileOutbox
    from tasks_catalog.contacts_sheet import import_contacts

    sessions = open_database(settings)
    with sessions.begin() as session:
        done = import_contacts(session, file.read_bytes(), file.name, at, "demo", "zhoushan")
    kept = done.added + done.changed + done.unchanged
    if isinstance(make_channel(settings, sessions), FileOutbox):
        return (
            f"通讯录 {file.name}：{kept} 个单位；未设置 DUBAN_SMTP_URL、钉钉应用或群机器人，"
            "消息仍写入 outbox 文件夹"
        )
    return f"通讯录 {file.name}：{kept} 个单位的消息按通讯录发送（邮件、钉钉）"
