"""The reminder ladder, day by day, for a unit that submits late."""

from __future__ import annotations

import datetime as dt

from reporting.ladder import due_steps, folded, schedule
from reporting.workdays import WorkCalendar
from tasks_catalog.schema import Ladder

D = dt.date
CAL = WorkCalendar()
# 2025Q3: opens 2025-09-24, due 2025-10-14 (National Day holiday 10-1..10-8, Saturday 10-11 worked).
STEPS = schedule(D(2025, 9, 24), D(2025, 10, 14), Ladder(), CAL)


def test_the_default_ladder():
    assert [(s.stage, s.day) for s in STEPS] == [
        ("request", D(2025, 9, 24)),
        ("before-3", D(2025, 10, 10)),  # counted back over the worked Saturday 10-11
        ("before-1", D(2025, 10, 13)),
        ("due", D(2025, 10, 14)),
        ("overdue-2", D(2025, 10, 16)),
        ("leader", D(2025, 10, 17)),
        ("overdue-4", D(2025, 10, 20)),
        ("office", D(2025, 10, 21)),
        ("overdue-6", D(2025, 10, 22)),
        ("overdue-8", D(2025, 10, 24)),
        ("overdue-10", D(2025, 10, 28)),
    ]


def test_day_by_day_for_a_unit_that_submits_late():
    """Run every day from opening to the late submission on 10-18; record what is sent."""
    done: set[str] = set()
    sent: dict[dt.date, list[str]] = {}
    day = D(2025, 9, 22)
    while day < D(2025, 10, 21):  # the unit submits on the morning of 10-21, before the tick
        if CAL.is_workday(day):
            steps = due_steps(STEPS, done, day)
            done |= {s.stage for s in steps} | {s.stage for s in folded(STEPS, done, day)}
            if steps:
                sent[day] = [s.stage for s in steps]
        day += dt.timedelta(days=1)
    assert sent == {
        D(2025, 9, 24): ["request"],
        D(2025, 10, 10): ["before-3"],
        D(2025, 10, 13): ["before-1"],
        D(2025, 10, 14): ["due"],
        D(2025, 10, 16): ["overdue-2"],
        D(2025, 10, 17): ["leader"],
        D(2025, 10, 20): ["overdue-4"],
    }
    # Nothing on holidays or weekends: 10-1..10-8 and Sunday 10-12 sent nothing; once the unit
    # has submitted, the office escalation of 10-21 is not due (the cycle stops at submission).
    assert not any(D(2025, 10, 1) <= d <= D(2025, 10, 8) for d in sent)


def test_a_missed_tick_is_caught_up_with_one_current_notice():
    done = {"request", "before-3"}
    # No tick ran from 10-11 to 10-16; on 10-17 the unit gets one notice, the leader is told.
    steps = due_steps(STEPS, done, D(2025, 10, 17))
    assert [s.stage for s in steps] == ["overdue-2", "leader"]
    assert [s.stage for s in folded(STEPS, done, D(2025, 10, 17))] == ["before-1", "due"]


def test_a_request_issued_late_is_sent_without_stale_reminders():
    steps = due_steps(STEPS, set(), D(2025, 10, 13))
    assert [s.stage for s in steps] == ["request"]
