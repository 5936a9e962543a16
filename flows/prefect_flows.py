"""Prefect flows and deployments: thin, typed, a few coarse tasks with retries.

A task run costs ~10 ms and a flow run ~1 s here, so there is never one task per unit. Prefect
may create a scheduled run twice after a redeploy; Duban's own keys (outbox, ladder steps, tick
runs) make a second run harmless.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, serve, task
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron, Interval

from flows import steps
from flows.runtime import Runtime
from reporting.workdays import WorkCalendar

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def _runtime(var_dir: str | None) -> Runtime:
    # The flow run is an entry point like the CLI: it wires the app through the bootstrap.
    from duban.bootstrap import build_runtime
    from duban.settings import Settings

    return build_runtime(Settings(var_dir=Path(var_dir)) if var_dir else Settings())


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def open_periods_task(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    return steps.open_and_request(rt, as_of, now)


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def ingest_task(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return dict(steps.ingest(rt, now))


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def remind_task(rt: Runtime, as_of: dt.date, now: dt.datetime) -> tuple[int, int, int]:
    return steps.remind(rt, as_of, now)


@task(retries=1, retry_delay_seconds=60, cache_policy=NO_CACHE)
def report_task(rt: Runtime, as_of: dt.date, now: dt.datetime, notes: list[str]) -> list[str]:
    return [str(p) for p in steps.assess_and_report(rt, as_of, now, notes)]


@flow(name="duban-tick", log_prints=True)
def tick_flow(as_of: dt.date | None = None, var_dir: str | None = None) -> dict[str, object]:
    """Everything due on `as_of` (default: today in Asia/Shanghai). Scheduled every day at
    09:00; on a day that is not a working day (调休 included) it does nothing."""
    logger = get_run_logger()
    rt = _runtime(var_dir)
    now = dt.datetime.now(SHANGHAI)
    day = as_of or now.date()
    at = now if day == now.date() else dt.datetime.combine(day, dt.time(9, 0), tzinfo=SHANGHAI)
    if not rt.calendar.is_workday(day):
        logger.info("%s is not a working day; nothing to do", day)
        return {"as_of": day.isoformat(), "skipped": "not a working day"}
    summary = steps.begin_tick(rt, day, at)
    try:
        summary.opened_requests = open_periods_task(rt, day, at)
        summary.intake.update(ingest_task(rt, at))
        summary.digests, summary.merged, summary.deferred = remind_task(rt, day, at)
        summary.notes = steps.calendar_notes(
            rt, day, [dt.date.fromisoformat(d) for d in summary.missed_days]
        )
        summary.notes += steps.publish_feeds(rt, at)
        summary.reports = report_task(rt, day, at, summary.notes)
    except Exception as exc:
        steps.fail_tick(rt, day, at, exc)
        raise
    steps.finish_tick(rt, summary, at)
    logger.info(
        "tick %s: %s requests issued, %s digests, %s reports",
        day,
        summary.opened_requests,
        summary.digests,
        len(summary.reports),
    )
    return summary.as_dict()


@flow(name="duban-dispatch")
def dispatch_flow(var_dir: str | None = None, limit: int | None = None) -> dict[str, int]:
    rt = _runtime(var_dir)
    return dict(
        steps.dispatch_outbox(
            rt, lambda: dt.datetime.now(SHANGHAI), worker=f"prefect-{os.getpid()}", limit=limit
        )
    )


@dataclass
class PrefectDays:
    """For the demo: which simulated days go through the Prefect flow itself."""

    days: list[dt.date]

    @classmethod
    def last_working_days(cls, cal: WorkCalendar, end: dt.date, count: int) -> PrefectDays:
        days, day = [], end
        while len(days) < count:
            if cal.is_workday(day):
                days.append(day)
            day -= dt.timedelta(days=1)
        return cls(sorted(days))

    def __call__(self, day: dt.date) -> bool:
        return day in self.days

    def run(self, rt: Runtime, day: dt.date, now: dt.datetime) -> None:
        tick_flow(as_of=day, var_dir=str(rt.var_dir))


def _local_server(var_dir: Path) -> subprocess.Popen[bytes]:
    """Prefect's ephemeral API does not run the scheduler: start a real local server."""
    home = (var_dir / "prefect").resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            "4200",
        ],
        env=env,
        stdout=open(home / "server.log", "ab"),
        stderr=subprocess.STDOUT,
    )
    url = "http://127.0.0.1:4200/api"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            time.sleep(1)
    else:
        proc.terminate()
        raise RuntimeError(f"the local Prefect server did not start; see {home / 'server.log'}")
    os.environ["PREFECT_API_URL"] = url
    return proc


def serve_deployments(var_dir: Path, on_start: Callable[[], None] | None = None) -> None:
    server = None if os.environ.get("PREFECT_API_URL") else _local_server(var_dir)
    try:
        tick = tick_flow.to_deployment(
            name="daily-tick", schedule=Cron("0 9 * * *", timezone="Asia/Shanghai")
        )
        dispatcher = dispatch_flow.to_deployment(name="dispatch", schedule=Interval(300))
        if on_start:
            on_start()
        serve(tick, dispatcher)
    finally:
        if server is not None:
            server.terminate()
