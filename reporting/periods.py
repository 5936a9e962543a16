"""Reporting periods and their dates: 2025Q3 opens, is due, by the plan's rules."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from reporting.workdays import WorkCalendar

MONTHS_PER = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
DUE_AFTER_END = re.compile(r"^(\d+) working days? after period end$")
DUE_DAY_OF_LAST_MONTH = re.compile(r"^day (\d{1,2}) of the last month$")
OPEN_BEFORE_END = re.compile(r"^(\d+) working days? before period end$")


class RuleError(ValueError):
    pass


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
    if m := DUE_AFTER_END.match(rule.strip()):
        return cal.add_workdays(end, int(m.group(1)))
    if m := DUE_DAY_OF_LAST_MONTH.match(rule.strip()):
        day = min(int(m.group(1)), calendar.monthrange(end.year, end.month)[1])
        return cal.next_workday(end.replace(day=day))
    raise RuleError(
        f"due rule {rule!r} not understood; write 'N working days after period end' "
        "or 'day D of the last month'"
    )


def open_date(rule: str, end: dt.date, cal: WorkCalendar) -> dt.date:
    """Apply an opening rule: "N working days before period end"."""
    if m := OPEN_BEFORE_END.match(rule.strip()):
        return cal.add_workdays(
            cal.next_workday(end) if not cal.is_workday(end) else end, -int(m.group(1))
        )
    raise RuleError(f"open rule {rule!r} not understood; write 'N working days before period end'")


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
    """2025Q3 → 2025年第三季度 (for messages)."""
    cn = "一二三四五六七八九十"
    if m := re.match(r"^(\d{4})Q(\d)$", label):
        return f"{m.group(1)}年第{cn[int(m.group(2)) - 1]}季度"
    if m := re.match(r"^(\d{4})M(\d{2})$", label):
        return f"{m.group(1)}年{int(m.group(2))}月"
    if m := re.match(r"^(\d{4})H(\d)$", label):
        return f"{m.group(1)}年{'上' if m.group(2) == '1' else '下'}半年"
    return f"{label}年度"
