"""Sync reviewed catalog files into the database, idempotently, and export what is loaded.

A second load of unchanged files changes nothing; an edited file updates rows in place; a task,
target or assignment that disappeared from its file is retired (retired_at set), never deleted,
so the submissions that refer to it keep their history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Assignment, Plan, Target, Task, Unit
from tasks_catalog import schema
from tasks_catalog.directory import Directory


@dataclass
class SyncReport:
    counts: Counter[str] = field(default_factory=Counter)

    def note(self, kind: str, what: str) -> None:
        self.counts[f"{what} {kind}"] += 1

    @property
    def changed(self) -> bool:
        return any(not k.endswith("unchanged") for k in self.counts)


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `row`; return whether anything differed."""
    changed = False
    for key, value in values.items():
        current = getattr(row, key)
        if isinstance(value, Decimal) and current is not None:
            same = Decimal(current) == value
        else:
            same = current == value
        if not same:
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
        members = [m.id for m in directory.expand(unit)] if unit.kind == "collective" else []
        values = dict(
            name=unit.name,
            jurisdiction=unit.jurisdiction,
            kind=unit.kind,
            aliases=list(unit.aliases),
            members=members,
            retired_at=None,
        )
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
    values = dict(
        title=plan.title,
        doc_number=plan.doc_number,
        issuer=plan.issuer,
        jurisdiction=jur,
        start_year=plan.start_year,
        end_year=plan.end_year,
        source_file=plan.source,
        source_sha256=plan.source_sha256,
        host_unit_id=host_id,
        reporting=plan.reporting.model_dump(),
        retired_at=None,
    )
    plan_row: Plan = _upsert(session, report, "plans", row, Plan, {"slug": plan.slug}, values)
    session.flush()

    tasks = {t.ref: t for t in plan_row.tasks} if row else {}
    for position, task in enumerate(plan.tasks):
        values = dict(
            position=position,
            section=task.section,
            title=task.title,
            body=task.body,
            span_start=task.span[0] if task.span else None,
            span_end=task.span[1] if task.span else None,
            retired_at=None,
        )
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
            values = dict(role=unit.role, position=apos, proposed=unit.proposed, retired_at=None)
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
        values = dict(
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
            owner_unit_id=unit_id(owner),
            span_start=target.span[0] if target.span else None,
            span_end=target.span[1] if target.span else None,
            retired_at=None,
        )
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


def load_catalog(
    session: Session, plans: list[schema.Plan], directory: Directory, now: dt.datetime
) -> SyncReport:
    """Sync the directory and `plans` into the database in one transaction owned by the caller."""
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
