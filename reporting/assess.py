"""Assess a period: who reported and when, where each target stands against 序时进度, which
tasks lack progress, are blocked, or repeat last period's text. The result is stored."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import (
    Assessment,
    Assignment,
    Flag,
    IndicatorValue,
    Period,
    Plan,
    ProgressRow,
    Request,
    Submission,
    Target,
    Task,
    Unit,
)
from reporting.cycle import SHANGHAI, UnitWork, due_end, reporting_of, work_by_plans
from reporting.figures import PeriodAssessment, TargetRow, TaskRow, UnitRow
from reporting.progress import BEHIND, NO_DATA, ON_TRACK, SERIOUSLY_BEHIND, TargetSpec
from reporting.progress import assess as assess_target
from vocab.words import FlagKind, FlagSubject, ProgressStatus, ReportStatus, RequestStatus, Severity


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def similar(a: str, b: str) -> float:
    """How much of two progress texts is the same, 0…1: 2·LCS / (len a + len b), the measure
    difflib's SequenceMatcher.ratio approximates, computed exactly by rapidfuzz in C (difflib
    was a quarter of a province's assessment, measured)."""
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b)) / 100


def _chunked(session: Session, make: Any, ids: list[Any], size: int = 500) -> list[Any]:
    """Run `make(chunk)` for each chunk of ids (bind-parameter limits) and gather the rows
    (unit names by id; the history is read through joins on the periods instead)."""
    return [row for chunk in batched(ids, size) for row in session.execute(make(chunk))]


PROGRESS = (ProgressRow.submission_id, ProgressRow.task_id, ProgressRow.status, ProgressRow.text)
SUBMISSION = (Submission.id, Submission.request_id, Submission.received_at, Submission.late)
VALUE = (IndicatorValue.submission_id, IndicatorValue.target_id, IndicatorValue.value)


@dataclass
class History:
    """What the assessment of a batch of periods reads, for all of them at once."""

    plans: dict[int, Plan]
    periods: dict[int, list[Period]]  # each plan's periods up to the latest assessed, in order
    requests: dict[int, list[Any]]  # period id → its requests (id, period_id, unit_id, status)
    first: dict[int, Any]  # request id → its first submission (id, request_id, received_at, late)
    latest: dict[int, Any]  # … and its latest, the one that counts
    values: dict[int, list[Any]]  # latest submission id → its indicator values
    progress: dict[int, list[Any]]  # latest submission id → its progress rows (assessed periods
    # and the periods before them only)
    targets: dict[int, list[Target]]
    work: dict[int, dict[str, UnitWork]]
    unit_names: dict[str, str]


# The tables an assessment reads and writes (whose planner statistics its queries rely on).
TABLES = tuple(
    m.__tablename__
    for m in (Plan, Period, Request, Submission, ProgressRow, IndicatorValue, Target, Task,
              Assignment, Unit, Flag, Assessment)
)  # fmt: skip


def _through_periods(query: Any, plan_ids: list[int], until: dt.date) -> Any:
    """Restrict a query that reaches `Request` to the plans' periods starting by `until` (a
    join on the plans, not an IN list of every period or request id: building those cost more
    than running the queries, measured)."""
    return query.join(Period, Request.period_id == Period.id).where(
        Period.plan_id.in_(plan_ids), Period.start <= until
    )


