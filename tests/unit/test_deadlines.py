"""Deadlines as written and the day each one ends, against the document's year."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks_catalog.deadlines import due_date, in_text
from tests.corpus_helpers import draft, task


@pytest.mark.parametrize(
    ("written", "year", "due"),
    [
        ("2024年底前", 2020, dt.date(2024, 12, 31)),
        ("6月底前", 2020, dt.date(2020, 6, 30)),
        ("6月底完成", 2023, dt.date(2023, 6, 30)),
        ("2019年6月底前", None, dt.date(2019, 6, 30)),
        ("2018年12月31日前", None, dt.date(2018, 12, 31)),
        ("到2020年", None, dt.date(2020, 12, 31)),
        ("2019年上半年", None, dt.date(2019, 6, 30)),
        ("三季度", 2024, dt.date(2024, 9, 30)),
        ("2月底前", 2024, dt.date(2024, 2, 29)),
        ("每年年底前", 2025, dt.date(2025, 12, 31)),
        ("长期坚持", 2025, None),
        ("持续推进", 2025, None),
        ("12月底前", None, None),  # a document that never says its year
    ],
)
def test_a_deadline_resolves_to_the_last_day_of_its_period(written, year, due):
    assert due_date(written, year) == due


def test_a_task_with_several_milestones_is_due_at_the_last():
    # 29_meili_wenming_chengshi_xingdong_targets_deadlines.txt
    text = "5 月底前开工老旧小区改造项目 50个。继续推进既有住宅增设电梯,12 月底前开工建设 200部。"
    assert in_text(text, 2021) == "12月底前"


def test_an_action_verb_or_a_policy_period_is_not_a_deadline():
    assert in_text("持续推进“一网通办”“一日办结”。", 2022) is None  # 01
    assert (
        in_text("实施阶段性降低用人单位基本医疗保险缴费费率政策,实施期限至2021年12月31日。", 2021)
        is None
    )  # 07


def test_a_task_horizon_in_its_text_is_its_deadline():
    # 13_guowuyuan_wufei_chengshi_2018.txt
    plan = draft(
        "国办发〔2018〕128号\n二、主要任务\n（二）实施工业绿色生产。全面实施绿色开采。到2020年，试点城市的"
        "大中型矿山达到绿色矿山建设要求和标准。（自然资源部、工业和信息化部指导）\n"
    )
    found = task(plan, "二(二)")
    assert (found.deadline, found.due_date) == ("到2020年", dt.date(2020, 12, 31))
