"""Score a draft catalog against hand-labelled gold for a document (the corpus passages).

Gold names units as the text does and targets as a reviewer would, so targets match loosely by
name and exactly by value, measure unit, comparator, kind and year.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from tasks_catalog.schema import Plan, Target, Task


@dataclass
class GoldTask:
    ref: str
    lead: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    cut: bool = False  # the passage lost this task's unit clause: units not scored
    deadline: str | None = None
    due_date: dt.date | None = None


@dataclass
class GoldTarget:
    name: str
    value: Decimal
    unit: str
    cmp: str
    kind: str
    year: int | None
    per_year: bool = False


@dataclass
class Gold:
    source: str
    year: int | None
    tasks: list[GoldTask]
    targets: list[GoldTarget]
    title: str | None = None
    doc_number: str | None = None


def load_gold(path: Path) -> Gold:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    tasks = [
        GoldTask(
            ref=str(t["ref"]),
            lead=tuple(t.get("lead", ())),
            support=tuple(t.get("support", ())),
            cut=bool(t.get("cut", False)),
            deadline=t.get("deadline"),
            due_date=t.get("due_date"),
        )
        for t in raw.get("tasks") or []
    ]
    targets = [
        GoldTarget(
            name=str(t["name"]),
            value=Decimal(str(t["value"])),
            unit=str(t["unit"]),
            cmp=str(t["cmp"]),
            kind=str(t["kind"]),
            year=t.get("year"),
            per_year=bool(t.get("per_year", False)),
        )
        for t in raw.get("targets") or []
    ]
    return Gold(
        raw["source"], raw.get("year"), tasks, targets, raw.get("title"), raw.get("doc_number")
    )


@dataclass
class CorpusScore:
    source: str
    tasks: int = 0  # gold tasks
    found: int = 0  # gold tasks the draft has (by ref)
    extra: int = 0  # draft tasks the gold does not have
    scored: int = 0  # found gold tasks whose units are scored (not cut)
    exact_units: int = 0
    exact_leads: int = 0
    deadlines: int = 0  # gold tasks with a deadline
    deadlines_right: int = 0
    deadlines_wrong: int = 0  # a deadline the gold does not have, or another one
    targets: int = 0
    targets_extracted: int = 0
    targets_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: CorpusScore) -> None:
        for name in self.__dataclass_fields__:
            if name not in ("source", "misses"):
                setattr(self, name, getattr(self, name) + getattr(other, name))


def _norm(name: str) -> str:
    name = name.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", "", name)


def _units(task: Task, role: str | None = None) -> set[tuple[str, str]]:
    return {
        (_norm(u.name), u.role)
        for u in task.units
        if not u.proposed and (role is None or u.role == role)
    }


def _gold_units(task: GoldTask, role: str | None = None) -> set[tuple[str, str]]:
    pairs = {(_norm(n), "lead") for n in task.lead} | {(_norm(n), "support") for n in task.support}
    return {p for p in pairs if role is None or p[1] == role}


def _deadline_right(draft: Task, gold: GoldTask) -> bool:
    if draft.due_date != gold.due_date:
        return False
    if gold.due_date is not None:
        return True
    return _norm(draft.deadline or "") == _norm(gold.deadline or "")


def _name_close(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.5


def target_matches(draft: Target, gold: GoldTarget) -> bool:
    return (
        Decimal(draft.value).normalize() == gold.value.normalize()
        and draft.unit == gold.unit
        and draft.cmp == gold.cmp
        and draft.kind == gold.kind
        and draft.per_year == gold.per_year
        and (gold.year is None or draft.year == gold.year)
        and _name_close(draft.name, gold.name)
    )


def score_against_gold(draft: Plan, gold: Gold) -> CorpusScore:
    s = CorpusScore(gold.source, tasks=len(gold.tasks))
    by_ref = {t.ref: t for t in draft.tasks}
    s.extra = len(set(by_ref) - {g.ref for g in gold.tasks})
    for g in gold.tasks:
        d = by_ref.get(g.ref)
        if g.deadline:
            s.deadlines += 1
        if d is None:
            s.misses.append(f"task {g.ref} not found")
            continue
        s.found += 1
        if g.deadline and _deadline_right(d, g):
            s.deadlines_right += 1
        elif d.deadline and not _deadline_right(d, g):
            s.deadlines_wrong += 1
            s.misses.append(f"task {g.ref} deadline {d.deadline!r}/{d.due_date} ≠ {g.deadline!r}")
        elif g.deadline:
            s.misses.append(f"task {g.ref} deadline missing ({g.deadline})")
        if g.cut:
            continue
        s.scored += 1
        if _units(d) == _gold_units(g):
            s.exact_units += 1
        else:
            s.misses.append(f"task {g.ref} units {sorted(_units(d))} ≠ {sorted(_gold_units(g))}")
        if _units(d, "lead") == _gold_units(g, "lead"):
            s.exact_leads += 1
    _score_targets(draft.targets, gold.targets, s)
    return s


def _score_targets(found: list[Target], gold: list[GoldTarget], s: CorpusScore) -> None:
    s.targets, s.targets_extracted = len(gold), len(found)
    left = list(found)
    for g in gold:
        hit = next((d for d in left if target_matches(d, g)), None)
        if hit is None:
            s.misses.append(f"target missed: {g.name} {g.cmp} {g.value} {g.unit} ({g.year})")
            continue
        left.remove(hit)
        s.targets_right += 1
    for d in left:
        s.misses.append(f"target extra: {d.name} {d.cmp} {d.value} {d.unit} ({d.year})")


def gold_files(gold_dir: Path) -> list[Path]:
    return sorted(gold_dir.glob("*.yaml"))
