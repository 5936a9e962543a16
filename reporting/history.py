"""What the assessment of a batch of periods reads: their plans, periods, requests, first and
latest submissions, values, progress texts, targets and work, all at once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
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
from reporting.work import UnitWork, work_by_plans


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
    unit_orders: dict[str, int] = field(default_factory=dict)  # the directory's official order


# The tables an assessment reads and writes (whose planner statistics its queries rely on).
TABLES = tuple(
    m.__tablename__
    for m in (
        Plan,
        Period,
        Request,
        Submission,
        ProgressRow,
        IndicatorValue,
        Target,
        Task,
        Assignment,
        Unit,
        Flag,
        Assessment,
    )
)


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
    request_columns = select(
        Request.id, Request.period_id, Request.unit_id, Request.status, Request.due_on
    )
    for r in session.execute(
        _through_periods(request_columns, plan_ids, until).order_by(
            Request.period_id, Request.unit_id
        )
    ):
        requests[r.period_id].append(r)
    first, latest = _submissions(session, plan_ids, until)
    values = _values(session, plan_ids, until, {sub.id for sub in latest.values()})
    progress = _progress(session, assessed, periods, {sub.id for sub in latest.values()})
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
    units = _chunked(
        session,
        lambda c: select(Unit.id, Unit.name, Unit.order).where(Unit.id.in_(c)),
        sorted(unit_ids),
    )
    return History(
        plans,
        periods,
        requests,
        first,
        latest,
        values,
        progress,
        targets,
        work,
        {u.id: u.name for u in units},
        {u.id: u.order for u in units},
    )


def _submissions(
    session: Session, plan_ids: list[int], until: dt.date
) -> tuple[dict[int, Any], dict[int, Any]]:
    """Each request's first complete submission (it decides on time) and its latest (it
    counts); a 暂存 (`complete` false) answers nothing yet."""
    first: dict[int, Any] = {}
    latest: dict[int, Any] = {}
    query = (
        select(*SUBMISSION)
        .join(Request, Submission.request_id == Request.id)
        .where(Submission.complete.is_(True))
    )
    for sub in session.execute(
        _through_periods(query, plan_ids, until).order_by(Submission.received_at, Submission.id)
    ):
        first.setdefault(sub.request_id, sub)
        latest[sub.request_id] = sub
    return first, latest


def _values(
    session: Session, plan_ids: list[int], until: dt.date, counted: set[int]
) -> dict[int, list[Any]]:
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
    return values


def _progress(
    session: Session,
    assessed: list[Period],
    periods: dict[int, list[Period]],
    counted: set[int],
) -> dict[int, list[Any]]:
    """Progress texts of the assessed periods and of the periods just before them (copy check)."""
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
    return progress
