"""The rules of when, day by day around the 2025 National Day holiday and its make-up days."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting import schedule
from reporting.workdays import WorkCalendar

D = dt.date
SH = schedule.SHANGHAI
CAL = WorkCalendar()
# 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up working days (调休); 10-01 to 10-08
# are the holiday. 2025Q3 is due on 10-14 (five working days after 09-30).
DUE = D(2025, 10, 14)


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, made a working day
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, made a working day
        (D(2025, 10, 12), False),
    ],
)
def test_the_tick_works_on_working_days_only_make_up_days_included(day, works):
    assert schedule.tick_day(CAL, day) is works


def test_the_office_hears_on_the_plans_escalation_day_not_a_fixed_one():
    assert schedule.office_day(DUE, 5, CAL) == D(2025, 10, 21)
    assert schedule.office_day(DUE, 2, CAL) == D(2025, 10, 16)
    assert schedule.office_day(DUE, None, CAL) == DUE  # never escalates: on the due date


def test_assessment_days_over_three_weeks():
    """Assessed on the due date, the office's day, the first working day of each week, and
    when the period leaves play; no other day."""
    assessed = [
        day
        for day in (DUE + dt.timedelta(days=n) for n in range(-8, 40))
        if schedule.assessment_due(DUE, day, CAL, 3)
    ]
    assert assessed == [
        D(2025, 10, 9),  # first working day of that week (after the holiday)
        D(2025, 10, 13),  # Monday
        DUE,
        D(2025, 10, 17),  # the office's day: three working days after the due date
        D(2025, 10, 20),
        D(2025, 10, 27),
        D(2025, 11, 3),
        D(2025, 11, 10),
        D(2025, 11, 13),  # leaves play: 30 days after the due date
        D(2025, 11, 17),
    ]
    assert not schedule.report_to_office(DUE, D(2025, 10, 16), CAL, 3)
    assert schedule.report_to_office(DUE, D(2025, 10, 17), CAL, 3)


def test_in_play_until_thirty_days_after_the_due_date():
    assert schedule.in_play(DUE, DUE + dt.timedelta(days=30))
    assert not schedule.in_play(DUE, DUE + dt.timedelta(days=31))


def test_missed_days_are_the_working_days_without_a_run_since_the_last_good_one():
    ran = {D(2025, 10, 10)}
    missed = schedule.missed_days(D(2025, 9, 26), ran, D(2025, 10, 13), CAL)
    assert missed == [
        D(2025, 9, 28),
        D(2025, 9, 29),
        D(2025, 9, 30),
        D(2025, 10, 9),
        D(2025, 10, 11),
    ]
    assert schedule.missed_days(None, set(), D(2025, 10, 13), CAL) == []


def test_a_replayed_day_runs_at_nine_and_today_runs_now():
    now = dt.datetime(2025, 10, 9, 15, 30, tzinfo=SH)
    assert schedule.run_time(D(2025, 10, 9), now) == now
    assert schedule.run_time(D(2025, 9, 28), now) == dt.datetime(2025, 9, 28, 9, 0, tzinfo=SH)
    # A run scheduled for 09:00 that starts after midnight UTC still does its Shanghai day.
    late = dt.datetime(2025, 10, 9, 1, 0, tzinfo=dt.UTC)
    assert schedule.scheduled_day(late) == D(2025, 10, 9)
    assert schedule.scheduled_day(dt.datetime(2025, 10, 8, 17, 0, tzinfo=dt.UTC)) == D(2025, 10, 9)


@pytest.mark.parametrize(
    ("now", "may", "next_time"),
    [
        (
            dt.datetime(2025, 10, 9, 7, 59, tzinfo=SH),
            False,
            dt.datetime(2025, 10, 9, 8, 0, tzinfo=SH),
        ),
        (dt.datetime(2025, 10, 9, 8, 0, tzinfo=SH), True, None),
        (dt.datetime(2025, 10, 9, 19, 59, tzinfo=SH), True, None),
        (
            dt.datetime(2025, 10, 9, 20, 0, tzinfo=SH),
            False,
            dt.datetime(2025, 10, 10, 8, 0, tzinfo=SH),
        ),
        # Friday evening: the make-up Saturday is the next working day
        (
            dt.datetime(2025, 10, 10, 21, 0, tzinfo=SH),
            False,
            dt.datetime(2025, 10, 11, 8, 0, tzinfo=SH),
        ),
        # Saturday evening: Sunday is off, so Monday
        (
            dt.datetime(2025, 10, 11, 21, 0, tzinfo=SH),
            False,
            dt.datetime(2025, 10, 13, 8, 0, tzinfo=SH),
        ),
        # during the holiday
        (
            dt.datetime(2025, 10, 3, 10, 0, tzinfo=SH),
            False,
            dt.datetime(2025, 10, 9, 8, 0, tzinfo=SH),
        ),
        # the same moment given in UTC
        (dt.datetime(2025, 10, 9, 1, 0, tzinfo=dt.UTC), True, None),
    ],
)
def test_send_hours_on_working_days_and_when_held_messages_go(now, may, next_time):
    assert schedule.may_send(now, (8, 20), CAL) is may
    assert schedule.next_send_time(now, (8, 20), CAL) == (next_time or now)
    assert schedule.may_send(now, None, CAL)
