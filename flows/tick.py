"""The daily tick: one orchestration for `duban tick`, the demo and the Prefect flow.

The flow passes its own `TickSteps` (the same step functions wrapped as Prefect tasks with
retries); everything else — which days do nothing, the order of the steps, the run's record
and what a failure leaves behind — is decided here once.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.locks import try_exclusive
from db.models import TickRun
from flows import steps
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import notice_subject
from reporting import schedule
from vocab import zh
from vocab.words import MessageKind

log = logging.getLogger(__name__)

OK, FAILED, RUNNING, SKIPPED = "ok", "failed", "running", "skipped"


@dataclass
class TickSummary:
    as_of: str
    skipped: str | None = None  # why nothing was done (a day off)
    opened_requests: int = 0
    intake: Counter[str] = field(default_factory=Counter)
    digests: int = 0
    merged: int = 0
    deferred: int = 0
    reports: list[str] = field(default_factory=list)
    missed_days: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "intake": dict(self.intake)}


@dataclass(frozen=True)
class TickSteps:
    """The tick's steps, in the order they run. The Prefect flow swaps in task-wrapped ones."""

    open: Callable[[Runtime, dt.date, dt.datetime], int] = steps.open_and_request
    ingest: Callable[[Runtime, dt.datetime], Mapping[str, int]] = steps.ingest
    remind: Callable[[Runtime, dt.date, dt.datetime], tuple[int, int, int]] = steps.remind
    feeds: Callable[[Runtime, dt.datetime], list[str]] = steps.publish_feeds
    report: Callable[[Runtime, dt.date, dt.datetime, list[str]], list[Path] | list[str]] = (
        steps.assess_and_report
    )


DIRECT = TickSteps()


def run_tick(rt: Runtime, as_of: dt.date, now: dt.datetime, run: TickSteps = DIRECT) -> TickSummary:
    """Do everything due on `as_of`; record the run; on failure alert the admin channel.

    A day that is not a working day does nothing but say so in its record. One tick runs for a
    day at a time (two at once raced on the day's digests): a second one finds the day's lock
    held and ends at once, doing and recording nothing — the first does the day's work."""
    engine = rt.sessions.kw["bind"]
    with try_exclusive(engine, f"duban-tick-{as_of.isoformat()}", rt.var_dir / "locks") as held:
        if not held:
            log.warning("a tick for %s is already running; this one does nothing", as_of)
            return TickSummary(as_of.isoformat(), skipped=BUSY)
        return _run_tick(rt, as_of, now, run)


BUSY = "同一天的日常任务正在另一进程中运行，本次未重复执行 (another tick for this day is running)"


def _run_tick(rt: Runtime, as_of: dt.date, now: dt.datetime, run: TickSteps) -> TickSummary:
    if not schedule.tick_day(rt.calendar, as_of):
        return skip_tick(rt, as_of, now)
    summary = begin_tick(rt, as_of, now)
    try:
        summary.opened_requests = run.open(rt, as_of, now)
        summary.intake.update(run.ingest(rt, now))
        summary.digests, summary.merged, summary.deferred = run.remind(rt, as_of, now)
        missed = [dt.date.fromisoformat(d) for d in summary.missed_days]
        summary.notes = steps.calendar_notes(rt, as_of, missed)
        summary.notes += run.feeds(rt, now)
        summary.reports = [str(p) for p in run.report(rt, as_of, now, summary.notes)]
    except Exception as exc:
        fail_tick(rt, as_of, now, exc)
        raise
    finish_tick(rt, summary, now)
    return summary


def missed_days(rt: Runtime, as_of: dt.date) -> list[dt.date]:
    """Working days since the last successful tick on which no tick ran."""
    with rt.sessions() as session:
        last = session.scalar(
            select(TickRun.as_of)
            .where(TickRun.as_of < as_of, TickRun.status == OK)
            .order_by(TickRun.as_of.desc())
            .limit(1)
        )
        ran: set[dt.date] = set()
        if last is not None:
            ran = set(
                session.scalars(
                    select(TickRun.as_of).where(TickRun.as_of > last, TickRun.as_of < as_of)
                )
            )
    return schedule.missed_days(last, ran, as_of, rt.calendar)


def _record(session: Any, as_of: dt.date, now: dt.datetime, status: str) -> TickRun:
    run = session.scalar(select(TickRun).where(TickRun.as_of == as_of))
    if run is None:
        run = TickRun(as_of=as_of, started_at=now, status=status)
        session.add(run)
    else:
        run.started_at, run.status, run.error, run.finished_at = now, status, None, None
    return run


def skip_tick(rt: Runtime, as_of: dt.date, now: dt.datetime) -> TickSummary:
    summary = TickSummary(as_of.isoformat(), skipped="非工作日，无需办理 (not a working day)")
    with rt.sessions.begin() as session:
        run = _record(session, as_of, now, SKIPPED)
        run.finished_at, run.summary = now, summary.as_dict()
    log.info("%s is not a working day; nothing to do", as_of)
    return summary


def begin_tick(rt: Runtime, as_of: dt.date, now: dt.datetime) -> TickSummary:
    with rt.sessions.begin() as session:
        _record(session, as_of, now, RUNNING)
    summary = TickSummary(as_of.isoformat())
    summary.missed_days = [d.isoformat() for d in missed_days(rt, as_of)]
    return summary


def finish_tick(rt: Runtime, summary: TickSummary, now: dt.datetime) -> None:
    with rt.sessions.begin() as session:
        day = dt.date.fromisoformat(summary.as_of)
        run = session.scalar(select(TickRun).where(TickRun.as_of == day))
        assert run is not None
        run.status, run.finished_at, run.summary = OK, now, summary.as_dict()


def fail_tick(rt: Runtime, as_of: dt.date, now: dt.datetime, exc: BaseException) -> None:
    """Record the failure and tell the admin channel: nobody watches an unattended system."""
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    facts = {"day_text": zh.date(as_of), "error": error}
    log.error("tick for %s failed: %s", as_of, error)
    with rt.sessions.begin() as session:
        run = session.scalar(select(TickRun).where(TickRun.as_of == as_of))
        if run is not None:
            run.status, run.finished_at = FAILED, now
            run.error = "".join(traceback.format_exception(exc))[-4000:]
        outbox.enqueue(
            session,
            key=f"admin:tick:{as_of}:{now:%Y%m%dT%H%M%S}",
            recipient="admin",
            unit_id=None,
            kind=MessageKind.ADMIN,
            subject=notice_subject(MessageKind.ADMIN, facts, rt.messages),
            payload={"facts": facts, "salutation": "系统管理员"},
            now=now,
        )
