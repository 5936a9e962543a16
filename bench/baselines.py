"""Baselines for the benchmark: the same work done row by row through the ORM.

`load_catalog_per_row` is how Duban loaded the catalog before the bulk loader in
`tasks_catalog.loader`: one ORM object per unit, plan, task, assignment and target, a flush
after each task. It does exactly the same sync (a test loads with one and reloads with the other
and sees nothing to change), so its time is a fair baseline. `open_row_by_row` and
`remind_row_by_row` are the same for opening a period and for the day's reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.batching import batched
from db.models import Assignment, LadderStep, Plan, Request, RequestEvent, Target, Task, Unit
from flows.runtime import Runtime
from notifications import outbox
from reporting import reminders
from reporting.opening import OPEN_GRACE, ensure_periods
from reporting.requests import request_code
from reporting.templates import template_for, template_path
from reporting.work import UnitWork
from tasks_catalog import schema
from tasks_catalog.directory import Directory
from tasks_catalog.loader import (
    SyncReport,
    assignment_values,
    plan_values,
    same_value,
    target_values,
    task_values,
    unit_values,
)


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `row`; return whether anything differed."""
    changed = False
    for key, value in values.items():
        if not same_value(getattr(row, key), value):
            setattr(row, key, value)
            changed = True
    return changed


def _upsert(
    session: Session,
    report: SyncReport,
    what: str,
    row: Any | None,
    model: type,
    keys: dict[str, Any],
    values: dict[str, Any],
) -> Any:
    if row is None:
        row = model(**keys, **values)
        session.add(row)
        report.note("created", what)
    elif _apply(row, values):
        report.note("updated", what)
    else:
        report.note("unchanged", what)
    return row


def sync_units(
    session: Session, directory: Directory, now: dt.datetime, report: SyncReport
) -> None:
    existing = {u.id: u for u in session.scalars(select(Unit))}
    for unit in directory.units.values():
        values = unit_values(directory, unit)
        _upsert(session, report, "units", existing.get(unit.id), Unit, {"id": unit.id}, values)
    for unit_id, row in existing.items():
        if unit_id not in directory.units and row.retired_at is None:
            row.retired_at = now
            report.note("retired", "units")
    session.flush()


def sync_plan(
    session: Session, plan: schema.Plan, directory: Directory, now: dt.datetime, report: SyncReport
) -> Plan:
    jur = plan.jurisdiction

    def unit_id(name: str) -> str:
        return directory.resolve(name, jur).id

    host_id = unit_id(plan.host) if plan.host else None
    row = session.scalar(
        select(Plan)
        .where(Plan.slug == plan.slug)
        .options(
            selectinload(Plan.tasks).selectinload(Task.assignments), selectinload(Plan.targets)
        )
    )
    values = plan_values(plan, host_id)
    plan_row: Plan = _upsert(session, report, "plans", row, Plan, {"slug": plan.slug}, values)
    session.flush()

    tasks = {t.ref: t for t in plan_row.tasks} if row else {}
    for position, task in enumerate(plan.tasks):
        values = task_values(position, task)
        task_row = _upsert(
            session,
            report,
            "tasks",
            tasks.get(task.ref),
            Task,
            {"plan_id": plan_row.id, "ref": task.ref},
            values,
        )
        session.flush()
        assignments = {a.unit_id: a for a in task_row.assignments}
        listed = set()
        for apos, unit in enumerate(task.units):
            uid = unit_id(unit.name)
            listed.add(uid)
            values = assignment_values(apos, unit)
            a_row = _upsert(
                session,
                report,
                "assignments",
                assignments.get(uid),
                Assignment,
                {"task_id": task_row.id, "unit_id": uid},
                values,
            )
            if a_row not in task_row.assignments:
                task_row.assignments.append(a_row)
        for uid, a_row in assignments.items():
            if uid not in listed and a_row.retired_at is None:
                a_row.retired_at = now
                report.note("retired", "assignments")
    listed_refs = {t.ref for t in plan.tasks}
    for ref, task_row in tasks.items():
        if ref not in listed_refs and task_row.retired_at is None:
            task_row.retired_at = now
            report.note("retired", "tasks")

    targets = {t.code: t for t in plan_row.targets} if row else {}
    for position, target in enumerate(plan.targets):
        owner = target.owner or plan.host
        assert owner, "check_catalog guarantees an owner"
        values = target_values(position, target, unit_id(owner))
        _upsert(
            session,
            report,
            "targets",
            targets.get(target.code),
            Target,
            {"plan_id": plan_row.id, "code": target.code},
            values,
        )
    listed_codes = {t.code for t in plan.targets}
    for code, target_row in targets.items():
        if code not in listed_codes and target_row.retired_at is None:
            target_row.retired_at = now
            report.note("retired", "targets")
    session.flush()
    return plan_row