def read_history(session: Session, assessed: list[Period]) -> History:
    """Read the history of the periods to assess: a dozen queries whatever their number
    (one plan at a time it was twenty queries a plan, 1–4 ms each on PostgreSQL, measured)."""
    plan_ids = sorted({p.plan_id for p in assessed})
    until = max(p.start for p in assessed)
    plans = {plan.id: plan for plan in session.scalars(select(Plan).where(Plan.id.in_(plan_ids)))}
    periods: dict[int, list[Period]] = defaultdict(list)
    for period in session.scalars(
        select(Period)
        .where(Period.plan_id.in_(plan_ids), Period.start <= until)
        .order_by(Period.plan_id, Period.start)
    ):
        periods[period.plan_id].append(period)
    requests: dict[int, list[Any]] = defaultdict(list)
    for r in session.execute(
        _through_periods(select(Request.id, Request.period_id, Request.unit_id, Request.status), plan_ids, until)
        .order_by(Request.period_id, Request.unit_id)
    ):  # fmt: skip
        requests[r.period_id].append(r)
    first: dict[int, Any] = {}
    latest: dict[int, Any] = {}
    for sub in session.execute(
        _through_periods(select(*SUBMISSION).join(Request, Submission.request_id == Request.id), plan_ids, until)
        .order_by(Submission.received_at, Submission.id)
    ):  # fmt: skip
        first.setdefault(sub.request_id, sub)
        latest[sub.request_id] = sub
    counted = {sub.id for sub in latest.values()}
    values: dict[int, list[Any]] = defaultdict(list)
    for v in session.execute(
        _through_periods(
            select(*VALUE)
            .join(Submission, IndicatorValue.submission_id == Submission.id)
            .join(Request, Submission.request_id == Request.id),
            plan_ids,
            until,
        )
    ):
        if v.submission_id in counted:
            values[v.submission_id].append(v)
    # Progress texts of the assessed periods and of the periods just before them (copy check).
    wanted: set[int] = set()
    for period in assessed:
        up_to = [p.id for p in periods[period.plan_id] if p.start <= period.start]
        wanted |= set(up_to[-2:])
    progress: dict[int, list[Any]] = defaultdict(list)
    for chunk in batched(sorted(wanted), 500):
        for row in session.execute(
            select(*PROGRESS)
            .join(Submission, ProgressRow.submission_id == Submission.id)
            .join(Request, Submission.request_id == Request.id)
            .where(Request.period_id.in_(chunk))
        ):
            if row.submission_id in counted:
                progress[row.submission_id].append(row)
    targets: dict[int, list[Target]] = defaultdict(list)
    for t in session.scalars(
        select(Target)
        .where(Target.plan_id.in_(plan_ids), Target.retired_at.is_(None))
        .order_by(Target.plan_id, Target.position)
    ):
        targets[t.plan_id].append(t)
    work = work_by_plans(session, plan_ids)
    unit_ids = (
        {r.unit_id for rs in requests.values() for r in rs}
        | {t.owner_unit_id for ts in targets.values() for t in ts}
        | {u for by_unit in work.values() for u in by_unit}
    )
    unit_names = dict(
        _chunked(session, lambda c: select(Unit.id, Unit.name).where(Unit.id.in_(c)), sorted(unit_ids))
    )  # fmt: skip
    return History(plans, periods, requests, first, latest, values, progress, targets, work, unit_names)  # fmt: skip


def assess_period(session: Session, period: Period, as_of: dt.date) -> PeriodAssessment:
    """Assess one period (`assess_periods` of one)."""
    return assess_periods(session, [period], as_of)[0]


def assess_periods(
    session: Session, periods: list[Period], as_of: dt.date
) -> list[PeriodAssessment]:
    """Assess periods of any plans, in the order given: their history is read once for all of
    them (`read_history`), then each is assessed in memory."""
    if not periods:
        return []
    history = read_history(session, periods)
    return [_assess(history, period, as_of) for period in periods]


