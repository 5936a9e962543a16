"""How much of a reviewed catalog the extractor gets right before hand correction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tasks_catalog.directory import Directory, UnknownUnit
from tasks_catalog.schema import Plan, Target


@dataclass
class Tally:
    right: int  # extracted items equal to a reviewed item
    reviewed: int  # items in the reviewed catalog
    extracted: int  # items the extractor produced

    def __str__(self) -> str:
        return f"{self.right}/{self.reviewed} (extracted {self.extracted})"


@dataclass
class Score:
    slug: str
    tasks: Tally
    assignments: Tally
    targets: Tally


def _canonical(name: str, plan: Plan, directory: Directory) -> str:
    try:
        return directory.resolve(name, plan.jurisdiction).name
    except (UnknownUnit, LookupError):
        return name


def _target_key(t: Target) -> tuple[object, ...]:
    def num(v: Decimal | None) -> Decimal | None:
        return None if v is None else Decimal(v).normalize()

    return (
        t.name,
        num(t.value),
        num(t.value_max),
        t.unit,
        t.cmp,
        t.kind,
        t.per_year,
        num(t.baseline),
        t.baseline_year,
        t.year,
    )


def score(draft: Plan, reviewed: Plan, directory: Directory) -> Score:
    def tasks(plan: Plan) -> set[tuple[str, str]]:
        return {(t.ref, t.title) for t in plan.tasks}

    def assignments(plan: Plan) -> set[tuple[str, str, str]]:
        return {
            (t.ref, _canonical(u.name, plan, directory), u.role)
            for t in plan.tasks
            for u in t.units
        }

    def targets(plan: Plan) -> set[tuple[object, ...]]:
        return {_target_key(t) for t in plan.targets}

    def tally(a: set, b: set) -> Tally:
        return Tally(len(a & b), len(b), len(a))

    return Score(
        reviewed.slug,
        tally(tasks(draft), tasks(reviewed)),
        tally(assignments(draft), assignments(reviewed)),
        tally(targets(draft), targets(reviewed)),
    )
