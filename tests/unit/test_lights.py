"""A task's light, day by day around a 完成时限 across the 2025 National Day holiday and its
make-up days, and what turns it 黄 or 红 besides the date."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.lights import Light, light_changes, task_due, task_light, worst_target_status
from reporting.workdays import WorkCalendar
from tasks_catalog.schema import Reporting
from vocab.words import ProgressStatus, TargetStatus, TaskLight

D = dt.date
CAL = WorkCalendar()
# 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up working days (调休); 10-01 to 10-08
# are the holiday. The task is due on Tuesday 10-14; the plan ends on 2025-12-31.
DUE = D(2025, 10, 14)
PLAN_END = D(2025, 12, 31)
G, Y, R = TaskLight.GREEN, TaskLight.YELLOW, TaskLight.RED


def light(as_of: dt.date, **kwargs) -> Light:
    return task_light(DUE, PLAN_END, as_of, CAL, **kwargs)


# Every day from 09-20 to 10-20: the colour and the working days left (or past), counted by
# hand from the 2025 calendar. 黄 from ten working days before the 完成时限, 红 the day after.
DAYS = [
    (D(2025, 9, 20), G, "距完成时限还有 13 个工作日"),  # Saturday
    (D(2025, 9, 21), G, "距完成时限还有 13 个工作日"),  # Sunday
    (D(2025, 9, 22), G, "距完成时限还有 12 个工作日"),
    (D(2025, 9, 23), G, "距完成时限还有 11 个工作日"),
    (D(2025, 9, 24), Y, "距完成时限还有 10 个工作日"),
    (D(2025, 9, 25), Y, "距完成时限还有 9 个工作日"),
    (D(2025, 9, 26), Y, "距完成时限还有 8 个工作日"),
    (D(2025, 9, 27), Y, "距完成时限还有 8 个工作日"),  # Saturday off
    (D(2025, 9, 28), Y, "距完成时限还有 7 个工作日"),  # Sunday worked (调休)
    (D(2025, 9, 29), Y, "距完成时限还有 6 个工作日"),
    (D(2025, 9, 30), Y, "距完成时限还有 5 个工作日"),
    *[(D(2025, 10, d), Y, "距完成时限还有 5 个工作日") for d in range(1, 9)],  # the holiday
    (D(2025, 10, 9), Y, "距完成时限还有 4 个工作日"),
    (D(2025, 10, 10), Y, "距完成时限还有 3 个工作日"),
    (D(2025, 10, 11), Y, "距完成时限还有 2 个工作日"),  # Saturday worked (调休)
    (D(2025, 10, 12), Y, "距完成时限还有 2 个工作日"),  # Sunday off
    (D(2025, 10, 13), Y, "距完成时限还有 1 个工作日"),
    (D(2025, 10, 14), Y, "今天是完成时限"),
    (D(2025, 10, 15), R, "已超过完成时限 1 个工作日"),
    (D(2025, 10, 16), R, "已超过完成时限 2 个工作日"),
    (D(2025, 10, 17), R, "已超过完成时限 3 个工作日"),
    (D(2025, 10, 18), R, "已超过完成时限 3 个工作日"),  # weekend
    (D(2025, 10, 19), R, "已超过完成时限 3 个工作日"),
    (D(2025, 10, 20), R, "已超过完成时限 4 个工作日"),
]


def test_the_table_covers_every_day_from_0920_to_1020():
    assert [day for day, _, _ in DAYS] == [D(2025, 9, 20) + dt.timedelta(n) for n in range(31)]


@pytest.mark.parametrize(("as_of", "colour", "reason"), DAYS, ids=[str(d[0]) for d in DAYS])
def test_green_then_yellow_then_red_around_the_deadline_across_the_holiday(as_of, colour, reason):
    assert light(as_of, reported=ProgressStatus.ONGOING) == Light(colour, reason)


@pytest.mark.parametrize("as_of", [day for day, _, _ in DAYS])
def test_a_task_the_office_closed_stays_done_every_day(as_of):
    closed = light(as_of, reported=ProgressStatus.BLOCKED, closed=True, targets="seriously_behind")
    assert closed == Light(TaskLight.DONE, "已办结")
    assert closed.word == "办结"


def test_a_task_never_reported_gets_the_same_light_as_one_in_progress():
    assert light(D(2025, 9, 22)) == light(D(2025, 9, 22), reported="推进中")
    assert light(D(2025, 10, 15), reported="未启动").colour == R


def test_the_warning_window_is_the_plans_setting():
    assert Reporting().task_warn_workdays == 10
    assert light(D(2025, 10, 9), warn_workdays=3).colour == G  # 4 working days left
    assert light(D(2025, 10, 10), warn_workdays=3).colour == Y
    assert light(D(2025, 10, 14), warn_workdays=0) == Light(Y, "今天是完成时限")
    assert light(D(2025, 10, 13), warn_workdays=0).colour == G


def test_blocked_is_yellow_even_far_from_the_deadline():
    assert light(D(2025, 9, 1), reported=ProgressStatus.BLOCKED) == Light(Y, "自报受阻")


def test_blocked_near_the_deadline_names_both():
    blocked = light(D(2025, 10, 10), reported="受阻")
    assert blocked == Light(Y, "距完成时限还有 3 个工作日；自报受阻")
    assert str(blocked) == "黄（距完成时限还有 3 个工作日；自报受阻）"


def test_blocked_past_the_deadline_is_red_for_the_deadline():
    assert light(D(2025, 10, 16), reported="受阻") == Light(R, "已超过完成时限 2 个工作日")


def test_seriously_behind_its_targets_is_red_before_the_deadline():
    behind = light(D(2025, 9, 1), targets=TargetStatus.SERIOUSLY_BEHIND)
    assert behind == Light(R, "指标严重滞后于序时进度")


def test_behind_its_targets_is_yellow():
    assert light(D(2025, 9, 1), targets="behind") == Light(Y, "指标滞后于序时进度")


def test_late_and_seriously_behind_names_both():
    both = light(D(2025, 10, 20), targets="seriously_behind")
    assert both == Light(R, "已超过完成时限 4 个工作日；指标严重滞后于序时进度")


def test_targets_on_track_or_achieved_change_nothing():
    for status in ("on_track", "achieved", "no_data"):
        assert light(D(2025, 9, 1), targets=status).colour == G


def test_worst_target_status_ignores_targets_without_data():
    assert worst_target_status([]) is None
    assert worst_target_status(["no_data", "no_data"]) is None
    assert worst_target_status(["achieved", "on_track", "no_data"]) == TargetStatus.ON_TRACK
    assert worst_target_status(["on_track", "seriously_behind", "behind"]) == "seriously_behind"


def test_reported_done_awaits_the_office_and_is_not_late():
    assert light(D(2025, 10, 10), reported="已完成") == Light(G, "自报已完成，待办公室确认办结")
    assert light(D(2025, 10, 20), reported="已完成").colour == G
    # its targets still count
    assert light(D(2025, 10, 20), reported="已完成", targets="seriously_behind").colour == R


def test_a_task_without_a_deadline_runs_to_the_plans_end():
    assert task_due(None, PLAN_END) == PLAN_END
    assert task_due(DUE, PLAN_END) == DUE
    suffix = "（无单列时限，按规划期末 2025年12月31日 计）"
    far = task_light(None, PLAN_END, D(2025, 10, 20), CAL)
    assert far.colour == G and far.reason.endswith(suffix)
    near = task_light(None, PLAN_END, D(2025, 12, 29), CAL)
    assert near == Light(Y, "距完成时限还有 2 个工作日" + suffix)
    # 2026-01-01..03 are days off, Sunday 01-04 is worked (调休)
    late = task_light(None, PLAN_END, D(2026, 1, 4), CAL)
    assert late == Light(R, "已超过完成时限 1 个工作日" + suffix)


def test_a_deadline_on_a_day_off():
    """Due on Sunday 2025-10-12: the Saturday before is worked, the day after it is already
    red, and over a weekend with no working day yet past it the reason names the date."""
    sunday = D(2025, 10, 12)
    assert task_light(sunday, PLAN_END, D(2025, 10, 11), CAL) == Light(
        Y, "完成时限（2025年10月12日（星期日））前已无工作日"
    )
    assert task_light(sunday, PLAN_END, D(2025, 10, 13), CAL) == Light(
        R, "已超过完成时限 1 个工作日"
    )
    saturday = D(2025, 10, 18)
    assert task_light(saturday, PLAN_END, D(2025, 10, 19), CAL) == Light(
        R, "已超过完成时限（2025年10月18日）"
    )


def test_light_changes_names_the_tasks_that_turned_yellow_or_red():
    current = {
        1: light(D(2025, 9, 24)),  # 绿 → 黄
        2: light(D(2025, 10, 15)),  # 黄 → 红
        3: light(D(2025, 10, 10)),  # 黄 → 黄: already named
        4: light(D(2025, 9, 22)),  # 绿 → 绿
        5: light(D(2025, 10, 10)),  # 红 → 黄: got better
        6: light(D(2025, 10, 15)),  # not in the last digest
        7: light(D(2025, 9, 1), closed=True),  # 黄 → 办结
    }
    previous = {1: G, 2: "yellow", 3: Y, 4: G, 5: R, 7: Y}
    changes = light_changes(previous, current)
    assert [(c.key, c.before, c.after.colour) for c in changes] == [
        (1, G, Y),
        (2, Y, R),
        (6, None, R),
    ]
    assert changes[0].text == "由绿转黄：距完成时限还有 10 个工作日"
    assert changes[2].text == "红：已超过完成时限 1 个工作日"


def test_light_changes_with_nothing_before_names_every_yellow_and_red():
    current = {("u1", 1): light(D(2025, 9, 22)), ("u1", 2): light(D(2025, 10, 1))}
    assert [c.key for c in light_changes({}, current)] == [("u1", 2)]


def test_a_reopened_task_turning_red_is_named():
    assert [c.key for c in light_changes({9: "done"}, {9: light(D(2025, 10, 15))})] == [9]
