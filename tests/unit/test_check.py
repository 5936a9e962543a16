from __future__ import annotations

import shutil
from pathlib import Path

from tasks_catalog.check import check_catalog
from tasks_catalog.paths import DATA_DIR

PLAN = """\
slug: demo-plan
source: demo.txt
source_sha256: "{sha}"
title: 示例
jurisdiction: zhoushan
start_year: 2023
end_year: 2025
host: 市市场监管局
tasks:
- ref: 二(一)1
  title: 第一项
  units:
  - name: 市科技委
    role: lead
- ref: 二(一)1
  title: 重复的编号
  units:
  - name: 市科技局
    role: support
targets:
- code: T1
  name: 新增国家标准
  value: 50
  unit: 项
  cmp: ">="
  kind: increment
  year: 2025
  owner: 市场监督局
"""


def catalog(tmp_path: Path, text: str) -> Path:
    shutil.copy(DATA_DIR / "units.yaml", tmp_path / "units.yaml")
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_problems_name_file_line_and_field_and_suggest_the_closest_unit(tmp_path: Path):
    _, problems = check_catalog(catalog(tmp_path, PLAN.format(sha="0" * 64)))
    messages = [str(p) for p in problems]
    assert any(
        "demo.yaml:13: tasks[二(一)1].units[0].name: 单位名录中没有“市科技委”" in m
        and "市科技局" in m
        for m in messages
    ), messages
    assert any(
        "demo.yaml:15: tasks[二(一)1].ref: 编号 二(一)1 出现了 2 次" in m for m in messages
    ), messages
    assert any("tasks[二(一)1].units: 没有牵头单位" in m for m in messages), messages
    assert any(
        "demo.yaml:28: targets[T1].owner: 单位名录中没有“市场监督局”" in m for m in messages
    ), messages


def test_schema_errors_point_at_the_field(tmp_path: Path):
    bad = (
        PLAN.format(sha="0" * 64)
        .replace('cmp: ">="', "cmp: about")
        .replace("year: 2025\n  owner", "year: soon\n  owner")
    )
    _, problems = check_catalog(catalog(tmp_path, bad))
    fields = {(p.line, p.field) for p in problems}
    assert (25, "targets[T1].cmp") in fields
    assert (27, "targets[T1].year") in fields


def test_yaml_syntax_errors_give_the_line(tmp_path: Path):
    _, problems = check_catalog(catalog(tmp_path, "slug: x\ntasks: [\n  - broken: {\n"))
    assert (
        len(problems) == 1
        and problems[0].line is not None
        and "not valid YAML" in problems[0].message
    )


def test_a_target_without_owner_needs_a_host(tmp_path: Path):
    text = (
        PLAN.format(sha="0" * 64)
        .replace("host: 市市场监管局\n", "")
        .replace("  owner: 市场监督局\n", "")
    )
    _, problems = check_catalog(catalog(tmp_path, text))
    assert any(p.field == "targets[T1].owner" and "no owner" in p.message for p in problems)


def test_a_reporting_rule_the_cycle_cannot_read_is_a_problem_of_its_file_and_line(tmp_path: Path):
    """A bad due rule used to pass check and load, then crash every plan's tick."""
    text = PLAN.format(sha="0" * 64).replace(
        "host: 市市场监管局\n",
        "host: 市市场监管局\nreporting:\n  cadence: quarterly\n  due_rule: 每季度末\n",
    )
    plans, problems = check_catalog(catalog(tmp_path, text))
    messages = [str(p) for p in problems]
    assert any("demo.yaml:11: reporting.due_rule" in m and "working days after period end" in m
               for m in messages), messages  # fmt: skip
    assert not plans
