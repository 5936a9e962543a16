"""Propose responsible units for a task whose text names none, from the departments' duties.

A proposal is marked `proposed: true` in the catalog so the office sees what the text says and
what was assumed; it is a starting point for review, not a decision.
"""

from __future__ import annotations

from tasks_catalog.directory import Directory
from tasks_catalog.schema import Role, Task, UnitRef

MAX_UNITS = 3


def scores(text: str, directory: Directory, jurisdiction: str) -> list[tuple[int, str]]:
    """Return (score, unit name) for units whose duty keywords occur in `text`, best first."""
    ranked = []
    for unit in directory.in_jurisdiction(jurisdiction):
        if unit.kind == "collective" or not unit.duties:
            continue
        score = sum(text.count(word) * len(word) for word in unit.duties)
        if score:
            ranked.append((score, unit.name))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    return ranked


MIN_SCORE = 4  # a two-character duty word named at least twice, or once in the title


def propose_units(
    task: Task, directory: Directory, jurisdiction: str, host: str | None
) -> list[UnitRef]:
    """Return up to three proposed units, the best-matching department first as lead.

    The office's host unit (the standardisation body) supports every task; it leads only where
    no other department's duties match, since its own keyword, 标准, is in every task.
    """
    title_weight = 3  # the title says what the task is about; the body wanders
    ranked = scores(task.title * title_weight + task.body, directory, jurisdiction)
    host_name = directory.units[host].name if host else None
    names = [name for score, name in ranked if score >= MIN_SCORE and name != host_name][
        : MAX_UNITS - 1
    ]
    if host_name:
        names.append(host_name)
    return [
        UnitRef(name=name, role=Role.LEAD if i == 0 else Role.SUPPORT, proposed=True)
        for i, name in enumerate(names)
    ]
