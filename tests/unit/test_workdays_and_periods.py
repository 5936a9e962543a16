from __future__ import annotations

import datetime as dt

import pytest

from reporting.periods import RuleError, due_date, periods_for, quarter_name
from reporting.workdays import WorkCalendar

D = dt.date


def test_make_up_weekends_are_working_days_and_holidays_are_not():
    cal = WorkCalendar()
    assert cal.is_workday(D(2024, 2, 4))  # Sunday worked before Spring Festival 2024
    assert cal.is_workday(D(2024, 10, 12))  # Saturday worked after National Day 2024
    assert not cal.is_workday(D(2024, 10, 3))
    assert not cal.is_workday(D(2025, 1, 31))  # Spring Festival 2025


def test_due_dates_around_spring_festival_2025():
    cal = WorkCalendar()
    # January 2025 ends inside the holiday (1-28..2-4); 2-8 is a make-up Saturday.
    assert due_date("5 working days after period end", D(2025, 1, 31), cal) == D(2025, 2, 10)
    # The 25th is a Saturday; the next working day is Sunday the 26th, a make-up day.
    assert due_date("day 25 of the last month", D(2025, 1, 31), cal) == D(2025, 1, 26)


def test_due_date_after_national_day_2024_lands_on_the_make_up_saturday():
    assert due_date("5 working days after period end", D(2024, 9, 30), WorkCalendar()) == D(
        2024, 10, 12
    )


def test_a_year_without_calendar_data_falls_back_to_weekdays_and_says_so():
    cal = WorkCalendar()
    assert not cal.covered(2027)
    assert due_date("5 working days after period end", D(2027, 3, 31), cal) == D(2027, 4, 7)
    assert cal.fallback_years == {2027}


def test_office_overrides_win(tmp_path):
    path = tmp_path / "calendar.yaml"
    path.write_text("holidays: [2027-04-05]\nworkdays: [2027-04-10]\n")
    cal = WorkCalendar.from_file(path)
    assert due_date("5 working days after period end", D(2027, 3, 31), cal) == D(2027, 4, 8)
    assert cal.is_workday(D(2027, 4, 10))
    bad = tmp_path / "bad.yaml"
    bad.write_text("holidays: [next monday]\n")
    with pytest.raises(ValueError, match=r"bad\.yaml: holidays"):
        WorkCalendar.from_file(bad)


def test_quarterly_periods_of_a_plan():
    periods = periods_for(
        2025,
        2025,
        "quarterly",
        "5 working days after period end",
        "5 working days before period end",
        WorkCalendar(),
    )
    assert [p.label for p in periods] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    q3 = periods[2]
    assert (q3.start, q3.end) == (D(2025, 7, 1), D(2025, 9, 30))
    assert q3.due_on == D(2025, 10, 14)  # 10-1..10-8 holiday, 10-11 (Sat) worked
    assert q3.opens_on == D(2025, 9, 24)  # counting back over the worked Sunday 9-28
    assert quarter_name("2025Q3") == "2025年第三季度"


def test_monthly_and_half_yearly_labels_and_bad_rules():
    cal = WorkCalendar()
    assert (
        periods_for(
            2025,
            2025,
            "monthly",
            "day 25 of the last month",
            "1 working day before period end",
            cal,
        )[6].label
        == "2025M07"
    )
    assert [
        p.label
        for p in periods_for(
            2025,
            2025,
            "half-yearly",
            "5 working days after period end",
            "5 working days before period end",
            cal,
        )
    ] == ["2025H1", "2025H2"]
    with pytest.raises(RuleError, match="due rule"):
        due_date("soon", D(2025, 3, 31), cal)
