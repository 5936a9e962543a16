"""Benchmarks of the main paths at city, province and nation scale (not part of the tests).

    python -m bench [--tier city|province|nation] [--db sqlite|postgresql] [--results bench/RESULTS.md]

Each figure is wall time and the process's peak resident memory, beside a baseline
measured in the same run where one exists: for opening a period, the same work done row by row
through the ORM with templates written at opening (how Duban did it before); for dispatch, the
SMTP server's raw ceiling and a naive Apprise-per-message loop (bench/dispatch_smtp.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bench.synthetic import TIERS, generate
from db import make_engine, session_factory, upgrade
from db.models import Base, Period, Plan, Request, RequestEvent, Unit
from flows import steps
from flows.runtime import Runtime
from notifications.channels import FileOutbox
from notifications.dispatch import MessageConfig
from reporting.cycle import request_code, template_for, template_path, work_by_unit
from reporting.workdays import WorkCalendar
from tasks_catalog.loader import load_catalog

SH = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
OPENS = dt.date(2025, 9, 24)  # 2025Q3 opens (due 2025-10-14)
REMINDER_DAY = dt.date(2025, 10, 10)  # three working days before the due date


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(seconds, the process's peak resident memory so far in MiB, result).

    Peak RSS rather than tracemalloc: tracing allocations slowed these paths three- to fourfold
    (measured), which would distort the times; the process peak is an upper bound per step.
    """
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return elapsed, peak, result


def fresh_database(kind: str, tmp: Path) -> Any:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    else:
        engine = make_engine(
            os.environ.get(
                "DUBAN_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            )
        )
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def clear_cycle(engine: Any) -> None:
    """Forget the cycle (periods onward), keep the catalog."""
    keep = {"plan", "unit", "task", "assignment", "target", "alembic_version"}
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())


HISTORY = 8  # quarters of submissions before the measured period


def seed_history(rt: Runtime, seed: int = 11) -> int:
    """Open the 8 quarters before 2025Q3 and answer 90 % of their requests, in bulk."""
    import random

    from db.models import IndicatorValue, ProgressRow, Submission

    rng = random.Random(seed)
    with rt.sessions() as session:
        opens = (
            sorted({p.opens_on for p in session.scalars(select(Period))})
            if session.scalar(select(Period.id).limit(1))
            else []
        )
    if not opens:
        from reporting.cycle import ensure_periods

        with rt.sessions.begin() as session:
            for plan in list(session.scalars(select(Plan))):
                ensure_periods(session, plan, rt.calendar)
        with rt.sessions() as session:
            opens = sorted({p.opens_on for p in session.scalars(select(Period))})
    history = [d for d in opens if d < OPENS][-HISTORY:]
    answered = 0
    for day in history:
        at = dt.datetime.combine(day, dt.time(9), SH)
        steps.open_and_request(rt, day, at)
        with rt.sessions.begin() as session:
            periods = {
                p.id: p for p in session.scalars(select(Period).where(Period.opens_on == day))
            }
            plans = {p.id: p for p in session.scalars(select(Plan))}
            works = {
                pid: work_by_unit(session, plans[pid])
                for pid in {p.plan_id for p in periods.values()}
            }
            reqs = [
                r
                for r in session.scalars(
                    select(Request).where(Request.period_id.in_(list(periods)))
                )
                if rng.random() < 0.9
            ]
            subs = [{"request_id": r.id, "received_at": at + dt.timedelta(days=5), "channel": "excel", "late": False,
                     "sha256": f"{r.id:064x}"} for r in reqs]  # fmt: skip
            if not subs:
                continue
            session.execute(insert(Submission), subs)
            sub_ids = {
                s.request_id: s.id
                for s in session.scalars(
                    select(Submission).where(Submission.request_id.in_([r.id for r in reqs]))
                )
            }
            progress, values = [], []
            for r in reqs:
                work = works[periods[r.period_id].plan_id].get(r.unit_id)
                if work is None:
                    continue
                for task, _role in work.tasks:
                    progress.append({"submission_id": sub_ids[r.id], "task_id": task.id, "status": "推进中",
                                     "text": f"{periods[r.period_id].label}：围绕{task.title}开展工作，进展{rng.randint(1, 99)}%。"})  # fmt: skip
                for target in work.targets:
                    values.append({"submission_id": sub_ids[r.id], "target_id": target.id,
                                   "value": rng.randint(0, int(target.value)), "as_of": periods[r.period_id].end})  # fmt: skip
            for i in range(0, len(progress), 5000):
                session.execute(insert(ProgressRow), progress[i : i + 5000])
            for i in range(0, len(values), 5000):
                session.execute(insert(IndicatorValue), values[i : i + 5000])
            session.execute(
                Request.__table__.update()
                .where(Request.id.in_([r.id for r in reqs]))
                .values(status="submitted")
            )
            answered += len(reqs)
    return answered


