"""How many working days a unit is overdue: a late unit until its first report, a unit that
has not reported until the day of the assessment. The unit's own due date counts (an
extension moves it), the Chinese working-day calendar decides what a working day is."""

from __future__ import annotations

import datetime as dt

from reporting.figures import PeriodAssessment, UnitRow
from reporting.workdays import WorkCalendar
from vocab.words import ReportStatus


def overdue_workdays(
    unit: UnitRow, period_due: dt.date, as_of: dt.date, cal: WorkCalendar
) -> int | None:
    """Working days past the unit's due date; None for a unit on time or waived."""
    due = dt.date.fromisoformat(unit.due_on) if unit.due_on else period_due
    if unit.status == ReportStatus.LATE and unit.received_at:
        return max(0, cal.workdays_between(due, dt.date.fromisoformat(unit.received_at[:10])))
    if unit.status == ReportStatus.MISSING:
        return max(0, cal.workdays_between(due, as_of))
    return None


def mark_overdue(result: PeriodAssessment, cal: WorkCalendar) -> PeriodAssessment:
    """Fill in each late or missing unit's `overdue_workdays` (in place); return `result`."""
    due, as_of = dt.date.fromisoformat(result.due_on), dt.date.fromisoformat(result.as_of)
    for unit in result.units:
        unit.overdue_workdays = overdue_workdays(unit, due, as_of, cal)
    return result


def overdue_text(unit: UnitRow) -> str:
    """逾期3个工作日 / 已逾期5个工作日 / 逾期不足1个工作日 / 截至统计时未逾期."""
    days = unit.overdue_workdays
    if days is None:
        return ""
    if unit.status == ReportStatus.MISSING:
        return f"已逾期{days}个工作日" if days else "截至统计时尚未逾期"
    return f"逾期{days}个工作日" if days else "逾期不足1个工作日"
