"""Each unit's part of each task with its 完成时限, its latest reported status and its light
(issue 19): what `duban tasks` lists and what a digest compares day by day.

The light is `reporting.lights.task_light` on `as_of`; the status is the unit's latest answer in
a complete submission received by the end of `as_of` (a 暂存 says nothing yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Period, Plan, ProgressRow, Request, Submission, Task, Unit
from reporting.closure import latest_decisions
from reporting.lights import DEFAULT_WARN_WORKDAYS, Light, task_due, task_light
from reporting.requests import due_end
from reporting.work import work_by_plans
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ClosureAction


@dataclass(frozen=True)
class TaskState:
    plan: str  # slug
    task_id: int
    ref: str
    title: str
    unit_id: str
    unit: str  # name
    role: str  # 牵头 | 配合
    due_on: str  # ISO date of the 完成时限 (the plan's end when the task has none)
    deadline: str  # as the document writes it: 2024年底前 ("" when none)
    status: str  # latest 本期状态 reported, "" when none
    light: str  # vocab.words.TaskLight
    light_word: str  # 绿 | 黄 | 红 | 办结
    reason: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def latest_statuses(
    session: Session, plan_ids: list[int], until: dt.datetime, unit_id: str | None = None
) -> dict[tuple[str, int], tuple[str, dt.datetime]]:
    """{(unit id, task id): (the latest status it reported, when)} in complete submissions
    received before `until`."""
    query = (
        select(Request.unit_id, ProgressRow.task_id, ProgressRow.status, Submission.received_at)
        .join(Submission, ProgressRow.submission_id == Submission.id)
        .join(Request, Submission.request_id == Request.id)
        .join(Period, Request.period_id == Period.id)
        .where(
            Period.plan_id.in_(plan_ids),
            Submission.complete.is_(True),
            Submission.received_at < until,
        )
        .order_by(Submission.received_at, Submission.id)
    )
    if unit_id is not None:
        query = query.where(Request.unit_id == unit_id)
    return {(u, t): (s, at) for u, t, s, at in session.execute(query)}  # the latest wins


def task_states(
    session: Session,
    cal: WorkCalendar,
    as_of: dt.date,
    plan_slug: str | None = None,
    unit_id: str | None = None,
) -> list[TaskState]:
    """Every live plan's tasks, unit by unit in the office's order, with their lights."""
    query = select(Plan).where(Plan.retired_at.is_(None)).order_by(Plan.slug)
    if plan_slug is not None:
        query = query.where(Plan.slug == plan_slug)
    plans = list(session.scalars(query))
    if not plans:
        return []
    ids = [p.id for p in plans]
    work = work_by_plans(session, ids, unit_id)
    until = due_end(as_of)
    reported = latest_statuses(session, ids, until, unit_id)
    decisions = latest_decisions(session)
    units = {u.id: u for u in session.execute(select(Unit.id, Unit.name, Unit.order))}
    tasks = {
        t.id: (t.due_date, t.deadline or "")
        for t in session.execute(
            select(Task.id, Task.due_date, Task.deadline).where(Task.plan_id.in_(ids))
        )
    }
    states = []
    for plan in plans:
        plan_end = dt.date(plan.end_year, 12, 31)
        warn = (plan.reporting or {}).get("task_warn_workdays", DEFAULT_WARN_WORKDAYS)
        by_unit = work.get(plan.id, {})
        for uid in sorted(by_unit, key=lambda u: (units[u].order, units[u].name)):
            for task, role in by_unit[uid].tasks:
                due_date, deadline = tasks[task.id]
                status, at = reported.get((uid, task.id), ("", None))
                decision = decisions.get((uid, task.id))
                if decision is not None and decision.at > until:
                    decision = None  # decided after the day asked about
                returned = decision is not None and decision.action == ClosureAction.RETURNED
                # a 已完成 the office returned counts no more, until the unit reports it again
                counted = status
                if decision is not None and returned and at is not None and at <= decision.at:
                    counted = ""
                light = task_light(
                    due_date,
                    plan_end,
                    as_of,
                    cal,
                    reported=counted or None,
                    closed=decision is not None and not returned,
                    warn_workdays=int(warn),
                )
                if decision is not None and returned and not counted:
                    light = Light(light.colour, f"已退回（{decision.reason}）；{light.reason}")
                states.append(
                    TaskState(
                        plan.slug,
                        task.id,
                        task.ref,
                        task.title,
                        uid,
                        units[uid].name,
                        zh.role(role),
                        task_due(due_date, plan_end).isoformat(),
                        deadline,
                        status,
                        light.colour.value,
                        light.word,
                        light.reason,
                    )
                )
    return states