def _assess(h: History, period: Period, as_of: dt.date) -> PeriodAssessment:
    """Who reported and when, where each target stands, which tasks lack progress, are
    blocked or repeat the period before's text: one period, from its plan's history."""
    from reporting.cycle import goal_text

    plan = h.plans[period.plan_id]
    rules = reporting_of(plan)
    names = h.unit_names
    previous_periods = [p for p in h.periods[plan.id] if p.start <= period.start]
    requests = h.requests.get(period.id, [])
    cutoff = due_end(period.due_on)
    unit_rows = []
    for r in requests:
        sub, first = h.latest.get(r.id), h.first.get(r.id)
        status = (
            ReportStatus.WAIVED
            if r.status == RequestStatus.WAIVED
            else (
                ReportStatus.MISSING
                if sub is None
                else (ReportStatus.LATE if first and first.late else ReportStatus.SUBMITTED)
            )
        )
        unit_rows.append(UnitRow(r.unit_id, names[r.unit_id], status, first.received_at.astimezone(SHANGHAI).strftime('%Y-%m-%d %H:%M') if first else None,
                                 bool(first and first.received_at < cutoff)))  # fmt: skip
    counted = [u for u in unit_rows if u.status != ReportStatus.WAIVED]
    reported = sum(u.status in (ReportStatus.SUBMITTED, ReportStatus.LATE) for u in counted)
    on_time = sum(u.on_time for u in counted)

    # Targets: the series of each target's latest value per period, up to this one.
    series: dict[int, list[tuple[dt.date, Decimal]]] = {}
    for p in previous_periods:
        for r in h.requests.get(p.id, ()):
            sub = h.latest.get(r.id)
            for v in h.values.get(sub.id, ()) if sub is not None else ():
                series.setdefault(v.target_id, []).append((p.end, Decimal(v.value)))
    plan_start, plan_end = dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)
    target_rows = []
    measured_on = min(as_of, period.end)
    for t in h.targets.get(plan.id, []):
        spec = TargetSpec(t.cmp, Decimal(t.value), t.kind, None if t.baseline is None else Decimal(t.baseline),
                          plan_start, dt.date(t.year, 12, 31) if t.year <= plan.end_year else plan_end, t.per_year)  # fmt: skip
        points = sorted(series.get(t.id, []))
        result = assess_target(spec, points, measured_on, rules.behind_share)
        target_rows.append(TargetRow(t.id, t.code, t.name, names[t.owner_unit_id], goal_text(t), float(result.expected),
                                     _f(result.actual), result.status, _f(result.forecast), result.will_meet,
                                     [(d.isoformat(), float(v)) for d, v in points]))  # fmt: skip

    # Tasks: per assigned unit, the unit's progress row in its latest submission.
    prev_period = previous_periods[-2] if len(previous_periods) > 1 else None
    prev_rows: dict[tuple[str, int], str] = {}
    for r in h.requests.get(prev_period.id, ()) if prev_period is not None else ():
        sub = h.latest.get(r.id)
        for row in h.progress.get(sub.id, ()) if sub is not None else ():
            prev_rows[(r.unit_id, row.task_id)] = row.text
    rows_by_unit: dict[str, dict[int, Any]] = {}
    for r in requests:
        sub = h.latest.get(r.id)
        if sub is not None:
            rows_by_unit[r.unit_id] = {row.task_id: row for row in h.progress.get(sub.id, ())}
    task_rows = []
    for unit_id, work_of_unit in sorted(h.work.get(plan.id, {}).items()):
        rows = rows_by_unit.get(unit_id, {})
        for task, role in work_of_unit.tasks:
            row = rows.get(task.id)
            flags = []
            if row is None or not row.text.strip():
                flags.append(FlagKind.MISSING)
            elif row.status == ProgressStatus.BLOCKED:
                flags.append(FlagKind.BLOCKED)
            if (
                row is not None
                and similar(row.text, prev_rows.get((unit_id, task.id), ""))
                >= rules.copy_similarity
            ):
                flags.append(FlagKind.COPIED)
            task_rows.append(
                TaskRow(
                    task.id,
                    task.ref,
                    task.title,
                    names[unit_id],
                    "牵头" if role == "lead" else "配合",
                    row.status if row else "未报",
                    row.text if row else "",
                    flags,
                )
            )
    return PeriodAssessment(
        plan_slug=plan.slug,
        plan_title=plan.title,
        period_label=period.label,
        due_on=period.due_on.isoformat(),
        as_of=as_of.isoformat(),
        units=unit_rows,
        targets=target_rows,
        tasks=task_rows,
        reporting_rate=reported / len(counted) if counted else 0.0,
        on_time_rate=on_time / len(counted) if counted else 0.0,
    )


