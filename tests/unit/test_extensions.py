"""A new deadline must be a working day after today (and after the old one); a refusal names
the working day to pick. A re-issued link lasts to the new date plus the grace."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.extensions import (
    ExtensionRefused,
    check_new_due,
    earliest_new_due,
    link_open,
    link_valid_until,
)
from reporting.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()
TODAY = D(2025, 10, 10)  # Friday; Saturday 10-11 is a make-up working day (调休)


def refusal(new_due, as_of=TODAY, current_due=None) -> ExtensionRefused:
    with pytest.raises(ExtensionRefused) as caught:
        check_new_due(new_due, as_of, CAL, current_due)
    return caught.value


def test_a_saturday_that_is_not_a_make_up_day_is_refused_naming_the_monday():
    refused = refusal(D(2026, 12, 12), as_of=D(2026, 12, 1))
    assert str(refused) == "2026-12-12 不是工作日，最近的工作日是 2026年12月14日"
    assert refused.suggestion == D(2026, 12, 14)


def test_a_make_up_saturday_is_accepted():
    assert check_new_due(D(2025, 10, 11), TODAY, CAL) is None
    assert check_new_due(D(2026, 2, 14), D(2026, 2, 1), CAL) is None  # 2026 Spring Festival 调休


def test_a_holiday_is_refused_naming_the_first_day_back():
    refused = refusal(D(2025, 10, 3), as_of=D(2025, 9, 20))
    assert str(refused) == "2025-10-03 不是工作日，最近的工作日是 2025年10月9日"


def test_a_date_in_the_past_is_refused():
    refused = refusal(D(2025, 10, 9))
    assert str(refused) == (
        "2025-10-09 已经过去，新的截止日期须晚于今天（2025年10月10日），"
        "最近可选的工作日是 2025年10月11日"
    )
    assert refused.suggestion == D(2025, 10, 11)


def test_today_is_refused():
    refused = refusal(TODAY)
    assert (
        str(refused)
        == "2025-10-10 是今天，新的截止日期须晚于今天，最近可选的工作日是 2025年10月11日"
    )


def test_an_extension_must_extend():
    refused = refusal(D(2025, 10, 13), current_due=D(2025, 10, 14))
    assert str(refused) == (
        "2025-10-13 不晚于原截止日期（2025年10月14日），延期后的日期须晚于原截止日期，"
        "最近可选的工作日是 2025年10月15日"
    )
    assert refusal(D(2025, 10, 14), current_due=D(2025, 10, 14)).suggestion == D(2025, 10, 15)
    assert check_new_due(D(2025, 10, 21), TODAY, CAL, current_due=D(2025, 10, 14)) is None


def test_the_earliest_date_skips_the_holiday():
    assert earliest_new_due(D(2025, 9, 30), CAL) == D(2025, 10, 9)
    assert earliest_new_due(D(2025, 9, 26), CAL) == D(2025, 9, 28)  # the make-up Sunday


def test_a_past_date_is_refused_before_looking_at_the_weekday():
    assert "已经过去" in str(refusal(D(2025, 10, 5)))  # a holiday, and in the past


def test_the_new_link_lasts_to_the_new_date_plus_the_grace():
    assert link_valid_until(D(2025, 10, 21), 30) == D(2025, 11, 20)
    assert link_valid_until(D(2025, 10, 21), 0) == D(2025, 10, 21)


def test_an_old_link_opens_again_after_the_deadline_moves():
    signed = link_valid_until(D(2025, 10, 14), 3)  # 10-17
    after = D(2025, 10, 20)
    assert not link_open(signed, D(2025, 10, 14), 3, after)
    assert link_open(signed, D(2025, 10, 28), 3, after)  # extended to 10-28
    assert not link_open(signed, D(2025, 10, 28), 3, D(2025, 11, 1))
    assert link_open(signed, D(2025, 10, 14), 3, D(2025, 10, 17))  # its own last day
