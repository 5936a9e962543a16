"""What makes a submission complete (issue 19): every task of the request has a status and
either progress text or an explicit 本期无新进展, and every target it owns has a value or a
stated reason why there is none.

One rule for the web form and the Excel template. `missing_items` returns what is missing as
data (which task or target, which field, a Chinese message); the caller turns each item into a
form field's error or a sheet!cell reference. An empty list means complete. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from vocab.words import FlagSubject, ProgressStatus

NO_NEWS = "本期无新进展"  # the explicit words, as a check box in the form or the text in Excel
STATUSES = tuple(s.value for s in ProgressStatus)


class Field(StrEnum):
    """The field of a task or target row that an item is missing."""

    STATUS = "status"  # 本期状态
    PROGRESS = "progress"  # 本期进展 (or 本期无新进展)
    PROBLEMS = "problems"  # 存在问题
    VALUE = "value"  # 本期值 (or 未填原因)


class AskedTask(Protocol):
    """A task of the request (`reporting.work.TaskInfo` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def title(self) -> str: ...


class AskedTarget(Protocol):
    """A target the unit owns (`reporting.work.TargetInfo` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class ProgressEntry:
    """What the unit entered for one task."""

    status: str = ""  # one of STATUSES; "" when none was chosen
    text: str = ""
    no_news: bool = False  # the 本期无新进展 box (in Excel: the text is exactly NO_NEWS)
    problems: str = ""  # 存在问题

    @property
    def has_progress(self) -> bool:
        return self.no_news or bool(self.text.strip())

    @property
    def only_no_news(self) -> bool:
        """Whether the unit said no more than 本期无新进展."""
        text = self.text.strip()
        return not text or text == NO_NEWS


@dataclass(frozen=True)
class ValueEntry:
    """What the unit entered for one target: a value, or why there is none."""

    value: Decimal | None = None
    reason: str = ""  # 未填原因: 年度数据，年底统计


@dataclass(frozen=True)
class Missing:
    subject: FlagSubject  # task or target
    id: int  # the task's or target's id
    field: Field
    label: str  # 任务 二(一)1 / 指标「新增国家标准」
    message: str  # 未选择本期状态

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


def missing_items(
    tasks: Sequence[AskedTask],
    targets: Sequence[AskedTarget],
    progress: Mapping[int, ProgressEntry],
    values: Mapping[int, ValueEntry],
) -> list[Missing]:
    """What the submission still lacks, tasks first, each in the request's order; [] when it
    is complete. `progress` and `values` are keyed by task and target id; an entry for a task
    or target the request does not have is not this rule's business (intake refuses it)."""
    items: list[Missing] = []
    for task in tasks:
        items += _task_items(task, progress.get(task.id, ProgressEntry()))
    for target in targets:
        entry = values.get(target.id, ValueEntry())
        if entry.value is None and not entry.reason.strip():
            label = f"指标「{target.name}」"
            message = "未填写本期值，也未说明未填原因"
            items.append(Missing(FlagSubject.TARGET, target.id, Field.VALUE, label, message))
    return items


def _task_items(task: AskedTask, entry: ProgressEntry) -> list[Missing]:
    label = f"任务 {task.ref}"

    def item(field: Field, message: str) -> Missing:
        return Missing(FlagSubject.TASK, task.id, field, label, message)

    status = entry.status.strip()
    items = []
    if not status:
        items.append(item(Field.STATUS, "未选择本期状态"))
    elif status not in STATUSES:
        items.append(item(Field.STATUS, f"状态“{status}”无效，请选择{'、'.join(STATUSES)}之一"))
    if not entry.has_progress:
        items.append(item(Field.PROGRESS, f"未填写本期进展（没有新进展请注明“{NO_NEWS}”）"))
    elif status == ProgressStatus.DONE and entry.only_no_news:
        items.append(item(Field.PROGRESS, "报“已完成”的任务请简述完成情况"))
    if status == ProgressStatus.BLOCKED and entry.only_no_news and not entry.problems.strip():
        items.append(item(Field.PROBLEMS, "报“受阻”的任务请在存在问题中说明受阻原因"))
    return items


def banner(items: Sequence[Missing]) -> str:
    """The line at the top of a form that failed to submit: 报送未完成：2 项任务、1 项指标尚未
    填写完整. "" when nothing is missing."""
    tasks = len({i.id for i in items if i.subject == FlagSubject.TASK})
    targets = len({i.id for i in items if i.subject == FlagSubject.TARGET})
    parts = [f"{n} 项{what}" for n, what in ((tasks, "任务"), (targets, "指标")) if n]
    return f"报送未完成：{'、'.join(parts)}尚未填写完整" if parts else ""
