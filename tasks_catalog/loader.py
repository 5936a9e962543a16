"""Sync reviewed catalog files into the database, idempotently, and export what is loaded.

A second load of unchanged files changes nothing; an edited file updates rows in place; a task,
target or assignment that disappeared from its file is retired (retired_at set), never deleted,
so the submissions that refer to it keep their history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import insert, select, true, update
from sqlalchemy.orm import Session, selectinload

from db.batching import batched
from db.models import Assignment, Plan, Target, Task, Unit
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
    return dict(name=unit.name, jurisdiction=unit.jurisdiction, kind=unit.kind,
                aliases=list(unit.aliases), members=members, retired_at=None)  # fmt: skip


def plan_values(plan: schema.Plan, host_id: str | None) -> dict[str, Any]:
    return dict(title=plan.title, doc_number=plan.doc_number, issuer=plan.issuer,
                jurisdiction=plan.jurisdiction, start_year=plan.start_year, end_year=plan.end_year,
                source_file=plan.source, source_sha256=plan.source_sha256, host_unit_id=host_id,
                reporting=plan.reporting.model_dump(), retired_at=None)  # fmt: skip


def task_values(position: int, task: schema.Task) -> dict[str, Any]:
    span = task.span or (None, None)
    return dict(position=position, section=task.section, title=task.title, body=task.body,
                span_start=span[0], span_end=span[1], deadline=task.deadline,
                due_date=task.due_date, retired_at=None)  # fmt: skip


def assignment_values(position: int, unit: schema.UnitRef) -> dict[str, Any]:
    return dict(role=unit.role, position=position, proposed=unit.proposed, retired_at=None)


def target_values(position: int, target: schema.Target, owner_id: str) -> dict[str, Any]:
    span = target.span or (None, None)
    return dict(position=position, name=target.name, measure=target.unit, cmp=target.cmp,
                value=target.value, value_max=target.value_max, kind=target.kind,
                per_year=target.per_year, baseline=target.baseline,
                baseline_year=target.baseline_year, year=target.year, owner_unit_id=owner_id,
                span_start=span[0], span_end=span[1], retired_at=None)  # fmt: skip


class _Changes:
    """Rows to insert, update (by primary key) and retire for one table, written in batches."""

    def __init__(self, model: type, what: str, report: SyncReport):
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
        table = self.model.__table__
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


UNIT_FIELDS = ("name", "jurisdiction", "kind", "aliases", "members", "retired_at")
TASK_FIELDS = ("position", "section", "title", "body", "span_start", "span_end", "deadline",
               "due_date", "retired_at")  # fmt: skip
ASSIGNMENT_FIELDS = ("role", "position", "proposed", "retired_at")
TARGET_FIELDS = ("position", "name", "measure", "cmp", "value", "value_max", "kind", "per_year",
                 "baseline", "baseline_year", "year", "owner_unit_id", "span_start", "span_end",
                 "retired_at")  # fmt: skip


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

    values = plan_values(plan, unit_id(plan.host) if plan.host else None)
    row = session.execute(
        select(Plan.id, *[getattr(Plan, k) for k in values]).where(Plan.slug == plan.slug)
    ).first()
    if row is None:
        plan_id = session.scalar(insert(Plan).values(slug=plan.slug, **values).returning(Plan.id))
        report.note("created", "plans")
    else:
        plan_id = row.id
        if _differs(row, values):
            session.execute(update(Plan).where(Plan.id == plan_id).values(**values))
            report.note("updated", "plans")
        else:
            report.note("unchanged", "plans")
    known = row is not None  # a new plan has no stored tasks, assignments or targets

    tasks = _Changes(Task, "tasks", report)
    stored_tasks = (
        _stored(session, Task, TASK_FIELDS, Task.plan_id == plan_id, "ref") if known else {}
    )
    for position, task in enumerate(plan.tasks):
        tasks.compare(stored_tasks.get(task.ref), {"plan_id": plan_id, "ref": task.ref},
                      task_values(position, task))  # fmt: skip
    tasks.retire_unlisted(stored_tasks, {t.ref for t in plan.tasks})
    inserted = bool(tasks.new)
    tasks.write(session, now)
    task_ids = (
        dict(session.execute(select(Task.ref, Task.id).where(Task.plan_id == plan_id)).all())
        if inserted
        else {ref: r.id for ref, r in stored_tasks.items()}
    )

    assignments = _Changes(Assignment, "assignments", report)
    in_plan = Assignment.task_id.in_(select(Task.id).where(Task.plan_id == plan_id))
    stored_a = (
        _stored(session, Assignment, ASSIGNMENT_FIELDS, in_plan, "task_id", "unit_id")
        if known
        else {}
    )
    listed: set[tuple[int, str]] = set()
    for task in plan.tasks:
        tid = task_ids[task.ref]
        for position, unit in enumerate(task.units):
            key = (tid, unit_id(unit.name))
            listed.add(key)
            assignments.compare(stored_a.get(key), {"task_id": key[0], "unit_id": key[1]},
                                assignment_values(position, unit))  # fmt: skip
    assignments.retire_unlisted(stored_a, listed)
    assignments.write(session, now)

    targets = _Changes(Target, "targets", report)
    stored_t = (
        _stored(session, Target, TARGET_FIELDS, Target.plan_id == plan_id, "code") if known else {}
    )
    for position, target in enumerate(plan.targets):
        owner = target.owner or plan.host
        assert owner, "check_catalog guarantees an owner"
        targets.compare(stored_t.get(target.code), {"plan_id": plan_id, "code": target.code},
                        target_values(position, target, unit_id(owner)))  # fmt: skip
    targets.retire_unlisted(stored_t, {t.code for t in plan.targets})
    targets.write(session, now)
    return plan_id


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


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def export_catalog(session: Session, slug: str | None = None) -> dict[str, Any]:
    """Return the loaded catalog (live rows only) in the shape of `duban catalog export`."""
    query = (
        select(Plan)
        .where(Plan.retired_at.is_(None))
        .order_by(Plan.source_file)
        .options(
            selectinload(Plan.tasks).selectinload(Task.assignments).selectinload(Assignment.unit),
            selectinload(Plan.targets).selectinload(Target.owner),
        )
    )
    if slug:
        query = query.where(Plan.slug == slug)
    plans = []
    for plan in session.scalars(query):
        plans.append(plan_dict(plan))
    return {"plans": plans}


def plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "source": plan.source_file,
        "title": plan.title,
        "doc_number": plan.doc_number,
        "jurisdiction": plan.jurisdiction,
        "period": [plan.start_year, plan.end_year],
        "tasks": [
            {
                "ref": t.ref,
                "title": t.title,
                "deadline": t.deadline,
                "due_date": t.due_date.isoformat() if t.due_date else None,
                "units": [
                    {
                        "name": a.unit.name,
                        "role": a.role,
                        "unit_id": a.unit_id,
                        **({"proposed": True} if a.proposed else {}),
                    }
                    for a in t.assignments
                    if a.retired_at is None
                ],
            }
            for t in plan.tasks
            if t.retired_at is None
        ],
        "targets": [
            {
                "code": t.code,
                "name": t.name,
                "value": _number(t.value),
                "value_max": _number(t.value_max),
                "unit": t.measure,
                "cmp": t.cmp,
                "kind": t.kind,
                "per_year": t.per_year,
                "baseline": _number(t.baseline),
                "baseline_year": t.baseline_year,
                "year": t.year,
                "owner": t.owner.name,
            }
            for t in plan.targets
            if t.retired_at is None
        ],
    }


def draft_dict(plan: schema.Plan) -> dict[str, Any]:
    """The same shape for a draft straight from the extractor (not loaded)."""
    return {
        "slug": plan.slug,
        "source": plan.source,
        "title": plan.title,
        "doc_number": plan.doc_number,
        "jurisdiction": plan.jurisdiction,
        "period": [plan.start_year, plan.end_year],
        "tasks": [
            {
                "ref": t.ref,
                "title": t.title,
                "deadline": t.deadline,
                "due_date": t.due_date.isoformat() if t.due_date else None,
                "units": [
                    {"name": u.name, "role": u.role, **({"proposed": True} if u.proposed else {})}
                    for u in t.units
                ],
            }
            for t in plan.tasks
        ],
        "targets": [
            {
                "code": t.code,
                "name": t.name,
                "value": _number(t.value),
                "value_max": _number(t.value_max),
                "unit": t.unit,
                "cmp": t.cmp,
                "kind": t.kind,
                "per_year": t.per_year,
                "baseline": _number(t.baseline),
                "baseline_year": t.baseline_year,
                "year": t.year,
                "owner": t.owner or plan.host,
            }
            for t in plan.targets
        ],
    }
