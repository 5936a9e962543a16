"""What is loaded, as the export shape (`duban catalog export`), and a draft in the same shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Assignment, Plan, Target, Task
from tasks_catalog import schema


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
        "status": plan.status,
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
