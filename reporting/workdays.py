"""Chinese working days, with 调休 (make-up working weekends) from `chinesecalendar`.

`chinesecalendar` covers a fixed range of years and raises for the others. For those years Duban
counts Monday to Friday, plus the office's own overrides, and remembers that it did so, so the
report can say its dates are provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import yaml


@dataclass
class WorkCalendar:
    """Decides whether a day is a working day.

    `overrides` maps a date to True (working day) or False (day off); it wins over both the
    package and the fallback, so the office can enter next year's holidays before the package
    knows them.
    """

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    fallback_years: set[int] = field(default_factory=set)
    # chinesecalendar validates its argument on every call (~17 µs); a tick asks about the same
    # few hundred days hundreds of thousands of times (measured), so answers are remembered.
    _memo: dict[dt.date, bool] = field(default_factory=dict, repr=False, compare=False)
    # counts asked again and again (every task's days to the plan's end, on one as_of)
    _between: dict[tuple[dt.date, dt.date], int] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """Read overrides from YAML: `workdays: [2027-02-06]`, `holidays: [2027-02-08, …]`."""
        if path is None or not path.exists():
            return cls()
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected 'workdays:' and 'holidays:' lists of dates")
        overrides: dict[dt.date, bool] = {}
        for key, value in (("workdays", True), ("holidays", False)):
            for item in raw.get(key) or []:
                if not isinstance(item, dt.date):
                    raise ValueError(f"{path}: {key}: {item!r} is not a date (write YYYY-MM-DD)")
                overrides[item] = value
        return cls(overrides)

    def is_workday(self, day: dt.date) -> bool:
        known = self._memo.get(day)
        if known is None:
            known = self._memo[day] = self._decide(day)
        return known

    def _decide(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.fallback_years.add(day.year)
            return day.weekday() < 5

    def covered(self, year: int) -> bool:
        """Whether `chinesecalendar` knows the holidays of `year`."""
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def next_workday(self, day: dt.date) -> dt.date:
        """Return `day` if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """Return the working day `n` working days after (n < 0: before) `day`."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Count working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        known = self._between.get((start, end))
        if known is None:
            count, day = 0, start
            while day < end:
                day += dt.timedelta(days=1)
                count += self.is_workday(day)
            known = self._between[(start, end)] = count
        return known
