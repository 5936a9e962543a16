"""What the office's catalog pages show: the plans of the catalog folder with their status,
and the review of one plan — each task beside its source text, its units and deadline, the
targets, and the problems of `catalog check` under the task or target they concern."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from duban.catalog_actions import read_or_problems, source_text
from tasks_catalog.check import plan_files
from tasks_catalog.drafts import directory_of
from tasks_catalog.files import Problem
from tasks_catalog.schema import Plan, Task
from vocab.words import PlanStatus, Role
from vocab.zh import CMP_SIGNS, word

CONTEXT_CHARS = 60  # of source text shown either side of a task's span
SUBJECT = re.compile(r"^(tasks|targets)\[([^\]]+)\]")


def _by_subject(problems: list[Problem]) -> dict[tuple[str, str], list[str]]:
    """Problems by (tasks|targets, ref or code); the rest under ("", "")."""
    found: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        m = SUBJECT.match(p.field)
        found.setdefault((m.group(1), m.group(2)) if m else ("", ""), []).append(p.message)
    return found


def _source(text: str | None, task: Task) -> tuple[str, str, str] | None:
    if text is None or task.span is None:
        return None
    start, end = task.span
    return (
        text[max(0, start - CONTEXT_CHARS) : start],
        text[start:end],
        text[end : end + CONTEXT_CHARS],
    )


def _units(task: Task) -> list[dict[str, Any]]:
    leads_first = sorted(task.units, key=lambda u: u.role != Role.LEAD)
    return [
        {"name": u.name, "role": word(u.role, Role), "proposed": u.proposed} for u in leads_first
    ]


def _form(task: Task) -> dict[str, str]:
    def names(role: Role) -> str:
        return "、".join(u.name for u in task.units if u.role == role)

    return {
        "lead": names(Role.LEAD),
        "support": names(Role.SUPPORT),
        "deadline": task.deadline or "",
    }


def _unit_names(data_dir: Path, plan: Plan) -> list[str]:
    """Names and aliases the unit picker offers: the plan's jurisdiction's directory."""
    units = directory_of(data_dir).in_jurisdiction(plan.jurisdiction)
    return sorted({n for u in units for n in (u.name, *u.aliases)})


def review_context(data_dir: Path, plan: Plan, problems: list[Problem]) -> dict[str, Any]:
    text = source_text(data_dir, plan)
    by = _by_subject(problems)
    tasks = [
        {
            "task": t,
            "source": _source(text, t),
            "units": _units(t),
            "form": _form(t),
            "deadline": t.deadline or "—",
            "due": t.due_date,
            "problems": by.get(("tasks", t.ref), []),
        }
        for t in plan.tasks
    ]
    targets = [
        {
            "target": t,
            "cmp": CMP_SIGNS.get(t.cmp, t.cmp),
            "kind": word(t.kind),
            "owner": t.owner or plan.host or "—",
            "problems": by.get(("targets", t.code), []),
        }
        for t in plan.targets
    ]
    return {
        "plan": plan,
        "status_word": word(plan.status, PlanStatus),
        "tasks": tasks,
        "targets": targets,
        "problems": problems,
        "general": by.get(("", ""), []),
        "has_source": text is not None,
        "draft": plan.status == PlanStatus.DRAFT,
        "unit_names": _unit_names(data_dir, plan),
        "edit_errors": {},
        "edit_values": {},
    }


def listing(data_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for path in plan_files(data_dir):
        plan, problems = read_or_problems(path)
        rows.append(
            {
                "file": path.name,
                "plan": plan,
                "problems": len(problems),
                "status": word(plan.status, PlanStatus) if plan else "无法读取",
            }
        )
    return rows
