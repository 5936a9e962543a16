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
import random
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.baselines import load_catalog_per_row, open_row_by_row, remind_row_by_row
from bench.synthetic import TIERS, iter_plans, synthetic_directory
from db import make_engine, session_factory, upgrade
from db.batching import batched
from db.models import Base, Period, Plan, Request
from db.models.base import core_table
from db.statistics import refresh_statistics
from flows import report_steps, steps
from flows.runtime import Runtime
from notifications.channels import FileOutbox
from notifications.dispatch import MessageConfig
from reporting.assess import TABLES as ASSESSED
from reporting.assess import assess_periods, store_many
from reporting.opening import ensure_periods
from reporting.report_pool import ReportWriter
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


HISTORY = 8  # quarters of submissions before the measured period
SLICE = 100  # plans the per-row baselines run on at nation scale (scaled up in the table)


def seed_history(rt: Runtime, seed: int = 11) -> int:
    """Open the 8 quarters before 2025Q3 and answer 90 % of their requests."""
    rng = random.Random(seed)
    with rt.sessions.begin() as session:
        for plan in session.scalars(select(Plan)):
            ensure_periods(session, plan, rt.calendar)
    with rt.sessions() as session:
        opens = sorted(set(session.scalars(select(Period.opens_on).distinct())))
    answered = 0
    for day in [d for d in opens if d < OPENS][-HISTORY:]:
        steps.open_and_request(rt, day, dt.datetime.combine(day, dt.time(9), SH))
        answered += answer(rt, day, rng)
    return answered


def answer(rt: Runtime, day: dt.date, rng: random.Random) -> int:
    """Answer 90 % of the requests of the periods opened on `day`, in bulk, a chunk of periods at
    a time (plain column queries: a nation's history is 4 million progress rows)."""
    from db.models import Assignment, IndicatorValue, ProgressRow, Submission, Target, Task

    at = dt.datetime.combine(day, dt.time(9), SH)
    answered = 0
    with rt.sessions() as session:
        periods = session.execute(
            select(Period.id, Period.plan_id, Period.label, Period.end).where(Period.opens_on == day)
        ).all()  # fmt: skip
    for chunk in batched(periods, 200):
        with rt.sessions.begin() as session:
            by_plan = {p.plan_id: p for p in chunk}
            tasks: dict[tuple[int, str], list[tuple[int, str]]] = {}
            for plan_id, unit_id, task_id, title in session.execute(
                select(Task.plan_id, Assignment.unit_id, Task.id, Task.title)
                .join(Assignment, Assignment.task_id == Task.id)
                .where(Task.plan_id.in_(list(by_plan)))
            ):
                tasks.setdefault((plan_id, unit_id), []).append((task_id, title))
            targets: dict[tuple[int, str], list[tuple[int, Any]]] = {}
            for plan_id, owner, target_id, value in session.execute(
                select(Target.plan_id, Target.owner_unit_id, Target.id, Target.value).where(
                    Target.plan_id.in_(list(by_plan))
                )
            ):
                targets.setdefault((plan_id, owner), []).append((target_id, value))
            period_plan = {p.id: p.plan_id for p in chunk}
            reqs = [
                r
                for r in session.execute(
                    select(Request.id, Request.period_id, Request.unit_id)
                    .where(Request.period_id.in_(list(period_plan))).order_by(Request.id)
                )
                if rng.random() < 0.9
            ]  # fmt: skip
            session.execute(insert(Submission), [
                {"request_id": r.id, "received_at": at + dt.timedelta(days=5), "channel": "excel",
                 "late": False, "sha256": f"{r.id:064x}"} for r in reqs
            ])  # fmt: skip
            sub_ids = dict(
                session.execute(
                    select(Submission.request_id, Submission.id).join(Request)
                    .where(Request.period_id.in_(list(period_plan)))
                ).all()
            )  # fmt: skip
            progress, values = [], []
            for r in reqs:
                period = by_plan[period_plan[r.period_id]]
                key = (period.plan_id, r.unit_id)
                for task_id, title in tasks.get(key, []):
                    progress.append({"submission_id": sub_ids[r.id], "task_id": task_id, "status": "推进中",
                                     "text": f"{period.label}：围绕{title}开展工作，进展{rng.randint(1, 99)}%。"})  # fmt: skip
                for target_id, value in targets.get(key, []):
                    values.append({"submission_id": sub_ids[r.id], "target_id": target_id,
                                   "value": rng.randint(0, int(value)), "as_of": period.end})  # fmt: skip
            for rows in batched(progress, 5000):
                session.execute(insert(ProgressRow), rows)
            for rows in batched(values, 5000):
                session.execute(insert(IndicatorValue), rows)
            for ids in batched([r.id for r in reqs], 5000):
                session.execute(
                    core_table(Request)
                    .update()
                    .where(Request.id.in_(ids))
                    .values(status="submitted")
                )
            answered += len(reqs)
    return answered


