"""What an assessment found, as plain data: what the report writer needs, without the database
(the report's worker processes import this, not SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class UnitRow:
    unit_id: str
    unit_name: str
    status: str  # submitted | late | missing | waived
    received_at: str | None
    on_time: bool


@dataclass
class TargetRow:
    target_id: int
    code: str
    name: str
    owner: str
    goal: str
    expected: float
    actual: float | None
    status: str
    forecast: float | None
    will_meet: bool | None
    series: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class TaskRow:
    task_id: int
    ref: str
    title: str
    unit_name: str
    role: str
    status: str  # the unit's reported status, or 未报
    text: str
    flags: list[str] = field(default_factory=list)


@dataclass
class PeriodAssessment:
    plan_slug: str
    plan_title: str
    period_label: str
    due_on: str
    as_of: str
    units: list[UnitRow]
    targets: list[TargetRow]
    tasks: list[TaskRow]
    reporting_rate: float
    on_time_rate: float

    def figures(self) -> dict[str, Any]:
        """As JSON-ready dicts (what `dataclasses.asdict` gives, without its recursive deep copy:
        that copy of a province period's 20,000 task rows cost more than assessing them)."""
        rows = {
            name: [dict(vars(r)) for r in getattr(self, name)]
            for name in ("units", "targets", "tasks")
        }
        for t in rows["targets"]:
            t["series"] = [list(p) for p in t["series"]]
        for t in rows["tasks"]:
            t["flags"] = list(t["flags"])
        return {**vars(self), **rows}
