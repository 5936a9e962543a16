"""Services of the cycle: periods exist, open on their day, and issue one request per unit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import (
    Assignment,
    IndicatorValue,
    Period,
    Plan,
    ProgressRow,
    Request,
    RequestEvent,
    Submission,
    Target,
    Task,
    Unit,
)
from reporting.excel import TargetLine, TaskLine, TemplateData, build_template
from reporting.periods import periods_for, quarter_name
from reporting.workdays import WorkCalendar
from tasks_catalog.schema import Reporting
from vocab.words import RequestStatus

OPEN_GRACE = dt.timedelta(days=30)  # a period whose due date is further back is history
CMP_ZH = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "≈": "≈"}


def reporting_of(plan: Plan) -> Reporting:
    return Reporting.model_validate(plan.reporting or {})


def ensure_periods(session: Session, plan: Plan, cal: WorkCalendar) -> list[Period]:
    """Create the plan's periods that do not exist yet; return them all, in order."""
    rules = reporting_of(plan)
    existing = {
        p.label: p for p in session.scalars(select(Period).where(Period.plan_id == plan.id))
    }
    for dates in periods_for(
        plan.start_year, plan.end_year, rules.cadence, rules.due_rule, rules.open_rule, cal
    ):
        if dates.label not in existing:
            period = Period(
                plan_id=plan.id,
                label=dates.label,
                start=dates.start,
                end=dates.end,
                opens_on=dates.opens_on,
                due_on=dates.due_on,
            )
            session.add(period)
            existing[dates.label] = period
    session.flush()
    return sorted(existing.values(), key=lambda p: p.start)


class TaskInfo(NamedTuple):
    """What a request, a reminder and a report show of a task."""

    id: int
    ref: str
    title: str


class TargetInfo(NamedTuple):
    """What a request, a reminder and a report show of a target (and `goal_text` needs)."""

    id: int
    code: str
    name: str
    measure: str
    cmp: str
    value: Decimal
    value_max: Decimal | None
    per_year: bool
    baseline: Decimal | None
    year: int
    owner_unit_id: str


TASK_COLUMNS = (Task.id, Task.ref, Task.title)
TARGET_COLUMNS = tuple(getattr(Target, name) for name in TargetInfo._fields)