def clear_tables(engine: Any, keep: set[str]) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())


def remove_templates(tmp: Path) -> None:
    for path in (tmp / "templates").rglob("*.xlsx") if (tmp / "templates").exists() else []:
        path.unlink()


def run(tier: str, db: str, assessment: bool = True) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    spec = TIERS[tier]
    sliced = spec.jurisdictions > SLICE  # the per-row baselines run on SLICE plans, scaled up
    scale = spec.jurisdictions / SLICE if sliced else 1.0
    scaled = (
        f"; baseline run on {SLICE} of {spec.jurisdictions} plans, ×{scale:g}" if sliced else ""
    )

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
        engine = fresh_database(db, tmp)
        sessions = session_factory(engine)
        rt = Runtime(sessions, tmp, WorkCalendar(), FileOutbox(tmp / "outbox"), MessageConfig())
        when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

        def load_per_row() -> Any:
            with sessions.begin() as session:
                directory = synthetic_directory(tier, limit=SLICE)
                return load_catalog_per_row(session, iter_plans(tier, limit=SLICE), directory, when)

        base_s, _, _ = measure(load_per_row)
        clear_tables(engine, {"alembic_version"})

        def load() -> Any:
            with sessions.begin() as session:
                return load_catalog(session, iter_plans(tier), synthetic_directory(tier), when)

        seconds, peak, _ = measure(load)
        size = f"{spec.jurisdictions * spec.units_per} units, {spec.jurisdictions * spec.tasks_per} tasks, {spec.jurisdictions * spec.assignments_per} assignments"
        add(
            "catalog load",
            seconds,
            peak,
            base_s * scale,
            note=f"{size}; baseline: ORM per row{scaled}",
        )

        at = dt.datetime.combine(OPENS, dt.time(9), SH)
        base_s, _, _ = measure(
            lambda: (open_row_by_row(rt, OPENS, at, limit=SLICE), remind_row_by_row(rt, OPENS, at))
        )
        clear_tables(engine, CATALOG)
        remove_templates(tmp)
        seeded, _, answered = measure(lambda: seed_history(rt))
        print(
            f"  (history: {HISTORY} quarters, {answered} submissions seeded in {seeded:.1f} s)",
            flush=True,
        )
        seconds, peak, _ = measure(
            lambda: (steps.open_and_request(rt, OPENS, at), steps.remind(rt, OPENS, at))
        )
        with sessions() as session:
            requests = session.scalar(
                select(func.count(Request.id)).join(Period).where(Period.opens_on == OPENS)
            )
        add("tick opening a period (requests, outbox rows)", seconds, peak, base_s * scale,
            note=f"{requests} requests; templates and invites rendered at dispatch or download; baseline: ORM per row, templates at opening{scaled}")  # fmt: skip

        day = dt.datetime.combine(REMINDER_DAY, dt.time(9), SH)
        base_s = None
        if not sliced:  # the baseline decides every unit's digest; at nation scale see province
            base_s, _, _ = measure(lambda: remind_row_by_row(rt, REMINDER_DAY, day))
            forget_day(engine, REMINDER_DAY)
        seconds, peak, (digests, _, _) = measure(lambda: steps.remind(rt, REMINDER_DAY, day))
        add("daily reminder tick (digests)", seconds, peak, base_s,
            note=f"{digests} digests; baseline: one outbox row and ladder step at a time")  # fmt: skip

        if not assessment:
            engine.dispose()
            return rows
        answered = answer(rt, OPENS, random.Random(12))  # the period assessed is answered too

        writers: list[ReportWriter[int]] = []

        class Recorded(ReportWriter[int]):  # keeps the tick's writer for its figures
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                writers.append(self)

        day = dt.date(2025, 10, 14)  # the due date: every plan's 2025Q3 is assessed

        def assess_only(batch: int) -> int:
            """The tick's assessment and storing, without the report files: what batching
            changes (the files are written beside it, in another process)."""
            ids = [period_id for period_id, _, _ in steps.periods_in_play(rt, day)]
            with sessions.begin() as session:  # as the tick does (the first run analyses)
                refresh_statistics(session.connection(), ASSESSED)
            for chunk in batched(ids, batch):
                with sessions.begin() as session:
                    periods = list(session.scalars(select(Period).where(Period.id.in_(chunk))))
                    results = assess_periods(session, periods, day)
                    store_many(session, list(zip(periods, results, strict=True)), day)
            return len(ids)

        def assess_all() -> int:
            report_steps.ReportWriter = Recorded  # type: ignore[misc]
            try:
                written = steps.assess_and_report(
                    rt, day, dt.datetime.combine(day, dt.time(9), SH), []
                )
            finally:
                report_steps.ReportWriter = ReportWriter  # type: ignore[misc]
            return len(written) // 2

        # Baseline: one period at a time (each run replaces the day's assessments, as a rerun
        # does, so every run does the same work).
        base_s = None
        if not sliced:  # a nation's 3,000 periods one at a time took 20 minutes (first round)
            base_s, _, _ = measure(lambda: assess_only(1))
        seconds, peak, n = measure(lambda: assess_only(steps.ASSESS_BATCH))
        add("assessment alone (stored, no report files)", seconds, peak, base_s,
            note=f"{n} periods, {steps.ASSESS_BATCH} a batch, history read once per batch; baseline: one period at a time")  # fmt: skip
        seconds, peak, n = measure(assess_all)
        add("assessment and report, one period", seconds, peak,
            note=f"{n} plans' 2025Q3 ({answered} of {requests} requests answered) with {HISTORY} quarters of history; writing the reports (.xlsx, .html) took {writers[0].writing:.1f} s in {report_steps.writer_processes(n)} writer process(es) beside the assessment, which then waited {writers[0].waited:.1f} s for them")  # fmt: skip
        engine.dispose()
    return rows


