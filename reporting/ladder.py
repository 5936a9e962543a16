"""The reminder ladder: which message about a request is due on which working day.

Pure: it takes the request's dates, the ladder, the calendar and the day, and returns decisions.
Something else (the cycle service) turns them into outbox rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reporting.workdays import WorkCalendar
from tasks_catalog.schema import Ladder
from vocab.words import RequestStatus

# Who hears: the unit's liaison officers, the unit's leader, or the leading-group office.
LIAISON, LEADER, OFFICE = "liaison", "leader", "office"
OPEN_STATUSES = (RequestStatus.PENDING,)


@dataclass(frozen=True)
class Step:
    stage: str  # request, before-3, before-1, due, overdue-2, …, leader, office
    kind: str  # request | reminder | final | overdue | escalation
    audience: str  # liaison | leader | office
    day: dt.date


def schedule(opens_on: dt.date, due_on: dt.date, ladder: Ladder, cal: WorkCalendar) -> list[Step]:
    """Return every step of a request's ladder, in date order."""
    steps = [Step("request", "request", LIAISON, cal.next_workday(opens_on))]
    for n in sorted(ladder.before_due, reverse=True):
        day = cal.add_workdays(due_on, -n)
        if day > steps[0].day:
            steps.append(Step(f"before-{n}", "reminder", LIAISON, day))
    if ladder.on_due_day and cal.is_workday(due_on) and due_on > steps[0].day:
        steps.append(Step("due", "final", LIAISON, due_on))
    for i in range(1, ladder.overdue_max + 1):
        n = i * ladder.overdue_every
        steps.append(Step(f"overdue-{n}", "overdue", LIAISON, cal.add_workdays(due_on, n)))
    if ladder.escalate_leader_after is not None:
        steps.append(
            Step(
                "leader",
                "escalation",
                LEADER,
                cal.add_workdays(due_on, ladder.escalate_leader_after),
            )
        )
    if ladder.escalate_office_after is not None:
        steps.append(
            Step(
                "office",
                "escalation",
                OFFICE,
                cal.add_workdays(due_on, ladder.escalate_office_after),
            )
        )
    return sorted(steps, key=lambda s: (s.day, s.audience))


def due_steps(steps: list[Step], done: set[str], as_of: dt.date) -> list[Step]:
    """Return the steps to act on at `as_of`, given the stages already handled (`done`).

    Every step dated up to `as_of` and not yet handled is due, so a working day whose tick did
    not run is caught up by the next one. Of several liaison steps due at once only one is
    sent — the request if it never went out, else the latest reminder: a unit needs one current
    notice, not three stale ones. Escalations are never dropped.
    """
    window = [s for s in steps if s.stage not in done and s.day <= as_of]
    liaison = [s for s in window if s.audience == LIAISON]
    others = [s for s in window if s.audience != LIAISON]
    if any(s.stage == "request" for s in liaison):
        liaison = [s for s in liaison if s.stage == "request"]
    elif liaison:
        liaison = [liaison[-1]]
    return liaison + others


def folded(steps: list[Step], done: set[str], as_of: dt.date) -> list[Step]:
    """The liaison steps that `due_steps` folded into another (recorded as handled, not sent)."""
    chosen = {s.stage for s in due_steps(steps, done, as_of)}
    return [
        s
        for s in steps
        if s.stage not in done
        and s.day <= as_of
        and s.audience == LIAISON
        and s.stage not in chosen
    ]
