from __future__ import annotations

from decimal import Decimal

from tasks_catalog.targets import in_sentence, in_table
from tasks_catalog.text import paragraphs, source_lines


def found(text: str, year: int = 2025):
    return [
        (t.name, t.cmp, t.value, t.value_max, t.measure, t.kind, t.per_year, t.year)
        for t in in_sentence(paragraphs(text)[0].piece, year)
    ]


def test_a_list_of_targets_inherits_its_verb():
    assert found("“十四五”期间，新增主导或参与制修订国际标准 2 项以上、国家标准 50 项以上。") == [
        ("新增主导或参与制修订国际标准", ">=", 2, None, "项", "increment", False, 2025),
        ("新增主导或参与制修订国家标准", ">=", 50, None, "项", "increment", False, 2025),
    ]


def test_comparators_before_and_after_the_number():
    got = found(
        "到2025年，舟山市地方标准平均制定周期缩短至 15 个月以内，比率达到60%以上，出口超过5家，规模10个左右。"
    )
    assert [(n, c, v, m) for n, c, v, _, m, *_ in got] == [
        ("舟山市地方标准平均制定周期", "<=", 15, "个月"),
        ("比率", ">=", 60, "%"),
        ("出口", ">", 5, "家"),
        ("规模", "≈", 10, "个"),
    ]
    assert got[0][5] == "level"


def test_cumulative_targets_and_their_year():
    got = found("到2027年，培育团体标准累计达到6项；公开企业标准不少于280项。")
    assert got == [
        ("培育团体标准", ">=", 6, None, "项", "cumulative", False, 2027),
        ("公开企业标准", ">=", 280, None, "项", "increment", False, 2027),
    ]


def test_chinese_numerals_ranges_and_per_year_targets():
    got = found(
        "每年创建市级管理创新标杆企业十家以上，至2025年，力争培育 1 至 2 个行业品牌，新增两个以上试点。"
    )
    assert got[0] == ("创建市级管理创新标杆企业", ">=", 10, None, "家", "increment", True, 2025)
    assert got[1][:5] == ("培育行业品牌", ">=", 1, 2, "个")
    assert got[1][6] is False
    assert got[2][:4] == ("新增试点", ">=", 2, None)


def test_a_first_award_is_a_target_of_one():
    assert found("“十四五”期间，争取省级以上标准创新贡献奖实现零的突破。")[0][:3] == (
        "省级以上标准创新贡献奖",
        ">=",
        1,
    )


def test_subsidies_years_and_ordinals_are_not_targets():
    assert (
        found("对牵头制定国际标准的单位给予100万元补助，排名第二位至第四位的给予最高15万元。") == []
    )
    assert found("规划期限为2021年至2025年，三项制度全面推行。") == []


def test_a_flattened_indicator_table():
    table = (
        "表 2-1        质量强市建设“十四五”规划主要指标 \n\n类别 指标 单位 \n2020 年\n\n实绩 \n\n2025 年\n\n目标 \n\n"
        "质量\n\n建设 \n\n浙江省政府质量奖企业(累计) 家 1   2 \n\n制造业产品质量合格率 % 95 \n 96 以\n\n上  \n\n"
        "累计创鲁班奖、国家优质工程奖、詹天佑奖\n\n等国家级奖(累计) \n\n项 6 8 \n\n"
        "标准\n\n建设 \n\n制定‚浙江制造‛标准（新增） 项 27 20 以上 \n\n国内有效商标注册数（累计） 万件 1．23 2 \n"
    )
    rows = [
        (t.name, t.cmp, t.value, t.measure, t.kind, t.baseline, t.baseline_year, t.year)
        for t in in_table(source_lines(table))
    ]
    assert rows == [
        # no comparator in an indicator table: at least, for a quantity that should rise
        ("浙江省政府质量奖企业", ">=", 2, "家", "cumulative", 1, 2020, 2025),
        ("制造业产品质量合格率", ">=", 96, "%", "level", 95, 2020, 2025),
        (
            "累计创鲁班奖、国家优质工程奖、詹天佑奖等国家级奖",
            ">=",
            8,
            "项",
            "cumulative",
            6,
            2020,
            2025,
        ),
        ("制定“浙江制造”标准", ">=", 20, "项", "increment", 27, 2020, 2025),
        ("国内有效商标注册数", ">=", 2, "万件", "cumulative", Decimal("1.23"), 2020, 2025),
    ]
