"""序时进度 for increment, cumulative and ≤ targets, status and forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as Dec

import pytest

from reporting.progress import (
    ACHIEVED,
    BEHIND,
    NO_DATA,
    ON_TRACK,
    SERIOUSLY_BEHIND,
    TargetSpec,
    assess,
    expected_value,
)

D = dt.date
PLAN = (D(2021, 1, 1), D(2025, 12, 31))


def spec(cmp=">=", value=50, kind="increment", baseline=None, per_year=False):
    return TargetSpec(
        cmp, Dec(value), kind, None if baseline is None else Dec(baseline), *PLAN, per_year
    )


def test_increment_target_expected_in_proportion_to_time():
    # 50 new national standards over 2021–2025: at the end of 2023, 3/5 of the way.
    assert expected_value(spec(), D(2023, 12, 31)).quantize(Dec("0.1")) == Dec("30.0")
    assert assess(spec(), [(D(2023, 12, 31), Dec(31))], D(2023, 12, 31)).status == ON_TRACK
    assert assess(spec(), [(D(2023, 12, 31), Dec(27))], D(2023, 12, 31)).status == BEHIND
    assert assess(spec(), [(D(2023, 12, 31), Dec(20))], D(2023, 12, 31)).status == SERIOUSLY_BEHIND
    assert assess(spec(), [(D(2023, 12, 31), Dec(52))], D(2023, 12, 31)).status == ACHIEVED


def test_cumulative_target_starts_from_its_baseline():
    # 培育“品字标”企业（累计）: 18 in 2020, 38 by 2025.
    s = spec(value=38, kind="cumulative", baseline=18)
    assert expected_value(s, D(2023, 6, 30)).quantize(Dec("0.1")) == Dec("28.0")
    assert assess(s, [(D(2023, 6, 30), Dec(27))], D(2023, 6, 30)).status == BEHIND


def test_at_most_target_is_expected_at_its_value():
    # 地方标准平均制定周期缩短至 15 个月以内
    s = spec(cmp="<=", value=15, kind="level")
    assert expected_value(s, D(2022, 1, 1)) == Dec(15)
    assert assess(s, [(D(2022, 3, 31), Dec(14))], D(2022, 3, 31)).status == ACHIEVED
    assert assess(s, [(D(2022, 3, 31), Dec(16))], D(2022, 3, 31)).status == BEHIND
    assert assess(s, [(D(2022, 3, 31), Dec(20))], D(2022, 3, 31)).status == SERIOUSLY_BEHIND


def test_no_data_and_a_linear_forecast():
    assert assess(spec(), [], D(2023, 12, 31)).status == NO_DATA
    points = [(D(2022, 12, 31), Dec(10)), (D(2023, 12, 31), Dec(20))]
    result = assess(spec(), points, D(2023, 12, 31))
    assert 39 < result.forecast < 41 and result.will_meet is False
    points.append((D(2024, 12, 31), Dec(45)))
    assert assess(spec(), points, D(2024, 12, 31)).will_meet is True


def test_per_year_target_is_measured_within_the_year():
    s = spec(value=10, per_year=True)
    assert expected_value(s, D(2024, 6, 30)).quantize(Dec("0.1")) == Dec("5.0")
    result = assess(s, [(D(2023, 12, 31), Dec(10)), (D(2024, 6, 30), Dec(6))], D(2024, 6, 30))
    assert result.actual == Dec(6) and result.status == ON_TRACK


def test_stored_figures_are_what_asdict_gives_as_json():
    import json
    from dataclasses import asdict

    from reporting.assess import PeriodAssessment, TargetRow, TaskRow, UnitRow

    r = PeriodAssessment(
        "s", "标题", "2025Q3", "2025-10-14", "2025-10-14",
        [UnitRow("u", "市科技局", "late", "2025-10-15 09:00", False)],
        [TargetRow(1, "T1", "指标", "市科技局", "≥ 50 项", 1.0, None, "behind", None, None, [("2025-03-31", 1.0)])],
        [TaskRow(1, "1", "任务", "市科技局", "牵头", "推进中", "进展", ["copied"])],
        0.5, 0.5,
    )  # fmt: skip
    assert json.dumps(r.figures(), sort_keys=True) == json.dumps(asdict(r), sort_keys=True)
    r.figures()["tasks"][0]["flags"].append("x")  # a copy, not the assessment's own lists
    assert r.tasks[0].flags == ["copied"]


def test_copy_similarity_agrees_with_difflib_on_progress_texts():
    import difflib

    from reporting.assess import similar

    pairs = [
        ("组织召开专题推进会，协调解决重点难点问题", "组织召开专题推进会，协调解决重点难点问题。"),
        ("2025Q2：围绕任务001开展工作，进展37%。", "2025Q3：围绕任务001开展工作，进展12%。"),
        ("完成了标准制定", "启动数字化改革试点"),
    ]
    for a, b in pairs:
        expected = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        assert similar(a, b) == pytest.approx(expected, abs=1e-9)
    assert similar("", "x") == 0.0 and similar("同", "同") == 1.0
