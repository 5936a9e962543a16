"""A task's light (issue 19): 绿 on track, 黄 warned, 红 late, 办结 done and confirmed.

Pure: `task_light` takes `as_of` and the calendar and reads no clock and no database; the unit's
form, the office's dashboard, the reports and the digest all ask it, so they show the same
colour for the same day.

The rule, most severe first:

- 办结 when the office has confirmed the task done; nothing else is looked at.
- 红 when `as_of` is after the task's 完成时限 and the unit has not reported it 已完成, or when a
  target or milestone of the task is seriously behind its 序时进度.
- 黄 when the unit reports it 受阻, when a target or milestone is behind its 序时进度, or when at
  most `warn_workdays` working days remain until the 完成时限 (the 完成时限 day itself included).
- 绿 otherwise.

A task without a 完成时限 of its own runs to the plan's end. A unit's 已完成 that the office has
not confirmed yet stops the deadline from counting against the unit (the next step is the
office's: confirm, 办结, or return it, 退回); the caller passes the latest status the office has
not returned. The reason names every finding of the light's colour, joined by "；".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ProgressStatus, TargetStatus, TaskLight

DEFAULT_WARN_WORKDAYS = 10  # tasks_catalog.schema.Reporting.task_warn_workdays
# How bad a colour is, for the worst-of rule and for "turned 黄/红 since the last digest".
RANK = {TaskLight.DONE: 0, TaskLight.GREEN: 1, TaskLight.YELLOW: 2, TaskLight.RED: 3}
TARGET_RANK = {
    TargetStatus.SERIOUSLY_BEHIND: 4,
    TargetStatus.BEHIND: 3,
    TargetStatus.ON_TRACK: 2,
    TargetStatus.ACHIEVED: 1,
    TargetStatus.NO_DATA: 0,  # says nothing about the task's pace
}
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Light:
    colour: TaskLight
    reason: str  # Chinese, names the figures: 距完成时限还有 3 个工作日

    @property
    def word(self) -> str:
        """绿, 黄, 红 or 办结."""
        return zh.word(self.colour)

    def __str__(self) -> str:
        return f"{self.word}（{self.reason}）"


def task_due(due_date: dt.date | None, plan_end: dt.date) -> dt.date:
    """A task's 完成时限: its own `due_date`, or the plan's last day when it has none."""
    return due_date if due_date is not None else plan_end


def worst_target_status(statuses: Iterable[TargetStatus | str]) -> TargetStatus | None:
    """The worst 序时进度 status among a task's targets and milestones; None when none of them
    says anything (no targets, or only 未报数据)."""
    known = [TargetStatus(s) for s in statuses]
    worst = max(known, key=TARGET_RANK.__getitem__, default=None)
    return None if worst is None or worst == TargetStatus.NO_DATA else worst


def task_light(
    due_date: dt.date | None,
    plan_end: dt.date,
    as_of: dt.date,
    cal: WorkCalendar,
    *,
    reported: ProgressStatus | str | None = None,
    closed: bool = False,
    targets: TargetStatus | str | None = None,
    warn_workdays: int = DEFAULT_WARN_WORKDAYS,
) -> Light:
    """The light of one task (one unit's part of it) at the end of `as_of`.

    `reported` is the unit's latest 本期状态 (None: never reported); `closed` whether the office
    has confirmed it done (办结); `targets` the worst status of its targets and milestones
    (`worst_target_status`).
    """
    if closed:
        return Light(TaskLight.DONE, "已办结")
    status = None if reported is None else ProgressStatus(reported)
    due = task_due(due_date, plan_end)
    # The time figure leads; the unit's own status and the targets follow.
    if status == ProgressStatus.DONE:
        findings = [(TaskLight.GREEN, "自报已完成，待办公室确认办结")]
    else:
        findings = [_deadline_finding(due, as_of, cal, warn_workdays, due_date is None)]
    if status == ProgressStatus.BLOCKED:
        findings.append((TaskLight.YELLOW, "自报受阻"))
    findings += _target_findings(targets)
    colour = max((c for c, _ in findings), key=RANK.__getitem__)
    return Light(colour, "；".join(r for c, r in findings if c == colour))


def _target_findings(targets: TargetStatus | str | None) -> list[tuple[TaskLight, str]]:
    status = None if targets is None else TargetStatus(targets)
    if status == TargetStatus.SERIOUSLY_BEHIND:
        return [(TaskLight.RED, "指标严重滞后于序时进度")]
    if status == TargetStatus.BEHIND:
        return [(TaskLight.YELLOW, "指标滞后于序时进度")]
    return []


def _deadline_finding(
    due: dt.date, as_of: dt.date, cal: WorkCalendar, warn_workdays: int, plan_end: bool
) -> tuple[TaskLight, str]:
    """What the 完成时限 says on `as_of`: past (红), near (黄) or far (绿)."""
    suffix = f"（无单列时限，按规划期末 {zh.date(due)} 计）" if plan_end else ""
    if as_of > due:
        late = cal.workdays_between(due, as_of)
        if late == 0:  # the days since are all days off
            return TaskLight.RED, f"已超过完成时限（{zh.date(due)}）{suffix}"
        return TaskLight.RED, f"已超过完成时限 {late} 个工作日{suffix}"
    left = cal.workdays_between(as_of, due)
    colour = TaskLight.YELLOW if left <= warn_workdays else TaskLight.GREEN
    if as_of == due:
        return colour, f"今天是完成时限{suffix}"
    if left == 0:  # the 完成时限 falls on a day off and no working day is left before it
        return colour, f"完成时限（{zh.date_weekday(due)}）前已无工作日{suffix}"
    return colour, f"距完成时限还有 {left} 个工作日{suffix}"


@dataclass(frozen=True)
class LightChange(Generic[K]):
    key: K
    before: TaskLight | None  # None: the task had no light at the last digest
    after: Light

    @property
    def text(self) -> str:
        """由绿转黄：距完成时限还有 3 个工作日 (the caller puts the task's ref and title first)."""
        if self.before is None:
            return f"{self.after.word}：{self.after.reason}"
        return f"由{zh.word(self.before)}转{self.after.word}：{self.after.reason}"


def light_changes(
    previous: Mapping[K, TaskLight | str], current: Mapping[K, Light]
) -> list[LightChange[K]]:
    """The tasks that turned 黄 or 红 since the last digest (`previous`: the colours it
    showed), in the order of `current`: a colour worse than before, or a 黄/红 task the last
    digest did not know. A task that got better, or stayed as it was, is not named."""
    changes = []
    for key, light in current.items():
        if light.colour not in (TaskLight.YELLOW, TaskLight.RED):
            continue
        before = previous.get(key)
        was = None if before is None else TaskLight(before)
        if was is None or RANK[light.colour] > RANK[was]:
            changes.append(LightChange(key, was, light))
    return changes
