"""Prefect flows and deployments: thin, typed, a few coarse tasks with retries.

A task run costs ~10 ms and a flow run ~1 s, so there is never one task per unit. Prefect
may create a scheduled run twice after a redeploy; Duban's own keys (outbox, ladder steps, tick
runs) make a second run harmless. The tick's orchestration is `flows.tick.run_tick`, the same
one `duban tick` runs: the flow only swaps in its steps as Prefect tasks.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, serve, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.schedules import Cron, Interval

from flows import runtime, steps, tick
from flows.runtime import Runtime
from reporting import schedule
from reporting.workdays import WorkCalendar

TIMEZONE = "Asia/Shanghai"


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def open_periods_task(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    return steps.open_and_request(rt, as_of, now)


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def ingest_task(rt: Runtime, now: dt.datetime) -> Mapping[str, int]:
    return dict(steps.ingest(rt, now))


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def remind_task(rt: Runtime, as_of: dt.date, now: dt.datetime) -> tuple[int, int, int]:
    return steps.remind(rt, as_of, now)


@task(retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def feeds_task(rt: Runtime, now: dt.datetime) -> list[str]:
    return steps.publish_feeds(rt, now)


@task(retries=1, retry_delay_seconds=60, cache_policy=NO_CACHE)
def report_task(rt: Runtime, as_of: dt.date, now: dt.datetime, notes: list[str]) -> list[str]:
    return [str(p) for p in steps.assess_and_report(rt, as_of, now, notes)]


PREFECT_STEPS = tick.TickSteps(
    open=open_periods_task,
    ingest=ingest_task,
    remind=remind_task,
    feeds=feeds_task,
    report=report_task,
)


def _scheduled_day(now: dt.datetime) -> dt.date:
    """The day this run is for: its scheduled time (a run that starts late, or after
    midnight, still does its own day's work)."""
    scheduled = flow_run.scheduled_start_time
    return schedule.scheduled_day(scheduled if scheduled is not None else now)


@flow(name="duban-tick", log_prints=True)
def tick_flow(as_of: dt.date | None = None, var_dir: str | None = None) -> dict[str, Any]:
    """Everything due on `as_of` (default: the day the run was scheduled for, Asia/Shanghai).
    On a day that is not a working day (调休 included) it does nothing."""
    logger = get_run_logger()
    rt = runtime.build(var_dir)
    now = dt.datetime.now(schedule.SHANGHAI)  # the entry point reads the clock; nothing below
    day = as_of or _scheduled_day(now)
    summary = tick.run_tick(rt, day, schedule.run_time(day, now), PREFECT_STEPS)
    if summary.skipped:
        logger.info("%s: %s", day, summary.skipped)
    else:
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
    """Send what is due. On SIGTERM (the runner shutting down) the message in flight is
    finished and recorded and the rest go back to the outbox, instead of being cut off."""
    rt = runtime.build(var_dir)
    with _stop_on_sigterm() as stopping:
        sent = steps.dispatch_outbox(
            rt,
            lambda: dt.datetime.now(schedule.SHANGHAI),
            worker="prefect",
            limit=limit,
            stop=stopping.is_set,
        )
    return dict(sent)


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        yield stopping
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class PrefectDays:
    """For the demo: which simulated days go through the Prefect flow itself."""

    days: list[dt.date]

    @classmethod
    def last_working_days(cls, cal: WorkCalendar, end: dt.date, count: int) -> PrefectDays:
        days: list[dt.date] = []
        day = end
        while len(days) < count:
            if cal.is_workday(day):
                days.append(day)
            day -= dt.timedelta(days=1)
        return cls(sorted(days))

    def __call__(self, day: dt.date) -> bool:
        return day in self.days

    def run(self, rt: Runtime, day: dt.date, now: dt.datetime) -> None:
        tick_flow(as_of=day, var_dir=str(rt.var_dir))


def serve_deployments(var_dir: Path, tick_cron: str, dispatch_every: int) -> None:
    """Serve the daily tick (`tick_cron`, Asia/Shanghai) and the dispatcher (every
    `dispatch_every` seconds) until SIGTERM; the Prefect API must be reachable."""
    parameters = {"var_dir": str(var_dir.resolve())}
    daily = tick_flow.to_deployment(
        name="daily-tick", schedule=Cron(tick_cron, timezone=TIMEZONE), parameters=parameters
    )
    dispatcher = dispatch_flow.to_deployment(
        name="dispatch", schedule=Interval(dispatch_every), parameters=parameters
    )
    serve(daily, dispatcher)  # type: ignore[arg-type]  # sync_compatible: deployments here
