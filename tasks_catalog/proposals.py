"""Units a document names that the directory does not know: a draft for a new jurisdiction's
directory (`duban units suggest FILE`), to review and paste into units.yaml."""

from __future__ import annotations

import re

from tasks_catalog.directory import Directory, UnknownUnit
from tasks_catalog.schema import Plan
from tasks_catalog.unitnames import is_collective


def unknown_units(plan: Plan, directory: Directory) -> list[tuple[str, list[str]]]:
    """Return (name, closest known names) for each unit the text names and the directory lacks,
    in the order the text names them. Proposed (keyword-guessed) units are left out."""
    seen: dict[str, list[str]] = {}
    for task in plan.tasks:
        for unit in task.units:
            if unit.proposed or unit.name in seen:
                continue
            try:
                directory.resolve(unit.name, plan.jurisdiction)
            except UnknownUnit as exc:
                seen[unit.name] = exc.suggestions
            except LookupError:
                continue
    return list(seen.items())


def directory_draft(plan: Plan, names: list[str]) -> dict[str, object]:
    """A units.yaml jurisdiction entry for `names` (ids u1, u2, … for the office to rename)."""
    code = plan.jurisdiction if plan.jurisdiction != "unknown" else "new"
    units = []
    for i, name in enumerate(names, start=1):
        kind = "collective" if is_collective(name) else _kind(name)
        units.append({"id": f"{code}-u{i}", "name": name, "kind": kind})
    return {"code": code, "name": plan.issuer or plan.title, "units": units}


def _kind(name: str) -> str:
    if re.search(r"政府$|管委会$", name):
        return "government"
    if re.search(r"党委|市委|县委|区委|宣传部|组织部|统战部|工委|政法委", name):
        return "party"
    if re.search(r"办公室$|办$", name):
        return "office"
    return "department"
