"""Reporting periods and their dates: 2025Q3 opens, is due, by the plan's rules."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from reporting.workdays import WorkCalendar
from tasks_catalog import rules
from vocab import zh

MONTHS_PER = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
RuleError = rules.RuleError


@dataclass(frozen=True)
class PeriodDates:
    label: str
    start: dt.date
    end: dt.date
    opens_on: dt.date
    due_on: dt.date


def label_for(cadence: str, year: int, index: int) -> str:
    """index is 1-based within the year: 2025Q3, 2025M07, 2025H1, 2025."""
    return {
        "monthly": f"{year}M{index:02d}",
        "quarterly": f"{year}Q{index}",
        "half-yearly": f"{year}H{index}",
        "yearly": f"{year}",
    }[cadence]


def due_date(rule: str, end: dt.date, cal: WorkCalendar) -> dt.date:
    """Apply a due rule: "5 working days after period end" or "day 25 of the last month"
    (moved to the next working day when it is not one)."""
    parsed = rules.due_rule(rule)
    if parsed.workdays_after_end is not None:
        return cal.add_workdays(end, parsed.workdays_after_end)
    assert parsed.day_of_last_month is not None
    day = min(parsed.day_of_last_month, calendar.monthrange(end.year, end.month)[1])
    return cal.next_workday(end.replace(day=day))


def open_date(rule: str, end: dt.date, cal: WorkCalendar) -> dt.date:
    """Apply an opening rule: "N working days before period end"."""
    before = rules.open_rule(rule).workdays_before_end
    return cal.add_workdays(cal.next_workday(end) if not cal.is_workday(end) else end, -before)


def periods_for(
    start_year: int,
    end_year: int,
    cadence: str,
    due_rule: str,
    open_rule: str,
    cal: WorkCalendar,
) -> list[PeriodDates]:
    """Return every period of the plan's years, in order."""
    if cadence not in MONTHS_PER:
        raise RuleError(f"cadence {cadence!r}; use one of {', '.join(MONTHS_PER)}")
    months = MONTHS_PER[cadence]
    out = []
    for year in range(start_year, end_year + 1):
        for index in range(1, 12 // months + 1):
            first_month = (index - 1) * months + 1
            last_month = first_month + months - 1
            start = dt.date(year, first_month, 1)
            end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
            out.append(
                PeriodDates(
                    label=label_for(cadence, year, index),
                    start=start,
                    end=end,
                    opens_on=open_date(open_rule, end, cal),
                    due_on=due_date(due_rule, end, cal),
                )
            )
    return out


def quarter_name(label: str) -> str:
    """2025Q3 → 2025年第三季度 (kept for callers not yet on `vocab.zh.period_name`)."""
    return zh.period_name(label)
