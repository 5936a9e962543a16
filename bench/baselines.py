"""Baselines for the benchmark: the same work done row by row through the ORM.

`load_catalog_per_row` is how Duban loaded the catalog before the bulk loader in
`tasks_catalog.loader`: one ORM object per unit, plan, task, assignment and target, a flush
after each task. It does exactly the same sync (a test loads with one and reloads with the other
and sees nothing to change), so its time is a fair baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Assignment, Plan, Target, Task, Unit
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