def store(session: Session, period: Period, result: PeriodAssessment, as_of: dt.date) -> None:
    """Store one period's assessment (`store_many` of one)."""
    store_many(session, [(period, result)], as_of)


def store_many(
    session: Session, assessed: list[tuple[Period, PeriodAssessment]], as_of: dt.date
) -> None:
    """Store the assessments and their flags for (period, day), replacing earlier runs that
    day: a few statements for the whole batch. Flags are inserted in one statement (a province
    period has thousands)."""
    if not assessed:
        return
    ids = [period.id for period, _ in assessed]
    session.execute(delete(Flag).where(Flag.period_id.in_(ids), Flag.assessed_on == as_of))
    session.execute(
        delete(Assessment).where(Assessment.period_id.in_(ids), Assessment.assessed_on == as_of)
    )
    session.execute(
        Assessment.__table__.insert(),
        [{"period_id": p.id, "assessed_on": as_of, "figures": r.figures()} for p, r in assessed],
    )
    request_ids = {
        (period_id, unit_id): request_id
        for period_id, unit_id, request_id in session.execute(
            select(Request.period_id, Request.unit_id, Request.id).where(Request.period_id.in_(ids))
        )
    }
    flags: list[dict[str, Any]] = []
    for period, result in assessed:
        flags += _flags(period, result, as_of, request_ids)
    _insert_flags(session, flags)
    session.flush()


FLAG_COLUMNS = ("period_id", "assessed_on", "subject", "subject_id", "kind", "severity", "figures")


def _insert_flags(session: Session, flags: list[dict[str, Any]]) -> None:
    """Insert flags in bulk: PostgreSQL's COPY (a province's 20,000 flags took 0.87 s as an
    executemany and 0.3 s copied, measured), elsewhere one Core executemany (the ORM's bulk
    path took 1.2–1.5× as long, measured). Figures are JSON text either way."""
    if not flags:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(Flag.__table__.insert(), flags)
        return
    raw = connection.connection.driver_connection  # psycopg's, in the session's transaction
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY flag ({', '.join(FLAG_COLUMNS)}) FROM STDIN") as copy:  # fmt: skip
        for flag in flags:
            copy.write_row([*(flag[c] for c in FLAG_COLUMNS[:-1]), json.dumps(flag["figures"])])


def _flags(
    period: Period,
    result: PeriodAssessment,
    as_of: dt.date,
    request_ids: dict[tuple[int, str], int],
) -> list[dict[str, Any]]:
    base = {"period_id": period.id, "assessed_on": as_of}
    flags: list[dict[str, Any]] = []
    for u in result.units:
        if u.status in (ReportStatus.MISSING, ReportStatus.LATE):
            flags.append({**base, "subject": FlagSubject.REQUEST, "subject_id": request_ids[(period.id, u.unit_id)], "kind": FlagKind(u.status),
                          "severity": Severity.HIGH if u.status == ReportStatus.MISSING else Severity.MEDIUM,
                          "figures": {"unit": u.unit_name, "received_at": u.received_at}})  # fmt: skip
    for t in result.targets:
        if t.status in (SERIOUSLY_BEHIND, BEHIND, NO_DATA):
            kind = FlagKind(t.status)
        elif t.status == ON_TRACK and t.will_meet is False:
            kind = FlagKind.FORECAST_MISS  # on track today, but the trend will not reach the target
        else:
            continue
        flags.append({**base, "subject": FlagSubject.TARGET, "subject_id": t.target_id, "kind": kind,
                      "severity": Severity.HIGH if t.status == SERIOUSLY_BEHIND else Severity.MEDIUM,
                      "figures": {"name": t.name, "expected": t.expected, "actual": t.actual, "forecast": t.forecast}})  # fmt: skip
    for task in result.tasks:
        for flag in task.flags:
            flags.append({**base, "subject": FlagSubject.TASK, "subject_id": task.task_id, "kind": flag, "severity": Severity.MEDIUM,
                          "figures": {"ref": task.ref, "unit": task.unit_name}})  # fmt: skip
    return flags