def open_row_by_row(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    """Baseline: one ORM object and flush per request and event, the template written at opening."""
    from reporting.cycle import OPEN_GRACE, ensure_periods

    issued = 0
    with rt.sessions.begin() as session:
        for plan in list(session.scalars(select(Plan))):
            for period in ensure_periods(session, plan, rt.calendar):
                if (
                    period.opened_at is not None
                    or period.opens_on > as_of
                    or period.due_on + OPEN_GRACE < as_of
                ):
                    continue
                period.opened_at = now
                for unit_id, work in sorted(work_by_unit(session, plan).items()):
                    request = Request(period_id=period.id, unit_id=unit_id, code=request_code(period, unit_id),
                                      status="pending", due_on=period.due_on, sequence=0, created_at=now)  # fmt: skip
                    session.add(request)
                    session.flush()
                    session.add(
                        RequestEvent(request_id=request.id, at=now, status="pending", note="issued")
                    )
                    path = template_path(rt.var_dir, request, period.label)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(
                        template_for(
                            session, request, period, plan, session.get(Unit, unit_id), work
                        )
                    )
                    issued += 1
    return issued


def run(tier: str, db: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    spec = TIERS[tier]

    def add(
        name: str, seconds: float, peak: float, baseline: float | None = None, note: str = ""
    ) -> None:
        ratio = f"{baseline / seconds:.1f}× faster" if baseline else ""
        rows.append({"tier": tier, "db": db, "figure": name, "seconds": seconds, "peak_mib": peak,
                     "baseline_s": baseline, "ratio": ratio, "note": note})  # fmt: skip
        print(
            f"{tier:9} {db:10} {name:42} {seconds:8.2f} s {peak:8.1f} MiB {ratio} {note}",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        directory, plans = generate(tier)
        engine = fresh_database(db, tmp)
        sessions = session_factory(engine)
        rt = Runtime(sessions, tmp, WorkCalendar(), FileOutbox(tmp / "outbox"), MessageConfig())

        def load() -> Any:
            with sessions.begin() as session:
                return load_catalog(
                    session, plans, directory, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
                )

        seconds, peak, _ = measure(load)
        size = f"{spec.jurisdictions * spec.tasks_per} tasks, {spec.jurisdictions * spec.assignments_per} assignments"
        add("catalog load (ORM, per row)", seconds, peak, note=size)

        at = dt.datetime.combine(OPENS, dt.time(9), SH)
        base_s, _, _ = measure(
            lambda: (open_row_by_row(rt, OPENS, at), steps.remind(rt, OPENS, at))
        )
        clear_cycle(engine)
        for path in (
            list((tmp / "templates").rglob("*.xlsx")) if (tmp / "templates").exists() else []
        ):
            path.unlink()
        seeded, _, answered = measure(lambda: seed_history(rt))
        print(
            f"  (history: {HISTORY} quarters, {answered} submissions seeded in {seeded:.1f} s)",
            flush=True,
        )
        seconds, peak, _ = measure(
            lambda: (steps.open_and_request(rt, OPENS, at), steps.remind(rt, OPENS, at))
        )
        with sessions() as session:
            requests = len(
                list(
                    session.scalars(select(Request.id).join(Period).where(Period.opens_on == OPENS))
                )
            )
        add("tick opening a period (requests, outbox rows)", seconds, peak, base_s,
            note=f"{requests} requests; templates and invites rendered at dispatch or download")  # fmt: skip

        day = dt.datetime.combine(REMINDER_DAY, dt.time(9), SH)
        seconds, peak, _ = measure(lambda: steps.remind(rt, REMINDER_DAY, day))
        add("daily reminder tick (digests)", seconds, peak)

        with sessions() as session:
            period_ids = list(session.scalars(select(Period.id).where(Period.opens_on == OPENS)))

        def assess_all() -> int:
            from reporting.assess import assess_period, store
            from reporting.report import write_report

            for pid in period_ids:
                with sessions.begin() as session:
                    period = session.get(Period, pid)
                    result = assess_period(session, period, dt.date(2025, 10, 14))
                    store(session, period, result, dt.date(2025, 10, 14))
                    write_report(result, tmp / "reports", [])
            return len(period_ids)

        seconds, peak, n = measure(assess_all)
        add(
            "assessment and report, one period",
            seconds,
            peak,
            note=f"{n} plans' 2025Q3 with {HISTORY} quarters of history",
        )
        engine.dispose()
    return rows


def write_results(path: Path, rows: list[dict[str, Any]], command: str) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"- date: {dt.date.today()}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}",
        f"- command: `{command}`",
        "",
        "| tier | db | figure | seconds | peak RSS MiB | baseline s | ratio | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = "" if r["baseline_s"] is None else f"{r['baseline_s']:.2f}"
        lines.append(
            f"| {r['tier']} | {r['db']} | {r['figure']} | {r['seconds']:.2f} | {r['peak_mib']:.1f} | {base} | {r['ratio']} | {r['note']} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tier", choices=sorted(TIERS), action="append")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--results", type=Path, default=None, help="write a Markdown table here")
    args = parser.parse_args()
    rows = []
    for tier in args.tier or ["city"]:
        for db in args.db or ["sqlite"]:
            rows += run(tier, db)
    if args.results:
        import sys

        write_results(args.results, rows, "python -m bench " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
