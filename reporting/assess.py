"""Assess a period: who reported and when, where each target stands against 序时进度, which
tasks lack progress, are blocked, or repeat last period's text. The result is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from db.models import (
    Period,
)
from reporting.figures import UNORDERED, PeriodAssessment, PeriodRates, TargetRow, TaskRow, UnitRow
from reporting.history import TABLES as TABLES
from reporting.history import History, read_history
from reporting.opening import reporting_of
from reporting.progress import TargetSpec
from reporting.progress import assess as assess_target
from reporting.requests import due_end
from reporting.schedule import SHANGHAI
from reporting.stored import store as store
from reporting.stored import store_many as store_many
from reporting.work import goal_text
from vocab import zh
from vocab.words import FlagKind, ProgressStatus, ReportStatus, RequestStatus


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def similar(a: str, b: str) -> float:
    """How much of two progress texts is the same, 0…1: 2·LCS / (len a + len b), the measure
    difflib's SequenceMatcher.ratio approximates, computed exactly by rapidfuzz in C (difflib
    was a quarter of a province's assessment, measured)."""
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b)) / 100


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
    plan = h.plans[period.plan_id]
    unit_rows = _unit_rows(h, period)
    rates = [
        _rates(p, unit_rows if p.id == period.id else _unit_rows(h, p))
        for p in h.periods[plan.id]
        if p.start <= period.start
    ]
    return PeriodAssessment(
        plan_slug=plan.slug,
        plan_title=plan.title,
        period_label=period.label,
        due_on=period.due_on.isoformat(),
        as_of=as_of.isoformat(),
        units=unit_rows,
        targets=_target_rows(h, period, as_of),
        tasks=_task_rows(h, period),
        reporting_rate=rates[-1].reporting_rate,
        on_time_rate=rates[-1].on_time_rate,
        rates=rates,
    )


def _rates(period: Period, unit_rows: list[UnitRow]) -> PeriodRates:
    """A period's 报送率 and 按时报送率 (waived units not counted)."""
    counted = [u for u in unit_rows if u.status != ReportStatus.WAIVED]
    reported = sum(u.status in (ReportStatus.SUBMITTED, ReportStatus.LATE) for u in counted)
    on_time = sum(u.on_time for u in counted)
    n = len(counted)
    return PeriodRates(
        period.label,
        period.end.isoformat(),
        period.due_on.isoformat(),
        n,
        reported,
        on_time,
        reported / n if n else 0.0,
        on_time / n if n else 0.0,
    )


def unit_order(h: History, unit_id: str) -> tuple[int, str, str]:
    """How reports list units: the directory's official order, then name (never the id)."""
    return (h.unit_orders.get(unit_id, UNORDERED), h.unit_names[unit_id], unit_id)


def report_status(request_status: str, answered: bool, late: bool) -> ReportStatus:
    if request_status == RequestStatus.WAIVED:
        return ReportStatus.WAIVED
    if not answered:
        return ReportStatus.MISSING
    return ReportStatus.LATE if late else ReportStatus.SUBMITTED


def _unit_rows(h: History, period: Period) -> list[UnitRow]:
    cutoff = due_end(period.due_on)
    rows = []
    for r in h.requests.get(period.id, []):
        sub, first = h.latest.get(r.id), h.first.get(r.id)
        status = report_status(r.status, sub is not None, bool(first and first.late))
        received = (
            first.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if first else None
        )
        on_time = bool(first and first.received_at < cutoff)
        own_due = r.due_on.isoformat() if r.due_on != period.due_on else None
        rows.append(
            UnitRow(
                r.unit_id,
                h.unit_names[r.unit_id],
                status,
                received,
                on_time,
                h.unit_orders.get(r.unit_id, UNORDERED),
                own_due,
            )
        )
    rows.sort(key=lambda u: unit_order(h, u.unit_id))
    return rows


def _series(h: History, period: Period) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Each target's latest value per period, up to this one."""
    series: dict[int, list[tuple[dt.date, Decimal]]] = {}
    for p in h.periods[period.plan_id]:
        if p.start > period.start:
            continue
        for r in h.requests.get(p.id, ()):
            sub = h.latest.get(r.id)
            for v in h.values.get(sub.id, ()) if sub is not None else ():
                series.setdefault(v.target_id, []).append((p.end, Decimal(v.value)))
    return series


def _target_rows(h: History, period: Period, as_of: dt.date) -> list[TargetRow]:
    plan = h.plans[period.plan_id]
    behind_share = reporting_of(plan).behind_share
    series = _series(h, period)
    plan_start, plan_end = dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)
    measured_on = min(as_of, period.end)
    rows = []
    for t in h.targets.get(plan.id, []):
        end = dt.date(t.year, 12, 31) if t.year <= plan.end_year else plan_end
        baseline = None if t.baseline is None else Decimal(t.baseline)
        spec = TargetSpec(t.cmp, Decimal(t.value), t.kind, baseline, plan_start, end, t.per_year)
        points = sorted(series.get(t.id, []))
        result = assess_target(spec, points, measured_on, behind_share)
        rows.append(
            TargetRow(
                t.id,
                t.code,
                t.name,
                h.unit_names[t.owner_unit_id],
                goal_text(t),
                float(result.expected),
                _f(result.actual),
                result.status,
                _f(result.forecast),
                result.will_meet,
                [(d.isoformat(), float(v)) for d, v in points],
                float(t.value),
                t.measure,
                t.cmp,
                t.owner_unit_id,
            )
        )
    return rows


def _progress_by_unit(h: History, period_id: int | None) -> dict[str, dict[int, Any]]:
    """Each unit's progress rows, by task, in its latest submission for the period."""
    rows: dict[str, dict[int, Any]] = {}
    for r in h.requests.get(period_id, ()) if period_id is not None else ():
        sub = h.latest.get(r.id)
        if sub is not None:
            rows[r.unit_id] = {row.task_id: row for row in h.progress.get(sub.id, ())}
    return rows


def task_flags(row: Any, previous_text: str, copy_similarity: float) -> list[FlagKind]:
    """What a unit's progress row on a task lacks: text, an unblocked status, fresh words."""
    flags = []
    if row is None or not row.text.strip():
        flags.append(FlagKind.MISSING)
    elif row.status == ProgressStatus.BLOCKED:
        flags.append(FlagKind.BLOCKED)
    if row is not None and similar(row.text, previous_text) >= copy_similarity:
        flags.append(FlagKind.COPIED)
    return flags


def _task_rows(h: History, period: Period) -> list[TaskRow]:
    """Per assigned unit, the unit's progress row in its latest submission."""
    plan = h.plans[period.plan_id]
    copy_similarity = reporting_of(plan).copy_similarity
    up_to = [p for p in h.periods[plan.id] if p.start <= period.start]
    before = _progress_by_unit(h, up_to[-2].id if len(up_to) > 1 else None)
    now = _progress_by_unit(h, period.id)
    rows = []
    work = h.work.get(plan.id, {})
    for unit_id in sorted(work, key=lambda u: unit_order(h, u)):
        work_of_unit = work[unit_id]
        for task, role in work_of_unit.tasks:
            row = now.get(unit_id, {}).get(task.id)
            previous = before.get(unit_id, {}).get(task.id)
            flags = task_flags(row, previous.text if previous else "", copy_similarity)
            rows.append(
                TaskRow(
                    task.id,
                    task.ref,
                    task.title,
                    h.unit_names[unit_id],
                    zh.role(role),
                    row.status if row else "未报",
                    row.text if row else "",
                    list(flags),
                    unit_id,
                    h.unit_orders.get(unit_id, UNORDERED),
                )
            )
    return rows
