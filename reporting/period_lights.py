"""The tasks' lights of a period as the office's dashboard shows them (`reporting.lights`):
each assigned unit's part of each task, 绿/黄/红 with the reason, from the unit's reported
status in the period and the task's 完成时限."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Plan, Task
from reporting.figures import PeriodAssessment
from reporting.lights import task_light
from reporting.opening import reporting_of
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ProgressStatus, TaskLight

LIGHT_ORDER = (TaskLight.RED, TaskLight.YELLOW, TaskLight.GREEN, TaskLight.DONE)


@dataclass(frozen=True)
class TaskLightLine:
    unit_id: str
    unit: str
    ref: str
    title: str
    colour: str  # vocab.words.TaskLight
    reason: str

    @property
    def word(self) -> str:
        return zh.word(TaskLight(self.colour))


def task_lights(
    session: Session, plan: Plan, result: PeriodAssessment, day: dt.date, cal: WorkCalendar
) -> list[TaskLightLine]:
    """Every (unit, task) of the period lit as of `day`, red first, then in the report's order."""
    dues = dict(
        session.execute(select(Task.id, Task.due_date).where(Task.plan_id == plan.id)).all()
    )
    plan_end = dt.date(plan.end_year, 12, 31)
    warn = reporting_of(plan).task_warn_workdays
    statuses = {s.value for s in ProgressStatus}
    lines = []
    for t in result.tasks:
        reported = t.status if t.status in statuses else None
        light = task_light(
            dues.get(t.task_id), plan_end, day, cal, reported=reported, warn_workdays=warn
        )
        lines.append(
            TaskLightLine(t.unit_id, t.unit_name, t.ref, t.title, light.colour, light.reason)
        )
    rank = {c: i for i, c in enumerate(LIGHT_ORDER)}
    return sorted(lines, key=lambda line: rank[TaskLight(line.colour)])
