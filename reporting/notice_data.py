"""What a period's 通报 says, as plain data: built from the period's assessment and what the
assessment does not know (the office's name and signature date, the working-day calendar
for days overdue, the tasks lit red or yellow, the units' own 存在问题, the next steps).

`notice_data` builds it; `reporting.notice.write_notice` writes it as a .docx. Pure: no
clock read, no database (the report's worker processes are handed it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from reporting.counts import PeriodCounts, listed, period_counts
from reporting.figures import PeriodAssessment
from reporting.final import value_period
from reporting.names import download_names, subject
from reporting.notice_text import derived_next_steps, derived_problems
from reporting.overdue import overdue_text, overdue_workdays
from reporting.progress import STATUS_ZH
from reporting.workdays import WorkCalendar
from vocab import zh
from vocab.words import ReportStatus, TargetStatus

STANDARD_NEXT_STEP = (
    "各单位要对照目标任务，进一步压实工作责任，细化推进举措，加强协同配合，"
    "按时保质报送工作进展，确保各项任务按期完成。"
)
CLOSING_NEXT_STEP = "领导小组办公室将持续跟踪督办，定期通报工作进展情况。"


@dataclass(frozen=True)
class UnitLine:
    name: str
    status: str  # vocab.words.ReportStatus
    overdue_workdays: int | None
    overdue: str  # 逾期2个工作日 / 已逾期5个工作日

    @property
    def text(self) -> str:
        return f"{self.name}（{self.overdue}）" if self.overdue else self.name


@dataclass(frozen=True)
class TargetLine:
    code: str
    name: str
    owner: str
    goal: str
    expected: float
    actual: float | None
    dated: str | None  # the period name of a value carried from an earlier period
    status: str  # vocab.words.TargetStatus
    will_meet: bool | None

    @property
    def actual_text(self) -> str:
        if self.actual is None:
            return "未报"
        value = zh.number(round(self.actual, 2))
        return f"{value}（截至{self.dated}）" if self.dated else value

    @property
    def status_text(self) -> str:
        return STATUS_ZH[TargetStatus(self.status)]


@dataclass(frozen=True)
class Highlight:
    """A task lit red or yellow (the task lights, issue 19), with the reason it is lit."""

    light: str  # red | yellow
    ref: str
    title: str
    unit_name: str
    reason: str


@dataclass(frozen=True)
class UnitProblem:
    """A 存在问题 a unit wrote in its own report."""

    unit_name: str
    text: str


@dataclass(frozen=True)
class Signature:
    office: str  # 标准强市建设领导小组办公室
    signed_on: dt.date  # written without weekday (公文)
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class NoticeData:
    title: str
    addressees: str  # 主送: 各县（区）政府，市级有关单位
    plan_title: str
    doc_number: str | None
    period_name: str
    due_on: dt.date
    as_of: dt.date
    counts: PeriodCounts
    late: list[UnitLine]
    missing: list[UnitLine]
    waived: list[str]
    targets: list[TargetLine]
    task_statuses: dict[str, int]  # the units' reported status (已完成, 推进中, …, 未报) → tasks
    highlights: list[Highlight] | None  # None: no task lights yet (said so, not "none lit")
    problems: list[str]  # found in the figures, then the office's own
    unit_problems: list[UnitProblem]
    next_steps: list[str]
    annex: str  # the annex as 附件 names it
    signature: Signature
    notes: list[str] = field(default_factory=list)  # 说明 (provisional calendar, …)


def notice_data(
    result: PeriodAssessment,
    cal: WorkCalendar,
    signature: Signature,
    programme: str,
    *,
    plan_short: str | None = None,
    addressees: str = "各有关单位",
    doc_number: str | None = None,
    highlights: list[Highlight] | None = None,
    unit_problems: list[UnitProblem] | None = None,
    office_problems: list[str] | None = None,
    standard_next_step: str = STANDARD_NEXT_STEP,
    notes: list[str] | None = None,
) -> NoticeData:
    """The 通报 of `result`: numbers from the assessment, days overdue from `cal` (filled in
    on `result`'s units where missing, so the annex written from it shows the same days)."""
    due, as_of = dt.date.fromisoformat(result.due_on), dt.date.fromisoformat(result.as_of)
    for u in result.units:
        if u.overdue_workdays is None:
            u.overdue_workdays = overdue_workdays(u, due, as_of, cal)
    lines = [
        UnitLine(u.unit_name, u.status, u.overdue_workdays, overdue_text(u))
        for u in listed(result.units)
    ]
    late = [u for u in lines if u.status == ReportStatus.LATE]
    missing = [u for u in lines if u.status == ReportStatus.MISSING]
    targets = [
        TargetLine(
            t.code,
            t.name,
            t.owner,
            t.goal,
            t.expected,
            t.actual,
            value_period(result, t),
            t.status,
            t.will_meet,
        )
        for t in result.targets
    ]
    counts = period_counts(result)
    return NoticeData(
        title=f"关于{zh.period_name(result.period_label)}{subject(programme, plan_short)}工作进展情况的通报",
        addressees=addressees,
        plan_title=result.plan_title,
        doc_number=doc_number,
        period_name=zh.period_name(result.period_label),
        due_on=due,
        as_of=as_of,
        counts=counts,
        late=late,
        missing=missing,
        waived=[u.name for u in lines if u.status == ReportStatus.WAIVED],
        targets=targets,
        task_statuses=dict(Counter(t.status for t in result.tasks)),
        highlights=highlights,
        problems=derived_problems(result, counts, targets) + list(office_problems or []),
        unit_problems=list(unit_problems or []),
        next_steps=[
            standard_next_step,
            *derived_next_steps(missing, late, targets, result, highlights),
            CLOSING_NEXT_STEP,
        ],
        annex=download_names(programme, result.period_label, plan_short).xlsx.removesuffix(".xlsx"),
        signature=signature,
        notes=list(notes or []),
    )