@dataclass
class UnitWork:
    tasks: list[tuple[TaskInfo, str]] = field(default_factory=list)  # (task, role)
    targets: list[TargetInfo] = field(default_factory=list)
    _listing: tuple[list[dict[str, str]], list[dict[str, str]]] | None = field(
        default=None, repr=False, compare=False
    )

    def listing(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """The tasks and targets as a message lists them, built once per unit and plan (the
        lists are shared by every item that names them: read them, do not change them)."""
        if self._listing is None:
            self._listing = (
                [{"ref": t.ref, "title": t.title, "role": "牵头" if role == "lead" else "配合"}
                 for t, role in self.tasks],
                [{"name": t.name, "goal": goal_text(t)} for t in self.targets],
            )  # fmt: skip
        return self._listing


def work_by_unit(session: Session, plan: Plan) -> dict[str, UnitWork]:
    """Each unit's live tasks (collective phrases expanded to their members, the first role a
    unit gets in a task kept) and owned targets, in catalog order.

    Column queries, not ORM objects: opening a nation's period and assessing a province's ask
    this of every plan, and building Task and Assignment objects was a third of that work
    (measured; the object version is `bench.baselines.work_by_unit_orm`). Only the plan's own
    units are read.
    """
    return work_by_plans(session, [plan.id]).get(plan.id, {})


def work_by_plans(
    session: Session, plan_ids: list[int], unit_id: str | None = None
) -> dict[int, dict[str, UnitWork]]:
    """`work_by_unit` of several plans at once, by plan id: the same few queries whatever the
    number of plans (an assessment asks this of a batch of plans). With `unit_id`, only that
    unit's work is read (a template or a form needs one unit's, not its whole plan's)."""
    live_task = (Task.plan_id.in_(plan_ids), Task.retired_at.is_(None))
    assigned = select(Task.plan_id, Assignment.task_id, Assignment.unit_id, Assignment.role)
    if unit_id is not None:
        assigned = assigned.where(
            Assignment.unit_id.in_({unit_id} | _collectives_with(session, plan_ids, unit_id))
        )
    assignments = session.execute(
        assigned.join(Task, Assignment.task_id == Task.id)
        .where(*live_task, Assignment.retired_at.is_(None))
        .order_by(Task.plan_id, Task.position, Task.id, Assignment.position, Assignment.id)
    ).all()  # fmt: skip
    task_ids = {a.task_id for a in assignments}
    tasks = {
        row.id: TaskInfo(*row)
        for chunk in batched(sorted(task_ids), 500)
        for row in session.execute(select(*TASK_COLUMNS).where(Task.id.in_(chunk)))
    }
    units = _units_and_members(session, {a.unit_id for a in assignments})
    work: dict[int, dict[str, UnitWork]] = {plan_id: defaultdict(UnitWork) for plan_id in plan_ids}
    seen: set[tuple[str, int]] = set()
    for plan_id, task_id, assignee, role in assignments:
        if assignee not in units:
            continue  # a retired unit
        kind, members = units[assignee]
        for member in members if kind == "collective" else [assignee]:
            if unit_id not in (None, member):
                continue
            if member in units and (member, task_id) not in seen:
                seen.add((member, task_id))
                work[plan_id][member].tasks.append((tasks[task_id], role))
    owned = select(Target.plan_id, *TARGET_COLUMNS).where(
        Target.plan_id.in_(plan_ids), Target.retired_at.is_(None)
    )
    if unit_id is not None:
        owned = owned.where(Target.owner_unit_id == unit_id)
    for plan_id, *row in session.execute(
        owned.order_by(Target.plan_id, Target.position, Target.id)
    ):
        target = TargetInfo(*row)
        work[plan_id][target.owner_unit_id].targets.append(target)
    return {plan_id: dict(by_unit) for plan_id, by_unit in work.items() if by_unit}


def _units_and_members(session: Session, ids: set[str]) -> dict[str, tuple[str, list[str]]]:
    """(kind, members) of the live units among `ids`, and of the members of its collectives."""
    units = {
        uid: (kind, members)
        for uid, kind, members in _unit_rows(session, ids, (Unit.kind, Unit.members))
    }
    wanted = {m for kind, members in units.values() if kind == "collective" for m in members}
    units |= {
        uid: (kind, members)
        for uid, kind, members in _unit_rows(
            session, wanted - set(units), (Unit.kind, Unit.members)
        )
    }
    return units


def _collectives_with(session: Session, plan_ids: list[int], unit_id: str) -> set[str]:
    """The collective units of these plans' jurisdictions that have `unit_id` as a member."""
    jurisdictions = select(Plan.jurisdiction).where(Plan.id.in_(plan_ids))
    rows = session.execute(
        select(Unit.id, Unit.members).where(
            Unit.kind == "collective", Unit.jurisdiction.in_(jurisdictions)
        )
    )
    return {uid for uid, members in rows if unit_id in (members or [])}


def unit_work(session: Session, plan_id: int, unit_id: str) -> UnitWork:
    """One unit's work in one plan: what `work_by_unit(...)[unit_id]` holds, read for it alone."""
    return work_by_plans(session, [plan_id], unit_id).get(plan_id, {}).get(unit_id, UnitWork())


def units_with_work(session: Session, plan: Plan) -> list[str]:
    """The ids `work_by_unit` would return, from three column queries instead of ORM objects.

    Opening a nation's period asks this of 3,000 plans; loading their 600,000 assignments as
    objects only to read their unit ids cost memory and time (measured).
    """
    assigned = set(
        session.scalars(
            select(Assignment.unit_id).join(Task, Assignment.task_id == Task.id)
            .where(Task.plan_id == plan.id, Task.retired_at.is_(None), Assignment.retired_at.is_(None))
        )
    )  # fmt: skip
    ids: set[str] = set()
    members: set[str] = set()
    for uid, kind, unit_members in _unit_rows(session, assigned, (Unit.kind, Unit.members)):
        if kind == "collective":
            members |= set(unit_members)
        else:
            ids.add(uid)
    ids |= {uid for uid, *_ in _unit_rows(session, members, ())}
    owners = session.scalars(
        select(Target.owner_unit_id).where(Target.plan_id == plan.id, Target.retired_at.is_(None))
    )
    return sorted(ids | set(owners))


def _unit_rows(session: Session, ids: set[str], columns: tuple[Any, ...]) -> list[Any]:
    """(id, *columns) of the live units among `ids`."""
    return [
        row
        for chunk in batched(sorted(ids), 500)  # stay under bind-parameter limits
        for row in session.execute(
            select(Unit.id, *columns).where(Unit.id.in_(chunk), Unit.retired_at.is_(None))
        )
    ]


def request_code(period: Period, unit_id: str) -> str:
    return f"{period.label}-{unit_id}-P{period.plan_id}"


def goal_text(target: Target | TargetInfo) -> str:
    value = _fmt(target.value) + (
        f"–{_fmt(target.value_max)}" if target.value_max is not None else ""
    )
    per = "每年" if target.per_year else ""
    return f"{per}{CMP_ZH.get(target.cmp, target.cmp)} {value} {target.measure}（{target.year}年）"


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def latest_submission(session: Session, request_id: int) -> Submission | None:
    return session.scalar(
        select(Submission)
        .where(Submission.request_id == request_id)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(1)
    )


def previous_answers(
    session: Session, period: Period, unit_id: str
) -> tuple[dict[int, ProgressRow], dict[int, Decimal]]:
    """The unit's latest answers for the period before `period` of the same plan."""
    previous = session.scalar(
        select(Request)
        .join(Period)
        .where(
            Period.plan_id == period.plan_id,
            Period.start < period.start,
            Request.unit_id == unit_id,
        )
        .order_by(Period.start.desc())
        .limit(1)
    )
    if previous is None:
        return {}, {}
    sub = latest_submission(session, previous.id)
    if sub is None:
        return {}, {}
    rows = {
        r.task_id: r
        for r in session.scalars(select(ProgressRow).where(ProgressRow.submission_id == sub.id))
    }
    values = {
        v.target_id: v.value
        for v in session.scalars(
            select(IndicatorValue).where(IndicatorValue.submission_id == sub.id)
        )
    }
    return rows, values


def template_for(
    session: Session, request: Request, period: Period, plan: Plan, unit: Unit, work: UnitWork
) -> bytes:
    rows, values = previous_answers(session, period, unit.id)
    data = TemplateData(
        unit_name=unit.name,
        unit_id=unit.id,
        period_label=period.label,
        period_name=quarter_name(period.label),
        due_on=request.due_on,
        code=request.code,
        tasks=[
            TaskLine(
                t.id,
                plan.title,
                t.ref,
                t.title,
                "牵头" if role == "lead" else "配合",
                rows[t.id].status if t.id in rows else "",
                rows[t.id].text if t.id in rows else "",
            )
            for t, role in work.tasks
        ],
        targets=[
            TargetLine(t.id, t.name, goal_text(t), t.measure, t.baseline, values.get(t.id))
            for t in work.targets
        ],
    )
    return build_template(data)


def template_path(var_dir: Path, request: Request, period_label: str) -> Path:
    return var_dir / "templates" / period_label / f"{request.code}.xlsx"


def open_periods(
    session: Session, as_of: dt.date, now: dt.datetime, cal: WorkCalendar, var_dir: Path
) -> int:
    """Open every period whose opening day has come (and whose due date is not long past):
    one request per unit with work in the plan. Return how many requests were issued.

    Requests and their events are inserted in bulk; the Excel templates are not written here
    but on first use (`ensure_template`: at dispatch, on download), which keeps opening a
    province-sized period to seconds.
    """
    issued = 0
    plans = list(session.scalars(select(Plan).where(Plan.retired_at.is_(None)).order_by(Plan.id)))
    for plan in plans:
        for period in ensure_periods(session, plan, cal):
            if (
                period.opened_at is not None
                or period.opens_on > as_of
                or period.due_on + OPEN_GRACE < as_of
            ):
                continue
            period.opened_at = now
            rows = [
                {"period_id": period.id, "unit_id": unit_id, "code": request_code(period, unit_id), "status": RequestStatus.PENDING,
                 "due_on": period.due_on, "sequence": 0, "created_at": now}
                for unit_id in units_with_work(session, plan)
            ]  # fmt: skip
            if not rows:
                continue
            session.execute(Request.__table__.insert(), rows)  # Core: the ORM bulk path costs more
            ids = session.scalars(select(Request.id).where(Request.period_id == period.id))
            session.execute(
                RequestEvent.__table__.insert(),
                [
                    {"request_id": i, "at": now, "status": RequestStatus.PENDING, "note": "issued"}
                    for i in ids
                ],
            )
            issued += len(rows)
    session.flush()
    return issued


def ensure_template(session: Session, request: Request, var_dir: Path) -> Path:
    """Return the path of the request's Excel template, writing it on first use."""
    period = session.get(Period, request.period_id)
    assert period is not None
    path = template_path(var_dir, request, period.label)
    if not path.exists():
        plan = session.get(Plan, period.plan_id)
        unit = session.get(Unit, request.unit_id)
        assert plan is not None and unit is not None
        work = unit_work(session, plan.id, request.unit_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".xlsx.tmp")
        tmp.write_bytes(template_for(session, request, period, plan, unit, work))
        tmp.replace(
            path
        )  # several dispatchers may race to write it: the last rename wins, same bytes
    return path


def set_status(
    session: Session, request: Request, status: str, now: dt.datetime, note: str | None = None
) -> None:
    request.status = status
    if RequestStatus(status).answered:
        request.submitted_at = now
    if status == RequestStatus.WAIVED:
        request.waived_at = now
    session.add(RequestEvent(request_id=request.id, at=now, status=status, note=note))


def due_end(due_on: dt.date) -> dt.datetime:
    """On time means received by the end of the due date, Shanghai time."""
    return dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def unit_work_for_request(
    session: Session, request: Request, cache: dict[int, dict[str, UnitWork]] | None = None
) -> tuple[Period, Plan, UnitWork]:
    """The request's period, plan and the unit's work in it; `cache` keeps work_by_unit per
    plan (for a caller that goes through many of a plan's units), else only the unit's is read."""
    period = session.get(Period, request.period_id)
    assert period is not None
    plan = session.get(Plan, period.plan_id)
    assert plan is not None
    if cache is None:
        return period, plan, unit_work(session, plan.id, request.unit_id)
    if plan.id not in cache:
        cache[plan.id] = work_by_unit(session, plan)
    return period, plan, cache[plan.id].get(request.unit_id, UnitWork())


def open_requests(session: Session) -> list[Request]:
    return list(
        session.scalars(
            select(Request).where(Request.status == RequestStatus.PENDING).order_by(Request.id)
        )
    )


def assignments_of(session: Session, task_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.retired_at.is_(None))
        )
    )


