"""The final assessment (the form of the seed's 表1-1: 指标名称, 目标, 实绩, 完成情况).

It is written only for the plan's last period and only once that period has closed: its due
date has passed (the day of the assessment is after it), unless the caller says otherwise
(`closed`: the office may close a period early, or keep it open for late reports). Before
that the last period's figures are still coming in, and a verdict of 未达到 on a period whose
报送率 is 0 % says nothing. A 实绩 that was last reported in an earlier period is labelled
with that period (42（截至2025年第三季度）), never passed off as this period's.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from reporting.figures import PeriodAssessment, TargetRow
from vocab import zh
from vocab.words import TargetStatus


@dataclass(frozen=True)
class FinalLine:
    index: int
    name: str
    goal: str
    actual: float | None
    carried_from: str | None  # the period name the value was reported in, if not this one
    verdict: str  # 已达到 | 未达到 | 未报数据

    @property
    def actual_text(self) -> str:
        if self.actual is None:
            return "未报"
        value = zh.number(self.actual)
        return f"{value}（截至{self.carried_from}）" if self.carried_from else value


def closed(result: PeriodAssessment, closed: bool | None = None) -> bool:
    """Whether the period has closed: as the caller says, else its due date has passed."""
    if closed is not None:
        return closed
    return dt.date.fromisoformat(result.as_of) > dt.date.fromisoformat(result.due_on)


def final_due(result: PeriodAssessment, final: bool, is_closed: bool | None = None) -> bool:
    """Whether the report carries the final assessment: the plan's last period, closed."""
    return final and closed(result, is_closed)


def period_end(label: str) -> dt.date | None:
    """The last day of a period labelled 2025Q3, 2025M07, 2025H1 or 2025."""
    if not (m := re.fullmatch(r"(\d{4})(?:([QMH])(\d{1,2}))?", label)):
        return None
    year, kind, n = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    month = {"Q": 3 * n, "M": n, "H": 6 * n}.get(kind or "", 12)
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def value_period(result: PeriodAssessment, target: TargetRow) -> str | None:
    """The period name of the target's latest reported value, if it is not this period's."""
    if not target.series or target.actual is None:
        return None
    dated = max(day for day, _ in target.series)
    ends = {r.end: r.label for r in result.rates}
    this_end = next((r.end for r in result.rates if r.label == result.period_label), None)
    if this_end is None and (end := period_end(result.period_label)) is not None:
        this_end = end.isoformat()
    if dated == this_end:
        return None
    label = ends.get(dated)
    return zh.period_name(label) if label else zh.date(dt.date.fromisoformat(dated))


def final_lines(result: PeriodAssessment) -> list[FinalLine]:
    lines = []
    for i, t in enumerate(result.targets, start=1):
        if t.actual is None:
            verdict = "未报数据"
        else:
            verdict = "已达到" if t.status == TargetStatus.ACHIEVED else "未达到"
        lines.append(FinalLine(i, t.name, t.goal, t.actual, value_period(result, t), verdict))
    return lines
