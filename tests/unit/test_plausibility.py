"""Implausible reported values are caught with a Chinese reason; impossible ones are refused,
unlikely ones may be confirmed with a 说明. And which figure each kind of target asks for."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal as Dec

import pytest

from reporting.plausibility import (
    Check,
    Previous,
    blocking,
    check_value,
    countable,
    full_share,
)
from reporting.progress import TargetSpec, assess
from reporting.value_asked import ValueBasis, basis_of, running_total, value_asked
from tasks_catalog.schema import Reporting

D = dt.date
Q3, Q2, LAST_Q4 = D(2025, 9, 30), D(2025, 6, 30), D(2024, 12, 31)


@dataclass(frozen=True)
class T:
    name: str
    measure: str
    kind: str = "level"
    per_year: bool = False


PASS_RATE = T("制造业产品质量合格率", "%")
GREEN_SHARE = T("城镇绿色建筑占新建民用建筑比例", "%")
FIRMS = T("新增国际先进标准对标达标企业", "家", "increment")
STANDARDS = T("新增主导或参与制修订国家标准", "项", "increment")
PER_YEAR = T("创建市级管理创新标杆企业", "家", "increment", per_year=True)
STOCK = T("国内有效商标注册数", "万件", "cumulative")
CYCLE = T("地方标准平均制定周期", "个月", "level")


def checks(target, value, previous=None, period_end=Q3, **kw):
    return [f.check for f in check_value(target, value, period_end, previous, **kw)]


def only(target, value, previous=None, period_end=Q3):
    [finding] = check_value(target, value, period_end, previous)
    return finding


def test_a_pass_rate_of_108_6_percent_asks_for_a_note():
    finding = only(PASS_RATE, Dec("108.6"))
    assert finding.check == Check.ABOVE_FULL_SHARE and finding.confirmable
    assert finding.message == (
        "「制造业产品质量合格率」是比率，填写的 108.6% 超过 100%；请核对，确属实请填写说明"
    )


def test_a_share_of_110_1_percent_asks_for_a_note():
    assert checks(GREEN_SHARE, 110.1) == [Check.ABOVE_FULL_SHARE]
    assert checks(GREEN_SHARE, 100) == []  # exactly all of it is fine
    assert checks(GREEN_SHARE, Dec("99.95")) == []


def test_a_share_is_known_by_its_name_too_but_not_a_growth_rate():
    assert full_share(T("农产品质量安全监测合格率", "百分比")) == 100
    assert full_share(T("规模以上工业新产品产值率", "")) == 100
    assert full_share(T("自主品牌产品出口比重", "%")) == 100
    assert full_share(T("新导入ISO10012测量管理体系的企业数同比增长", "%")) is None
    assert full_share(T("研发投入增长率", "%")) is None
    assert full_share(T("优良率提高", "个百分点")) is None
    assert full_share(T("婴儿死亡率", "‰")) == 1000
    assert checks(T("研发投入增长率", "%"), 150) == []


def test_8_2_firms_asks_for_a_note():
    finding = only(FIRMS, 8.2)
    assert finding.check == Check.FRACTION_OF_COUNT and finding.confirmable
    assert finding.message == (
        "「新增国际先进标准对标达标企业」以“家”计，应为整数，填写的是 8.2 家；"
        "请核对小数点，确属实请填写说明"
    )
    assert checks(FIRMS, Dec("8.0")) == []  # a whole number written with a point


def test_countable_measures_are_whole_things_only():
    for measure in ("项", "家", "个", "件", "人", "所", "座", "户", "套", "部", "人次"):
        assert countable(measure), measure
    for measure in ("万件", "亿元", "个月", "%", "吨", "公里"):
        assert not countable(measure), measure
    assert checks(STOCK, Dec("2.35")) == []  # 万件 may have decimals
    assert checks(CYCLE, Dec("14.5")) == []


def test_a_running_total_below_last_periods_asks_for_a_note():
    finding = only(STANDARDS, 28, Previous(Dec(31), Q2))
    assert finding.check == Check.BELOW_LAST and finding.confirmable
    assert "低于上期报送的 31" in finding.message and "不是本期新增量" in finding.message
    assert checks(STOCK, Dec("1.9"), Previous(Dec("2.1"), Q2)) == [Check.BELOW_LAST]
    assert checks(STANDARDS, 31, Previous(Dec(31), Q2)) == []  # no change is fine


def test_a_per_year_total_starts_again_in_january():
    assert checks(PER_YEAR, 2, Previous(Dec(9), LAST_Q4), period_end=D(2025, 3, 31)) == []
    assert checks(PER_YEAR, 2, Previous(Dec(9), Q2)) == [Check.BELOW_LAST]


def test_a_level_may_go_down():
    assert checks(PASS_RATE, Dec("95.1"), Previous(Dec("96.4"), Q2)) == []
    assert checks(CYCLE, 12, Previous(Dec(15), Q2)) == []


def test_a_tenfold_jump_asks_for_a_note():
    finding = only(STANDARDS, 50, Previous(Dec(5), Q2))
    assert finding.check == Check.JUMP and finding.confirmable
    assert finding.message == (
        "「新增主导或参与制修订国家标准」填写的 50 是上期报送的 5 的 10 倍，超过 3 倍；"
        "请核对，确属实请填写说明"
    )
    assert checks(STANDARDS, 15, Previous(Dec(5), Q2)) == []  # three times is the limit
    assert checks(STANDARDS, 50, Previous(Dec(5), Q2), jump_factor=20) == []
    assert checks(STANDARDS, 7, Previous(Dec(0), Q2)) == []  # from nothing, any start


def test_a_level_falling_to_a_tenth_is_a_jump_too():
    [finding] = check_value(PASS_RATE, Dec("9.6"), Q3, Previous(Dec(96), Q2))
    assert finding.check == Check.JUMP and "不到上期报送的 96 的 1/3" in finding.message


def test_the_jump_factor_is_the_plans_setting():
    assert Reporting().jump_factor == 3


def test_last_periods_value_counts_only_when_it_is_earlier():
    assert checks(STANDARDS, 28, Previous(Dec(31), Q3)) == []  # the same period: a resubmission


@pytest.mark.parametrize("nan", [Dec("NaN"), float("nan"), "NaN", math.inf, "-Infinity", "abc"])
def test_not_a_number_is_refused(nan):
    [finding] = check_value(FIRMS, nan, Q3)
    assert finding.check == Check.NOT_A_NUMBER and not finding.confirmable
    assert "不是有效数字" in finding.message


@pytest.mark.parametrize(
    "huge",
    [
        1e20,
        Dec("1e20"),
        12345678901234567890,
        "12345678901234567890",
        330902199001011234,  # an 18-digit 身份证号 typed into a number cell
        Dec("100000000000000"),  # 15 digits
    ],
)
def test_more_than_fourteen_digits_before_the_point_is_refused(huge):
    [finding] = check_value(PASS_RATE, huge, Q3)  # refused, not also "above 100 %"
    assert finding.check == Check.TOO_LARGE and not finding.confirmable
    assert "超过 14 位整数，无法保存" in finding.message
    assert "证件号码" in finding.message


def test_fourteen_digits_still_fit():
    assert checks(STOCK, Dec("99999999999999.9999")) == []


def test_a_negative_value_is_refused():
    [finding] = check_value(STANDARDS, -3, Q3)
    assert finding.check == Check.NEGATIVE and not finding.confirmable


def test_several_findings_at_once():
    assert checks(T("标准化覆盖率", "个"), Dec("120.5")) == [Check.FRACTION_OF_COUNT]
    assert checks(T("示范企业占比", "%"), 150, Previous(Dec(30), Q2)) == [
        Check.ABOVE_FULL_SHARE,
        Check.JUMP,
    ]


def test_a_note_lets_the_unlikely_through_but_never_the_impossible():
    unlikely = check_value(PASS_RATE, Dec("108.6"), Q3)
    assert blocking(unlikely) == unlikely  # Excel: no note, refused with the cell
    assert blocking(unlikely, "  ") == unlikely
    assert blocking(unlikely, "含复检合格批次，口径经市统计局确认") == []
    impossible = check_value(PASS_RATE, "NaN", Q3)
    assert blocking(impossible, "确认无误") == impossible


def test_plausible_values_pass():
    assert checks(PASS_RATE, Dec("96.4"), Previous(Dec("95.8"), Q2)) == []
    assert checks(STANDARDS, 33, Previous(Dec(31), Q2)) == []
    assert checks(FIRMS, 0) == []


# Which figure a target asks for, and why: 序时进度 reads the latest value as where it stands.


def test_each_kind_asks_for_a_running_total_or_the_level_never_the_periods_amount():
    assert basis_of("increment", False) == ValueBasis.PLAN_TOTAL
    assert basis_of("increment", True) == ValueBasis.YEAR_TOTAL
    assert basis_of("cumulative", False) == ValueBasis.STOCK
    assert basis_of("level", False) == ValueBasis.LEVEL
    assert [running_total(k, False) for k in ("increment", "cumulative", "level")] == [
        True,
        True,
        False,
    ]
    asked = value_asked("increment", False, 2021)
    assert asked.label == "规划期累计新增"
    assert asked.hint == "填写自2021年以来累计新增的总数（含以前各期），不是本期新增量"
    assert value_asked("increment", True, 2021).label == "本年累计新增"
    assert value_asked("cumulative", False, 2021).label == "累计总量"
    assert value_asked("level", False, 2021).label == "期末水平"


def test_progress_reads_an_increment_as_the_total_since_the_plan_began():
    """50 new standards over 2021–2025, 10 added in each year: the running total is on track at
    the end of 2023; the year's own amount would read as seriously behind."""
    spec = TargetSpec(">=", Dec(50), "increment", None, D(2021, 1, 1), D(2025, 12, 31))
    end_2023 = D(2023, 12, 31)
    totals = [(D(2021, 12, 31), Dec(10)), (D(2022, 12, 31), Dec(20)), (end_2023, Dec(30))]
    amounts = [(day, Dec(10)) for day, _ in totals]
    assert assess(spec, totals, end_2023).status == "on_track"
    assert assess(spec, amounts, end_2023).status == "seriously_behind"