class ActionError(ValueError):
    pass


def find_request(session: Session, code: str) -> Request:
    request = session.scalar(select(Request).where(Request.code == code))
    if request is None:
        raise ActionError(
            f"no request with reference code {code!r}; see `duban outbox` or the report for codes"
        )
    return request


def extend(
    session: Session, request: Request, new_due: dt.date, now: dt.datetime, cal: WorkCalendar
) -> Request:
    """Move a request's deadline (to a working day); its invite goes out again with SEQUENCE + 1
    and its reminders restart from the new date."""
    if request.status == RequestStatus.WAIVED:
        raise ActionError(f"{request.code} is waived; nothing to extend")
    if not cal.is_workday(new_due):
        raise ActionError(
            f"{new_due} is not a working day; the next one is {cal.next_workday(new_due)}"
        )
    if new_due == request.due_on:
        return request
    old = request.due_on
    request.due_on = new_due
    request.sequence += 1
    session.add(
        RequestEvent(
            request_id=request.id, at=now, status=request.status, note=f"due {old} → {new_due}"
        )
    )
    session.flush()
    return request


def waive(
    session: Session, request: Request, now: dt.datetime, reason: str | None = None
) -> Request:
    """Excuse a unit from a period's report; its invite is cancelled."""
    if request.status != RequestStatus.WAIVED:
        request.sequence += 1
        set_status(session, request, RequestStatus.WAIVED, now, reason or "waived by the office")
        session.flush()
    return request
