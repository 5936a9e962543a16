"""Sync reviewed catalog files into the database, idempotently.

A second load of unchanged files changes nothing; an edited file updates rows in place; a task,
target or assignment that disappeared from its file is retired (retired_at set), never deleted,
so the submissions that refer to it keep their history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import insert, select, true, update
from sqlalchemy.orm import Session

from db.batching import batched
from db.models import Assignment, Plan, Target, Task, Unit
from db.models.base import Base, core_table
from tasks_catalog import schema
from tasks_catalog.directory import Directory, DirectoryUnit


@dataclass
class SyncReport:
    counts: Counter[str] = field(default_factory=Counter)

    def note(self, kind: str, what: str) -> None:
        self.counts[f"{what} {kind}"] += 1

    @property
    def changed(self) -> bool:
        return any(not k.endswith("unchanged") for k in self.counts)


BATCH = 5000  # rows per INSERT/UPDATE statement batch


def same_value(current: Any, value: Any) -> bool:
    if isinstance(value, Decimal) and current is not None:
        return Decimal(current) == value
    return bool(current == value)


def _differs(current: Any, values: dict[str, Any]) -> bool:
    return not all(same_value(getattr(current, key), value) for key, value in values.items())


def unit_values(directory: Directory, unit: DirectoryUnit) -> dict[str, Any]:
    members = [m.id for m in directory.expand(unit)] if unit.kind == "collective" else []
    return dict(
        name=unit.name,
        jurisdiction=unit.jurisdiction,
        kind=unit.kind,
        aliases=list(unit.aliases),
        members=members,
        order=unit.order,
        retired_at=None,
    )


def plan_values(plan: schema.Plan, host_id: str | None) -> dict[str, Any]:
    return dict(
        title=plan.title,
        doc_number=plan.doc_number,
        issuer=plan.issuer,
        jurisdiction=plan.jurisdiction,
        start_year=plan.start_year,
        end_year=plan.end_year,
        source_file=plan.source,
        source_sha256=plan.source_sha256,
        host_unit_id=host_id,
        reporting=plan.reporting.model_dump(),
        status=plan.status,
        retired_at=None,
    )


def task_values(position: int, task: schema.Task) -> dict[str, Any]:
    span = task.span or (None, None)
    return dict(
        position=position,
        section=task.section,
        title=task.title,
        body=task.body,
        span_start=span[0],
        span_end=span[1],
        deadline=task.deadline,
        due_date=task.due_date,
        retired_at=None,
    )


def assignment_values(position: int, unit: schema.UnitRef) -> dict[str, Any]:
    return dict(role=unit.role, position=position, proposed=unit.proposed, retired_at=None)


def target_values(position: int, target: schema.Target, owner_id: str) -> dict[str, Any]:
    span = target.span or (None, None)
    return dict(
        position=position,
        name=target.name,
        measure=target.unit,
        cmp=target.cmp,
        value=target.value,
        value_max=target.value_max,
        kind=target.kind,
        per_year=target.per_year,
        baseline=target.baseline,
        baseline_year=target.baseline_year,
        year=target.year,
        owner_unit_id=owner_id,
        span_start=span[0],
        span_end=span[1],
        retired_at=None,
    )


class _Changes:
    """Rows to insert, update (by primary key) and retire for one table, written in batches."""

    def __init__(self, model: type[Base], what: str, report: SyncReport):
        self.model, self.what, self.report = model, what, report
        self.new: list[dict[str, Any]] = []
        self.changed: list[dict[str, Any]] = []
        self.retire: list[Any] = []

    def compare(self, current: Any | None, keys: dict[str, Any], values: dict[str, Any]) -> None:
        """`current` is the stored row (a Row with the key, values and primary key) or None."""
        if current is None:
            self.new.append({**keys, **values})
            self.report.note("created", self.what)
        elif _differs(current, values):
            self.changed.append({"id": current.id, **values})
            self.report.note("updated", self.what)
        else:
            self.report.note("unchanged", self.what)

    def retire_unlisted(self, stored: dict[Any, Any], listed: set[Any]) -> None:
        for key, row in stored.items():
            if key not in listed and row.retired_at is None:
                self.retire.append(row.id)
                self.report.note("retired", self.what)

    def write(self, session: Session, now: dt.datetime) -> None:
        table = core_table(self.model)
        for rows in batched(self.new, BATCH):
            session.execute(insert(self.model), rows)
        for rows in batched(self.changed, BATCH):
            session.execute(update(self.model), rows)  # by primary key
        for ids in batched(self.retire, BATCH):
            session.execute(table.update().where(table.c.id.in_(ids)).values(retired_at=now))
        self.new, self.changed, self.retire = [], [], []


def _stored(session: Session, model: type, fields: Iterable[str], where: Any, *key: str) -> dict:
    """The stored rows (plain tuples: id, key columns, synced fields) by their natural key."""
    columns = [getattr(model, name) for name in ("id", *key, *fields)]
    rows = session.execute(select(*columns).where(where))
    if len(key) == 1:
        return {getattr(row, key[0]): row for row in rows}
    return {tuple(getattr(row, k) for k in key): row for row in rows}


UNIT_FIELDS = ("name", "jurisdiction", "kind", "aliases", "members", "order", "retired_at")
TASK_FIELDS = (
    "position",
    "section",
    "title",
    "body",
    "span_start",
    "span_end",
    "deadline",
    "due_date",
    "retired_at",
)
ASSIGNMENT_FIELDS = ("role", "position", "proposed", "retired_at")
TARGET_FIELDS = (
    "position",
    "name",
    "measure",
    "cmp",
    "value",
    "value_max",
    "kind",
    "per_year",
    "baseline",
    "baseline_year",
    "year",
    "owner_unit_id",
    "span_start",
    "span_end",
    "retired_at",
)


def sync_units(
    session: Session, directory: Directory, now: dt.datetime, report: SyncReport
) -> None:
    changes = _Changes(Unit, "units", report)
    stored = _stored(session, Unit, UNIT_FIELDS, true(), "id")
    for unit in directory.units.values():
        changes.compare(stored.get(unit.id), {"id": unit.id}, unit_values(directory, unit))
    changes.retire_unlisted(stored, set(directory.units))
    changes.write(session, now)


def sync_plan(
    session: Session, plan: schema.Plan, directory: Directory, now: dt.datetime, report: SyncReport
) -> int:
    """Sync one plan with a handful of statements; return its id."""

    @cache
    def unit_id(name: str) -> str:
        return directory.resolve(name, plan.jurisdiction).id

    plan_id, known = _sync_plan_row(
        session, plan, unit_id(plan.host) if plan.host else None, report
    )
    task_ids = _sync_tasks(session, plan, plan_id, known, now, report)
    _sync_assignments(session, plan, task_ids, unit_id, plan_id, known, now, report)
    _sync_targets(session, plan, plan_id, unit_id, known, now, report)
    return plan_id


def _sync_plan_row(
    session: Session, plan: schema.Plan, host_id: str | None, report: SyncReport
) -> tuple[int, bool]:
    """The plan's own row: (its id, whether it was stored before)."""
    values = plan_values(plan, host_id)
    row = session.execute(
        select(Plan.id, *[getattr(Plan, k) for k in values]).where(Plan.slug == plan.slug)
    ).first()
    if row is None:
        plan_id = session.scalar(insert(Plan).values(slug=plan.slug, **values).returning(Plan.id))
        assert plan_id is not None
        report.note("created", "plans")
        return plan_id, False
    if _differs(row, values):
        session.execute(update(Plan).where(Plan.id == row.id).values(**values))
        report.note("updated", "plans")
    else:
        report.note("unchanged", "plans")
    return row.id, True


