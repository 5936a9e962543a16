"""Synthetic period assessments for the report tests: a province-sized period (40 units,
200 task rows, 10 targets) with late, missing and waived units, copied and blocked tasks and
targets in every state, deterministic (a seeded generator)."""

from __future__ import annotations

import dataclasses
import random

from reporting.figures import PeriodAssessment, PeriodRates, TargetRow, TaskRow, UnitRow

DEPARTMENTS = [
    "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省民宗委", "省公安厅", "省民政厅",
    "省司法厅", "省财政厅", "省人力社保厅", "省自然资源厅", "省生态环境厅", "省建设厅",
    "省交通运输厅", "省水利厅", "省农业农村厅", "省商务厅", "省文化广电和旅游厅", "省卫生健康委",
    "省退役军人事务厅", "省应急管理厅", "省审计厅", "省国资委", "省市场监管局", "省体育局",
    "省统计局", "省医保局", "省大数据局", "省地方金融监管局",
]  # fmt: skip
CITIES = ["杭州市政府", "宁波市政府", "温州市政府", "嘉兴市政府", "湖州市政府", "绍兴市政府",
          "金华市政府", "衢州市政府", "舟山市政府", "台州市政府", "丽水市政府"]  # fmt: skip
PHRASES = [
    "组织召开标准化工作专题推进会，研究部署重点任务，明确责任分工和时间节点",
    "完成地方标准立项评审，新增立项项目纳入年度计划并跟踪研制进度",
    "推动企业参与国际标准、国家标准和行业标准制修订，开展标准化试点示范建设",
    "开展“品字标”品牌培育，组织企业对标达标，举办标准化业务培训",
    "协调解决项目推进中的用地、资金等问题，督促责任单位加快工作进度",
]
TASKS = [
    ("二(一)1", "推动标准化与科技创新互动发展"), ("二(一)2", "提升产业标准化水平"),
    ("二(二)1", "完善绿色发展标准化保障"), ("二(二)3", "加强城乡建设和社会建设标准化"),
    ("二(三)2", "提升标准化对外开放水平"), ("二(四)1", "推进标准化改革创新"),
    ("三(一)", "加强组织领导"), ("三(二)", "加强政策扶持"),
]  # fmt: skip
TARGETS = [
    ("新增主导制定国际标准", "项", 3, 0.0), ("新增主导制定国家标准和行业标准", "项", 150, 20.0),
    ("新增“浙江制造”标准", "项", 500, 80.0), ("新增省级地方标准", "项", 300, 40.0),
    ("新增标准化试点示范项目", "个", 120, 10.0), ("培育标准创新型企业", "家", 200, 30.0),
    ("新增全国专业标准化技术委员会秘书处", "个", 10, 2.0), ("标准化专业人才", "人", 5000, 1200.0),
    ("企业标准自我声明公开数", "万项", 30, 8.0), ("标准实施信息反馈覆盖率", "%", 90, 40.0),
]  # fmt: skip
QUARTERS = [("2025Q1", "2025-03-31", "2025-04-08"), ("2025Q2", "2025-06-30", "2025-07-07"),
            ("2025Q3", "2025-09-30", "2025-10-14")]  # fmt: skip


def province_period(seed: int = 20, n_units: int = 40, per_unit: int = 5) -> PeriodAssessment:
    rng = random.Random(seed)
    names = (DEPARTMENTS + CITIES)[:n_units]
    units = [_unit(i, name, rng) for i, name in enumerate(names)]
    rng.shuffle(units)  # the assessment lists them in any order: reports sort by `order`
    tasks = [_task(u, k, rng) for u in units for k in range(per_unit)]
    targets = [_target(i, t, names, rng) for i, t in enumerate(TARGETS, start=1)]
    counted = [u for u in units if u.status != "waived"]
    reported = sum(u.status in ("submitted", "late") for u in counted) / len(counted)
    on_time = sum(u.on_time for u in counted) / len(counted)
    rates = [PeriodRates(label, end, due, len(counted), 0, 0, r, o)
             for (label, end, due), r, o in zip(QUARTERS, (0.95, 0.9, reported), (0.85, 0.8, on_time), strict=True)]  # fmt: skip
    return PeriodAssessment(
        "zhejiang-pilot-2023", "浙江省国家标准化创新发展试点工作方案", "2025Q3", "2025-10-14",
        "2025-10-21", units, targets, tasks, reported, on_time, rates,
    )  # fmt: skip


def _unit(i: int, name: str, rng: random.Random) -> UnitRow:
    order = (310 + 10 * i) if i < len(DEPARTMENTS) else 900 + 10 * i
    roll = rng.random()
    if roll < 0.12:
        return UnitRow(f"u{i:02d}", name, "missing", None, False, order)
    if roll < 0.27:
        day = rng.choice((15, 16, 17, 20))
        return UnitRow(f"u{i:02d}", name, "late", f"2025-10-{day} 10:{i:02d}", False, order)
    if roll < 0.30:
        return UnitRow(f"u{i:02d}", name, "waived", None, False, order)
    day = rng.choice((9, 10, 13, 14))
    return UnitRow(f"u{i:02d}", name, "submitted", f"2025-10-{day:02d} 09:{i:02d}", True, order)


def _task(u: UnitRow, k: int, rng: random.Random) -> TaskRow:
    ref, title = TASKS[(k + len(u.unit_name)) % len(TASKS)]
    if u.status in ("missing", "waived"):
        return TaskRow(
            k, ref, title, u.unit_name, "配合", "未报", "", ["missing"], u.unit_id, u.order
        )
    status = rng.choice(("推进中", "推进中", "已完成", "未启动", "受阻"))
    text = "；".join(rng.sample(PHRASES, rng.randint(1, 3))) + "。"
    flags = ["blocked"] if status == "受阻" else []
    if rng.random() < 0.1:
        flags.append("copied")
    role = "牵头" if k == 0 else "配合"
    return TaskRow(k, ref, title, u.unit_name, role, status, text, flags, u.unit_id, u.order)


def _target(
    i: int, spec: tuple[str, str, int, float], owners: list[str], rng: random.Random
) -> TargetRow:
    name, measure, value, base = spec
    expected = base + (value - base) * 0.9
    share = rng.choice((1.1, 0.95, 0.85, 0.6, None))
    actual = None if share is None else round(expected * share, 1)
    status = ("no_data" if actual is None else "achieved" if actual >= value else
              "on_track" if actual >= expected else "behind" if actual >= expected * 0.8 else
              "seriously_behind")  # fmt: skip
    series = [("2025-06-30", round(expected * 0.8, 1))] + (
        [("2025-09-30", actual)] if actual else []
    )
    if i == 4 and actual is not None:  # reported last in 2025Q2: carried into this period
        actual, series = series[0][1], series[:1]
    return TargetRow(i, f"T{i}", name, owners[i % len(owners)], f"≥ {value} {measure}（2025年）",
                     round(expected, 2), actual, status, None, None, series, float(value), measure,
                     ">=", f"u{i % len(owners):02d}")  # fmt: skip


def province_year() -> list[PeriodAssessment]:
    """Three quarters of a province's year (2025Q1–Q3), each its own draw."""
    year = []
    for seed, (label, end, due) in zip((11, 12, 20), QUARTERS, strict=True):
        r = province_period(seed)
        year.append(dataclasses.replace(r, period_label=label, due_on=due, as_of=due,
                                        rates=[x for x in r.rates if x.end <= end]))  # fmt: skip
    return year
