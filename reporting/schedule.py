"""When things happen: the rules that decide, for a day or a moment, what the cycle does.

Pure: every function takes `as_of` (or `now`) and the calendar, and reads no clock and no
database. The tick, the dispatcher, the CLI and the Prefect flows all ask these, so a day
replayed by hand and a day run by the scheduler decide the same way.
"""

from __future__ import annotations

import datetime as dt

from reporting.workdays import WorkCalendar

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
IN_PLAY = dt.timedelta(days=30)  # a period is assessed until 30 days after its due date
RUN_AT = dt.time(9, 0)  # a replayed day runs at the time the daily tick is scheduled


def tick_day(cal: WorkCalendar, as_of: dt.date) -> bool:
    """Whether the daily tick does anything on `as_of`: only on working days (调休 included);
    the next working day catches up what a day off would have done."""
    return cal.is_workday(as_of)


def run_time(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The moment a run for `day` happens at: `now` when `day` is today in Shanghai, else
    09:00 of that day (a replay records what the scheduled run would have recorded)."""
    if day == now.astimezone(SHANGHAI).date():
        return now
    return dt.datetime.combine(day, RUN_AT, tzinfo=SHANGHAI)


def scheduled_day(scheduled: dt.datetime) -> dt.date:
    """The day a scheduled run is for: its scheduled time in Shanghai, whenever it starts."""
    return scheduled.astimezone(SHANGHAI).date()


def missed_days(
    last_ok: dt.date | None, ran: set[dt.date], as_of: dt.date, cal: WorkCalendar
) -> list[dt.date]:
    """Working days after the last successful tick and before `as_of` on which no tick ran."""
    if last_ok is None:
        return []
    days, day = [], last_ok + dt.timedelta(days=1)
    while day < as_of:
        if cal.is_workday(day) and day not in ran:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def office_day(due_on: dt.date, escalate_office_after: int | None, cal: WorkCalendar) -> dt.date:
    """The day the office hears of a period: with its escalation (the plan's ladder,
    `escalate_office_after` working days after the due date), or on the due date when the
    plan never escalates to the office."""
    if escalate_office_after is None:
        return due_on
    return cal.add_workdays(due_on, escalate_office_after)


def in_play(due_on: dt.date, as_of: dt.date) -> bool:
    """Whether a period is still assessed on `as_of` (until 30 days after its due date)."""
    return as_of <= due_on + IN_PLAY


def first_workday_of_week(as_of: dt.date, cal: WorkCalendar) -> bool:
    return cal.is_workday(as_of) and not any(
        cal.is_workday(as_of - dt.timedelta(days=d)) for d in range(1, as_of.weekday() + 1)
    )


def assessment_due(
    due_on: dt.date, as_of: dt.date, cal: WorkCalendar, escalate_office_after: int | None
) -> bool:
    """Assess a period on its due date, on the office's day, on the first working day of
    each week and on the day it leaves play; `duban report` assesses on demand."""
    leaves_play = due_on + IN_PLAY
    marked = (due_on, office_day(due_on, escalate_office_after, cal), leaves_play)
    return as_of in marked or first_workday_of_week(as_of, cal)


def report_to_office(
    due_on: dt.date, as_of: dt.date, cal: WorkCalendar, escalate_office_after: int | None
) -> bool:
    """Whether an assessment on `as_of` is mailed to the office (from its day on)."""
    return as_of >= office_day(due_on, escalate_office_after, cal)


def may_send(now: dt.datetime, hours: tuple[int, int] | None, cal: WorkCalendar) -> bool:
    """Messages to units go out on working days within the Shanghai `hours` (None: any time)."""
    if hours is None:
        return True
    local = now.astimezone(SHANGHAI)
    start, end = hours
    return cal.is_workday(local.date()) and start <= local.hour < end


def next_send_time(
    now: dt.datetime, hours: tuple[int, int] | None, cal: WorkCalendar
) -> dt.datetime:
    """The first moment from `now` on at which messages to units may go out."""
    if may_send(now, hours, cal):
        return now
    assert hours is not None
    local = now.astimezone(SHANGHAI)
    day = local.date()
    if cal.is_workday(day) and local.hour < hours[0]:
        return dt.datetime.combine(day, dt.time(hours[0]), tzinfo=SHANGHAI)
    day = cal.next_workday(day + dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(hours[0]), tzinfo=SHANGHAI)