def _sync_tasks(
    session: Session,
    plan: schema.Plan,
    plan_id: int,
    known: bool,
    now: dt.datetime,
    report: SyncReport,
) -> dict[str, int]:
    """The plan's tasks; return their ids by ref."""
    tasks = _Changes(Task, "tasks", report)
    stored = _stored(session, Task, TASK_FIELDS, Task.plan_id == plan_id, "ref") if known else {}
    for position, task in enumerate(plan.tasks):
        key = {"plan_id": plan_id, "ref": task.ref}
        tasks.compare(stored.get(task.ref), key, task_values(position, task))
    tasks.retire_unlisted(stored, {t.ref for t in plan.tasks})
    inserted = bool(tasks.new)
    tasks.write(session, now)
    if not inserted:
        return {ref: r.id for ref, r in stored.items()}
    return dict(session.execute(select(Task.ref, Task.id).where(Task.plan_id == plan_id)).all())


def _sync_assignments(
    session: Session,
    plan: schema.Plan,
    task_ids: dict[str, int],
    unit_id: Callable[[str], str],
    plan_id: int,
    known: bool,
    now: dt.datetime,
    report: SyncReport,
) -> None:
    assignments = _Changes(Assignment, "assignments", report)
    in_plan = Assignment.task_id.in_(select(Task.id).where(Task.plan_id == plan_id))
    stored = (
        _stored(session, Assignment, ASSIGNMENT_FIELDS, in_plan, "task_id", "unit_id")
        if known
        else {}
    )
    listed: set[tuple[int, str]] = set()
    for task in plan.tasks:
        for position, unit in enumerate(task.units):
            key = (task_ids[task.ref], unit_id(unit.name))
            listed.add(key)
            ids = {"task_id": key[0], "unit_id": key[1]}
            assignments.compare(stored.get(key), ids, assignment_values(position, unit))
    assignments.retire_unlisted(stored, listed)
    assignments.write(session, now)


def _sync_targets(
    session: Session,
    plan: schema.Plan,
    plan_id: int,
    unit_id: Callable[[str], str],
    known: bool,
    now: dt.datetime,
    report: SyncReport,
) -> None:
    targets = _Changes(Target, "targets", report)
    where = Target.plan_id == plan_id
    stored = _stored(session, Target, TARGET_FIELDS, where, "code") if known else {}
    for position, target in enumerate(plan.targets):
        owner = target.owner or plan.host
        assert owner, "check_catalog guarantees an owner"
        key = {"plan_id": plan_id, "code": target.code}
        targets.compare(
            stored.get(target.code), key, target_values(position, target, unit_id(owner))
        )
    targets.retire_unlisted(stored, {t.code for t in plan.targets})
    targets.write(session, now)


def load_catalog(
    session: Session, plans: Iterable[schema.Plan], directory: Directory, now: dt.datetime
) -> SyncReport:
    """Sync the directory and `plans` into the database in one transaction owned by the caller.

    Set-based: each plan is compared with its stored rows (read as plain tuples, not ORM objects)
    and only the differences are written, new rows in batched INSERTs, changed ones in UPDATEs by
    primary key. `plans` may be a generator; nothing is held beyond the plan being synced.
    """
    report = SyncReport()
    sync_units(session, directory, now, report)
    for plan in plans:
        sync_plan(session, plan, directory, now, report)
    return report


# Kept here while callers move to tasks_catalog.export.
from tasks_catalog.export import draft_dict as draft_dict  # noqa: E402
from tasks_catalog.export import export_catalog as export_catalog  # noqa: E402
from tasks_catalog.export import plan_dict as plan_dict  # noqa: E402
