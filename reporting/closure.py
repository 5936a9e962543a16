"""办结 and 退回 (issue 19): the office's answer to a unit that reported a task 已完成.

The unit's account is the progress text of its latest complete submission that says 已完成. The
office confirms it (办结: the task's light turns 办结 for that unit) or returns it with a reason
(退回: the unit is told, the task stays open until the unit reports 已完成 again). Every
decision is a `TaskClosure` row and an `AuditLog` row, in the caller's transaction; the caller
sends the unit `notice_text` (reporting does not import notifications).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    AuditLog,
    Period,
    Plan,
    ProgressRow,
    Request,
    Submission,
    Task,
    TaskClosure,
    Unit,
)
from vocab.words import ClosureAction, ProgressStatus


class ClosureRefused(ValueError):
    """An 办结 or 退回 that cannot be made; the message (Chinese) says why."""


@dataclass(frozen=True)
class Claim:
    """A unit's latest report of a task, and the office's latest decision on it."""

    task: Task
    unit: Unit
    status: str  # the latest 本期状态 reported ("" when none)
    account: str  # its progress text
    reported_at: dt.datetime | None
    decision: TaskClosure | None

    @property
    def open_claim(self) -> bool:
        """Whether the unit's 已完成 waits for the office (reported after the last 退回)."""
        if self.status != ProgressStatus.DONE:
            return False
        if self.decision is None:
            return True
        return self.decision.action == ClosureAction.RETURNED and (
            self.reported_at is not None and self.reported_at > self.decision.at
        )


def latest_decisions(
    session: Session, task_ids: list[int] | None = None
) -> dict[tuple[str, int], TaskClosure]:
    """{(unit id, task id): the office's latest 办结/退回}."""
    query = select(TaskClosure).order_by(TaskClosure.at, TaskClosure.id)
    if task_ids is not None:
        query = query.where(TaskClosure.task_id.in_(task_ids))
    return {(c.unit_id, c.task_id): c for c in session.scalars(query)}


def claim_of(session: Session, plan_slug: str, ref: str, unit_id: str) -> Claim:
    """The unit's latest report of task `ref` of the plan; ClosureRefused when there is none."""
    task = session.scalar(
        select(Task)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Plan.slug == plan_slug, Task.ref == ref)
    )
    unit = session.get(Unit, unit_id)
    if task is None or unit is None:
        what = f"计划 {plan_slug} 中没有任务 {ref}" if task is None else f"没有单位 {unit_id}"
        raise ClosureRefused(f"{what}，请用 duban tasks 查看任务编号和单位ID")
    row = session.execute(
        select(ProgressRow.status, ProgressRow.text, Submission.received_at)
        .join(Submission, ProgressRow.submission_id == Submission.id)
        .join(Request, Submission.request_id == Request.id)
        .join(Period, Request.period_id == Period.id)
        .where(
            ProgressRow.task_id == task.id,
            Request.unit_id == unit_id,
            Submission.complete.is_(True),
        )
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(1)
    ).first()
    decision = latest_decisions(session, [task.id]).get((unit_id, task.id))
    status, text, at = row if row is not None else ("", "", None)
    return Claim(task, unit, status, text, at, decision)


def decide(
    session: Session,
    plan_slug: str,
    ref: str,
    unit_id: str,
    action: ClosureAction,
    *,
    actor: str,
    now: dt.datetime,
    reason: str = "",
) -> TaskClosure:
    """办结 (`CLOSED`) or 退回 (`RETURNED`, with `reason`) the unit's reported 已完成."""
    claim = claim_of(session, plan_slug, ref, unit_id)
    label = f"{claim.unit.name}的任务 {ref}"
    if claim.decision is not None and claim.decision.action == ClosureAction.CLOSED:
        raise ClosureRefused(f"{label}已于 {claim.decision.at:%Y-%m-%d} 办结")
    if not claim.open_claim:
        raise ClosureRefused(
            f"{label}尚未报“已完成”（最近报送：{claim.status or '无'}），无需{word(action)}"
        )
    reason = reason.strip()
    if action == ClosureAction.RETURNED and not reason:
        raise ClosureRefused("退回须写明原因（--reason），单位将收到该原因")
    decision = TaskClosure(
        task_id=claim.task.id,
        unit_id=unit_id,
        action=action,
        at=now,
        actor=actor,
        account=claim.account,
        reason=reason or None,
    )
    session.add(decision)
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action=f"task-{action}",
            target=f"{plan_slug}:{ref}:{unit_id}",
            detail=reason or claim.account[:200],
        )
    )
    session.flush()
    return decision


def notice_text(task: Task, decision: TaskClosure) -> str:
    """What the unit is told of the decision."""
    if decision.action == ClosureAction.CLOSED:
        return f"贵单位报送已完成的任务 {task.ref}“{task.title}”，经领导小组办公室确认，已办结。"
    return (
        f"贵单位报送已完成的任务 {task.ref}“{task.title}”，经领导小组办公室审核予以退回，"
        f"原因：{decision.reason}。请继续推进，完成后再次报送“已完成”并说明完成情况。"
    )


def word(action: ClosureAction | str) -> str:
    return "办结" if action == ClosureAction.CLOSED else "退回"
