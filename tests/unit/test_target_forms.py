"""The target forms of the issue, on passages quoted from the corpus."""

from __future__ import annotations

from decimal import Decimal

from tests.corpus_helpers import draft


def targets(text: str) -> list[tuple[str, Decimal, str, str, str, int]]:
    return [(t.name, t.value, t.unit, t.cmp, t.kind, t.year) for t in draft(text).targets]


def test_stable_above_and_strive_to_exceed():
    # 09_xinxiang_zhizao_qiangshi_2023_targets.txt
    found = targets(
        "新乡市建设制造强市三年行动计划(2023—2025年)\n一、总体要求\n(二)发展目标。到2025年,初步建成"
        "先进制造业强市。\n产业能级更高。制造业增加值占全市生产总值的比重稳定在30%以上,规模以上工业"
        "企业力争突破2200家,形成一批中国制造业500强企业。\n"
    )
    assert found == [
        ("制造业增加值占全市生产总值的比重", 30, "%", ">=", "level", 2025),
        ("规模以上工业企业", 2200, "家", ">", "cumulative", 2025),
    ]


def test_respectively_gives_one_target_each_with_its_measure():
    # 24_chaozhou_lantian_2019.txt
    found = targets(
        "一、目标要求\n到2020年,全市空气质量优良天数比例(AQI达标率)达到94%,细颗粒物(PM2.5)年均浓度"
        "控制在29微克每立方米以下。到2020年,全市二氧化硫(SO2)、氮氧化物(NOX)和挥发性有机物(VOCs)"
        "等主要污染物排放总量比2015年分别下降15%、10%和26%。\n"
    )
    assert [(n, v, u, c) for n, v, u, c, _, _ in found] == [
        ("空气质量优良天数比例（AQI达标率）", 94, "%", ">="),
        ("细颗粒物（PM2.5）年均浓度", 29, "微克每立方米", "<="),
        ("二氧化硫（SO2）排放总量比2015年下降", 15, "%", "="),
        ("氮氧化物（NOX）排放总量比2015年下降", 10, "%", "="),
        ("挥发性有机物（VOCs）排放总量比2015年下降", 26, "%", "="),
    ]


def test_each_gives_one_target_per_item_and_measure_units_are_kept():
    # 17_yunnan_xiangcun_zhenxing_2022_targets.txt
    found = targets(
        "中共云南省委 云南省人民政府关于做好2022年全面推进乡村振兴重点工作的实施意见\n"
        "(一)稳定全年粮食播种面积和产量。确保2022年全省粮食播种面积稳定在6287万亩以上、产量稳定在"
        "1930万吨以上。挖掘粮食生产潜能,推广杂交稻旱种50万亩。建设稻谷、玉米、马铃薯示范基地各10万亩。\n"
    )
    assert [(v, u, c, k) for _, v, u, c, k, _ in found] == [
        (6287, "万亩", ">=", "level"),
        (1930, "万吨", ">=", "level"),
        (50, "万亩", "=", "increment"),
        (10, "万亩", "=", "increment"),
        (10, "万亩", "=", "increment"),
        (10, "万亩", "=", "increment"),
    ]
    assert {y for *_, y in found} == {2022}


def test_a_bare_growth_and_person_times_and_a_later_year_within_the_horizon():
    # 08_dongyang_canjiren_jiuye_2023_targets.txt and 18_chengdu_shequ_qianrushi_2024_targets.txt
    found = targets(
        "一、总体目标\n到2025年,全市新增残疾人就业800人以上,组织开展残疾人职业技能培训1300人次以上。\n"
        "到2027年底前,确保成华区50%的城市社区建成完备的社区嵌入式服务综合体。\n"
    )
    assert found == [
        ("新增残疾人就业", 800, "人", ">=", "increment", 2025),
        ("组织开展残疾人职业技能培训", 1300, "人次", ">=", "increment", 2025),
        ("城市社区建成完备的社区嵌入式服务综合体", 50, "%", "=", "level", 2027),
    ]


def test_norms_frequencies_thresholds_and_policy_rates_are_not_targets():
    # 14 (原则上每5年修订1次, 一般为6个月) and 07 (30人(含)以下, 下调费率50%)
    assert (
        targets(
            "一、完善制度\n（九）坚持知行合一。到2022年，原则上每5年修订1次职业院校专业目录，每年调整1次专业。"
            "顶岗实习时间一般为6个月。在职职工总数30人(含)以下的企业暂免征收残疾人保障金。\n"
        )
        == []
    )


def test_an_indicator_table_without_comparator_is_at_least_for_rising_and_at_most_for_falling():
    from tasks_catalog.indicator_table import in_table

    lines = [
        ("表 2-1 主要指标", 0),
        ("指标 单位 2020 年实绩 2025 年目标", 20),
        ("浙江省政府质量奖企业(累计) 家 1   2", 50),  # 003 表2-1
        ("工业项目审批周期(平均) 个月 6 3", 80),
    ]
    assert [(t.name, t.cmp) for t in in_table(lines)] == [
        ("浙江省政府质量奖企业", ">="),
        ("工业项目审批周期(平均)", "<="),
    ]