CATALOG = {"plan", "unit", "task", "assignment", "target", "alembic_version"}


def forget_day(engine: Any, day: dt.date) -> None:
    """Undo a baseline's reminders so the measured run finds the same work."""
    from db.models import LadderStep, Notification

    with engine.begin() as conn:
        conn.execute(core_table(LadderStep).delete().where(LadderStep.handled_on == day))
        conn.execute(
            core_table(Notification).delete().where(Notification.key.like(f"digest:{day}:%"))
        )


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


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_extraction(corpus: Path) -> dict[str, Any] | None:
    """Draft catalogs of every corpus passage (other cities' and the State Council's documents)."""
    from tasks_catalog.directory import Directory
    from tasks_catalog.extract import extract

    files = sorted(corpus.glob("*.txt"))
    if not files:
        print(f"no corpus passages in {corpus}; corpus extraction not measured", flush=True)
        return None

    def extract_all() -> tuple[int, int]:
        directory = Directory.load()
        plans = [extract(path, directory) for path in files]
        return sum(len(p.tasks) for p in plans), sum(len(p.targets) for p in plans)

    seconds, peak, (tasks, targets) = measure(extract_all)
    print(
        f"{'corpus':9} {'-':10} {'catalog extraction':42} {seconds:8.2f} s {peak:8.1f} MiB",
        flush=True,
    )
    return {"tier": "corpus", "db": "-", "figure": "catalog extraction", "seconds": seconds,
            "peak_mib": peak, "baseline_s": None, "ratio": "",
            "note": f"{len(files)} passages, {tasks} tasks and {targets} targets drafted; goal under 2 s"}  # fmt: skip


def extraction(seeds: Path) -> dict[str, Any]:
    """Draft catalogs of every seed document, the unit directory loaded once (a cold pass:
    the first run in the process, as `duban catalog extract` does it)."""
    from tasks_catalog.directory import Directory
    from tasks_catalog.extract import extract

    files = sorted(seeds.glob("*.txt"))
    if not files:
        raise SystemExit(f"no seed documents (*.txt) in {seeds}; pass --seeds DIR")

    def extract_all() -> tuple[int, int]:
        directory = Directory.load()
        plans = [extract(path, directory) for path in files]
        return sum(len(p.tasks) for p in plans), sum(len(p.targets) for p in plans)

    seconds, peak, (tasks, targets) = measure(extract_all)
    print(
        f"{'seeds':9} {'-':10} {'catalog extraction':42} {seconds:8.2f} s {peak:8.1f} MiB",
        flush=True,
    )
    return {"tier": "seeds", "db": "-", "figure": "catalog extraction", "seconds": seconds,
            "peak_mib": peak, "baseline_s": None, "ratio": "",
            "note": f"{len(files)} documents, {tasks} tasks and {targets} targets drafted; goal under 1 s"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tier", choices=sorted(TIERS), action="append")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--results", type=Path, default=None, help="write a Markdown table here")
    parser.add_argument(
        "--no-assessment",
        action="store_true",
        help="stop after the reminder tick (a nation's assessment takes many minutes)",
    )
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="the seed documents")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus passages")
    parser.add_argument(
        "--extraction-only", action="store_true", help="measure catalog extraction and stop"
    )
    args = parser.parse_args()
    rows = [extraction(args.seeds)]
    corpus_row = corpus_extraction(args.corpus)
    rows += [corpus_row] if corpus_row else []
    if args.extraction_only:
        return
    for tier in args.tier or ["city"]:
        for db in args.db or ["sqlite"]:
            rows += run(tier, db, assessment=not args.no_assessment)
    if args.results:
        import sys

        write_results(args.results, rows, "python -m bench " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
