"""Draft a catalog from a passage quoted from the corpus (../shared/corpus)."""

from __future__ import annotations

from tasks_catalog.extract import extract_text
from tasks_catalog.schema import Plan, Task


def draft(text: str) -> Plan:
    return extract_text(text, source="passage.txt", sha256="0" * 64)


def units(task: Task) -> list[tuple[str, str]]:
    return [(u.name, u.role) for u in task.units]


def task(plan: Plan, ref: str) -> Task:
    return next(t for t in plan.tasks if t.ref == ref)
