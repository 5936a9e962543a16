"""What an assessment found, as plain data: what the report writer needs, without the database
(the report's worker processes import this, not SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNORDERED = 99_999  # a unit without an official order (tasks_catalog.directory.UNORDERED)


@dataclass
class UnitRow:
    unit_id: str
    unit_name: str
    status: str  # submitted | late | missing | waived
    received_at: str | None
    on_time: bool
    order: int = UNORDERED  # the directory's official order: reports list units by it
    due_on: str | None = None  # the unit's own due date (ISO) when it differs (extended)
    overdue_workdays: int | None = None  # working days past due (`reporting.overdue`)


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
    series: list[tuple[str, float]] = field(default_factory=list)  # (period end, value)
    value: float | None = None  # the final target (the figure in `goal`)
    measure: str = ""  # 项, 家, %
    cmp: str = ">="
    owner_id: str = ""


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
    unit_id: str = ""
    unit_order: int = UNORDERED


@dataclass
class PeriodRates:
    """One period of the plan as the report's chart shows it."""

    label: str  # 2025Q3
    end: str  # ISO date of the period's last day (a target's series is dated by it)
    due_on: str
    requested: int  # units asked (waived ones not counted)
    reported: int
    on_time: int
    reporting_rate: float
    on_time_rate: float


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
    rates: list[PeriodRates] = field(default_factory=list)  # the plan's periods up to this one

    def figures(self) -> dict[str, Any]:
        """As JSON-ready dicts (what `dataclasses.asdict` gives, without its recursive deep copy:
        that copy of a province period's 20,000 task rows cost more than assessing them)."""
        rows: dict[str, list[dict[str, Any]]] = {
            name: [dict(vars(r)) for r in getattr(self, name)]
            for name in ("units", "targets", "tasks")
        }
        for t in rows["targets"]:
            t["series"] = [list(p) for p in t["series"]]
        for t in rows["tasks"]:
            t["flags"] = list(t["flags"])
        rows["rates"] = [dict(vars(r)) for r in self.rates]
        return {**vars(self), **rows}