def load_catalog_per_row(
    session: Session, plans: Iterable[schema.Plan], directory: Directory, now: dt.datetime
) -> SyncReport:
    """Sync the directory and `plans` into the database in one transaction owned by the caller."""
    report = SyncReport()
    sync_units(session, directory, now, report)
    for plan in plans:
        sync_plan(session, plan, directory, now, report)
    return report


def open_row_by_row(rt: Runtime, as_of: dt.date, now: dt.datetime, limit: int | None = None) -> int:
    """Opening a period as Duban first did: one ORM object and flush per request and event,
    the unit's work loaded as objects, the Excel template written at opening. `limit` stops
    after that many plans (the nation tier measures a slice)."""
    issued = 0
    with rt.sessions.begin() as session:
        plans = list(session.scalars(select(Plan).order_by(Plan.id).limit(limit)))
        for plan in plans:
            for period in ensure_periods(session, plan, rt.calendar):
                if (
                    period.opened_at is not None
                    or period.opens_on > as_of
                    or period.due_on + OPEN_GRACE < as_of
                ):
                    continue
                period.opened_at = now
                for unit_id, work in sorted(work_by_unit_orm(session, plan).items()):
                    request = Request(period_id=period.id, unit_id=unit_id, code=request_code(period, unit_id),
                                      status="pending", due_on=period.due_on, sequence=0, created_at=now)  # fmt: skip
                    session.add(request)
                    session.flush()
                    session.add(
                        RequestEvent(request_id=request.id, at=now, status="pending", note="issued")
                    )
                    path = template_path(rt.var_dir, request, period.label)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    unit = session.get(Unit, unit_id)
                    assert unit is not None
                    path.write_bytes(template_for(session, request, period, plan, unit, work))
                    issued += 1
    return issued


def remind_row_by_row(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    """The day's digests decided at once, then one outbox row (checked, inserted in a savepoint)
    and one ORM object per ladder step, each flushed: the single-message path used for every
    message. Returns the number of digests."""
    with rt.sessions.begin() as session:
        digests = reminders.decide(session, as_of, rt.calendar, rt.var_dir)
        for digest in digests:
            unit = session.get(Unit, digest.unit_id) if digest.unit_id else None
            payload = {"audience": digest.audience, "salutation": unit.name if unit else "",
                       "day": as_of.isoformat(), "items": digest.items}  # fmt: skip
            outbox.enqueue(session, key=digest.key, recipient=digest.recipient, unit_id=digest.unit_id,
                           kind=digest.kind, subject="", payload=payload, now=now)  # fmt: skip
            for pairs, key in ((digest.steps, digest.key), (digest.folded, None)):
                for request_id, step in pairs:
                    session.add(LadderStep(request_id=request_id, stage=step.stage, day=step.day,
                                           handled_on=as_of, notification_key=key))  # fmt: skip
                    session.flush()
    return len(digests)


def work_by_unit_orm(session: Session, plan: Plan) -> dict[str, UnitWork]:
    """`reporting.cycle.work_by_unit` as Duban first wrote it: Task objects with their
    Assignment objects, Unit objects, Target objects (a test checks both give the same work)."""
    tasks = list(
        session.scalars(
            select(Task).where(Task.plan_id == plan.id, Task.retired_at.is_(None))
            .order_by(Task.position, Task.id).options(selectinload(Task.assignments))
        )
    )  # fmt: skip
    wanted = {a.unit_id for t in tasks for a in t.assignments if a.retired_at is None}
    units = _live_units(session, wanted)
    members = {m for u in units.values() if u.kind == "collective" for m in u.members}
    units |= _live_units(session, members - set(units))
    work: dict[str, UnitWork] = defaultdict(UnitWork)
    seen: set[tuple[str, int]] = set()
    for task in tasks:
        for a in task.assignments:
            unit = units.get(a.unit_id)
            if a.retired_at is not None or unit is None:
                continue
            for member in unit.members if unit.kind == "collective" else [unit.id]:
                if member in units and (member, task.id) not in seen:
                    seen.add((member, task.id))
                    work[member].tasks.append((task, a.role))  # type: ignore[arg-type]
    targets = session.scalars(
        select(Target)
        .where(Target.plan_id == plan.id, Target.retired_at.is_(None))
        .order_by(Target.position, Target.id)
    )
    for target in targets:
        work[target.owner_unit_id].targets.append(target)  # type: ignore[arg-type]
    return dict(work)


def _live_units(session: Session, ids: set[str]) -> dict[str, Unit]:
    if not ids:
        return {}
    found: dict[str, Unit] = {}
    for chunk in batched(sorted(ids), 500):  # stay under bind-parameter limits
        found |= {
            u.id: u
            for u in session.scalars(
                select(Unit).where(Unit.id.in_(chunk), Unit.retired_at.is_(None))
            )
        }
    return found
