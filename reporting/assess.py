"""Assess a period: who reported and when, where each target stands against 序时进度, which
tasks lack progress, are blocked, or repeat last period's text. The result is stored."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import (
    Assessment,
    Flag,
    IndicatorValue,
    Period,
    Plan,
    ProgressRow,
    Request,
    Submission,
    Target,
    Unit,
)
from reporting.cycle import due_end, reporting_of, work_by_unit
from reporting.progress import BEHIND, NO_DATA, ON_TRACK, SERIOUSLY_BEHIND, TargetSpec
from reporting.progress import assess as assess_target


@dataclass
class UnitRow:
    unit_id: str
    unit_name: str
    status: str  # submitted | late | missing | waived
    received_at: str | None
    on_time: bool


@dataclass
class TargetRow:
    target_id: int
    code: str
    name: str
    owner: str
    goal: str
    expected: float
    actual: float | None
    status: str
    forecast: float | None
    will_meet: bool | None
    series: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class TaskRow:
    task_id: int
    ref: str
    title: str
    unit_name: str
    role: str
    status: str  # the unit's reported status, or 未报
    text: str
    flags: list[str] = field(default_factory=list)


@dataclass
class PeriodAssessment:
    plan_slug: str
    plan_title: str
    period_label: str
    due_on: str
    as_of: str
    units: list[UnitRow]
    targets: list[TargetRow]
    tasks: list[TaskRow]
    reporting_rate: float
    on_time_rate: float

    def figures(self) -> dict[str, Any]:
        return asdict(self)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def latest_by_request(session: Session, request_ids: list[int]) -> dict[int, Submission]:
    latest: dict[int, Submission] = {}
    for sub in session.scalars(
        select(Submission)
        .where(Submission.request_id.in_(request_ids))
        .order_by(Submission.received_at, Submission.id)
    ):
        latest[sub.request_id] = sub
    return latest


def similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def assess_period(session: Session, period: Period, as_of: dt.date) -> PeriodAssessment:
    from reporting.cycle import goal_text

    plan = session.get(Plan, period.plan_id)
    assert plan is not None
    rules = reporting_of(plan)
    units = {u.id: u for u in session.scalars(select(Unit))}
    requests = list(
        session.scalars(
            select(Request).where(Request.period_id == period.id).order_by(Request.unit_id)
        )
    )
    latest = latest_by_request(session, [r.id for r in requests])
    cutoff = due_end(period.due_on)
    unit_rows = []
    for r in requests:
        sub = latest.get(r.id)
        first = session.scalar(
            select(Submission)
            .where(Submission.request_id == r.id)
            .order_by(Submission.received_at, Submission.id)
            .limit(1)
        )
        status = (
            "waived"
            if r.status == "waived"
            else ("missing" if sub is None else ("late" if first and first.late else "submitted"))
        )
        unit_rows.append(
            UnitRow(
                r.unit_id,
                units[r.unit_id].name,
                status,
                first.received_at.isoformat() if first else None,
                bool(first and first.received_at < cutoff),
            )
        )
    counted = [u for u in unit_rows if u.status != "waived"]
    reported = sum(u.status in ("submitted", "late") for u in counted)
    on_time = sum(u.on_time for u in counted)

    # Targets: the series of each target's latest value per period, up to this one.
    previous_periods = list(
        session.scalars(
            select(Period)
            .where(Period.plan_id == plan.id, Period.start <= period.start)
            .order_by(Period.start)
        )
    )
    series: dict[int, list[tuple[dt.date, Decimal]]] = {}
    for p in previous_periods:
        reqs = list(session.scalars(select(Request).where(Request.period_id == p.id)))
        subs = latest_by_request(session, [r.id for r in reqs])
        for sub in subs.values():
            for v in session.scalars(
                select(IndicatorValue).where(IndicatorValue.submission_id == sub.id)
            ):
                series.setdefault(v.target_id, []).append((p.end, Decimal(v.value)))
    plan_start, plan_end = dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)
    target_rows = []
    measured_on = min(as_of, period.end)
    for t in session.scalars(
        select(Target)
        .where(Target.plan_id == plan.id, Target.retired_at.is_(None))
        .order_by(Target.position)
    ):
        spec = TargetSpec(
            t.cmp,
            Decimal(t.value),
            t.kind,
            None if t.baseline is None else Decimal(t.baseline),
            plan_start,
            dt.date(t.year, 12, 31) if t.year <= plan.end_year else plan_end,
            t.per_year,
        )
        points = sorted(series.get(t.id, []))
        result = assess_target(spec, points, measured_on, rules.behind_share)
        target_rows.append(
            TargetRow(
                t.id,
                t.code,
                t.name,
                units[t.owner_unit_id].name,
                goal_text(t),
                float(result.expected),
                _f(result.actual),
                result.status,
                _f(result.forecast),
                result.will_meet,
                [(d.isoformat(), float(v)) for d, v in points],
            )
        )

    # Tasks: per assigned unit, the unit's progress row in its latest submission.
    prev_period = previous_periods[-2] if len(previous_periods) > 1 else None
    prev_rows: dict[tuple[str, int], str] = {}
    if prev_period is not None:
        prev_reqs = list(
            session.scalars(select(Request).where(Request.period_id == prev_period.id))
        )
        for req_id, sub in latest_by_request(session, [r.id for r in prev_reqs]).items():
            unit_id = next(r.unit_id for r in prev_reqs if r.id == req_id)
            for row in session.scalars(
                select(ProgressRow).where(ProgressRow.submission_id == sub.id)
            ):
                prev_rows[(unit_id, row.task_id)] = row.text
    request_by_unit = {r.unit_id: r for r in requests}
    task_rows = []
    for unit_id, work in sorted(work_by_unit(session, plan).items()):
        req = request_by_unit.get(unit_id)
        sub = latest.get(req.id) if req else None
        rows = (
            {
                r.task_id: r
                for r in session.scalars(
                    select(ProgressRow).where(ProgressRow.submission_id == sub.id)
                )
            }
            if sub
            else {}
        )
        for task, role in work.tasks:
            row = rows.get(task.id)
            flags = []
            if row is None or not row.text.strip():
                flags.append("missing")
            elif row.status == "受阻":
                flags.append("blocked")
            if (
                row is not None
                and similar(row.text, prev_rows.get((unit_id, task.id), ""))
                >= rules.copy_similarity
            ):
                flags.append("copied")
            task_rows.append(
                TaskRow(
                    task.id,
                    task.ref,
                    task.title,
                    units[unit_id].name,
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
    """Store the assessment and its flags for (period, day), replacing an earlier run that day."""
    session.execute(delete(Flag).where(Flag.period_id == period.id, Flag.assessed_on == as_of))
    session.execute(
        delete(Assessment).where(Assessment.period_id == period.id, Assessment.assessed_on == as_of)
    )
    session.add(Assessment(period_id=period.id, assessed_on=as_of, figures=result.figures()))
    request_ids = {
        r.unit_id: r.id
        for r in session.scalars(select(Request).where(Request.period_id == period.id))
    }
    for u in result.units:
        if u.status in ("missing", "late"):
            session.add(
                Flag(
                    period_id=period.id,
                    assessed_on=as_of,
                    subject="request",
                    subject_id=request_ids[u.unit_id],
                    kind=u.status,
                    severity="high" if u.status == "missing" else "medium",
                    figures={"unit": u.unit_name, "received_at": u.received_at},
                )
            )
    for t in result.targets:
        if t.status in (SERIOUSLY_BEHIND, BEHIND, NO_DATA):
            kind = t.status
        elif t.status == ON_TRACK and t.will_meet is False:
            kind = "forecast miss"  # on track today, but the trend will not reach the target
        else:
            continue
        session.add(
            Flag(period_id=period.id, assessed_on=as_of, subject="target", subject_id=t.target_id, kind=kind,
                 severity="high" if t.status == SERIOUSLY_BEHIND else "medium",
                 figures={"name": t.name, "expected": t.expected, "actual": t.actual, "forecast": t.forecast})
        )  # fmt: skip
    for task in result.tasks:
        for flag in task.flags:
            session.add(
                Flag(
                    period_id=period.id,
                    assessed_on=as_of,
                    subject="task",
                    subject_id=task.task_id,
                    kind=flag,
                    severity="medium",
                    figures={"ref": task.ref, "unit": task.unit_name},
                )
            )
    session.flush()
