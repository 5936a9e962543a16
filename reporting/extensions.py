"""Extensions (延期): whether a new deadline may be set, and how long a re-issued link lasts.

One check for a unit's 延期申请 and for an extension the office makes, for a report's 截止日期
and for a task's 完成时限: the new date must be a working day after `as_of`, and (when the
current deadline is given) after that one. A refusal says why and names the working day to
pick instead. Pure: `as_of` in, no clock.
"""

from __future__ import annotations

import datetime as dt

from reporting.workdays import WorkCalendar
from vocab import zh


class ExtensionRefused(ValueError):
    """A new deadline that cannot be set; the message (Chinese) says why and what to pick."""

    def __init__(self, message: str, suggestion: dt.date):
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion  # the nearest working day that would be accepted


def earliest_new_due(
    as_of: dt.date, cal: WorkCalendar, current_due: dt.date | None = None
) -> dt.date:
    """The first date `check_new_due` accepts: the first working day after `as_of` (and after
    `current_due`, when given)."""
    after = as_of if current_due is None else max(as_of, current_due)
    return cal.next_workday(after + dt.timedelta(days=1))


def check_new_due(
    new_due: dt.date, as_of: dt.date, cal: WorkCalendar, current_due: dt.date | None = None
) -> None:
    """Return None when `new_due` may be the new deadline; raise ExtensionRefused when it is
    today or earlier, not after `current_due` (an extension extends), or not a working day."""
    earliest = earliest_new_due(as_of, cal, current_due)
    if new_due < as_of:
        raise ExtensionRefused(
            f"{new_due} 已经过去，新的截止日期须晚于今天（{zh.date(as_of)}），"
            f"最近可选的工作日是 {zh.date(earliest)}",
            earliest,
        )
    if new_due == as_of:
        raise ExtensionRefused(
            f"{new_due} 是今天，新的截止日期须晚于今天，最近可选的工作日是 {zh.date(earliest)}",
            earliest,
        )
    if current_due is not None and new_due <= current_due:
        raise ExtensionRefused(
            f"{new_due} 不晚于原截止日期（{zh.date(current_due)}），延期后的日期须晚于原截止日期，"
            f"最近可选的工作日是 {zh.date(earliest)}",
            earliest,
        )
    if not cal.is_workday(new_due):
        nearest = cal.next_workday(new_due)
        raise ExtensionRefused(
            f"{new_due} 不是工作日，最近的工作日是 {zh.date(nearest)}",
            nearest,
        )


def link_valid_until(due_on: dt.date, grace_days: int) -> dt.date:
    """The last day a unit's link to a request opens: its due date plus the office's grace in
    calendar days (`Settings.portal_grace_days`, as `notifications.links.Links.token` signs)."""
    return due_on + dt.timedelta(days=grace_days)


def link_open(signed_until: dt.date, due_on: dt.date, grace_days: int, as_of: dt.date) -> bool:
    """Whether a link signed to last until `signed_until` still opens on `as_of` for a request
    now due on `due_on`: an extension reaches links sent before it, since expiry is signed into
    the token and the old one would otherwise stay expired."""
    return as_of <= max(signed_until, link_valid_until(due_on, grace_days))
