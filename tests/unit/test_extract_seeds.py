"""The extractor on the five real seed documents, against the reviewed catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks_catalog.check import check_catalog
from tasks_catalog.directory import Directory
from tasks_catalog.extract import extract
from tasks_catalog.score import score

REVIEWED = {p.source: p for p in check_catalog()[0]}


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


def test_the_reviewed_catalog_is_valid_and_covers_every_seed(seeds: Path):
    plans, problems = check_catalog()
    assert problems == []
    assert sorted(p.source for p in plans) == sorted(p.name for p in seeds.glob("*.txt"))


def test_zhoushan_opinion_has_24_tasks_each_with_exactly_the_units_the_text_names(seeds, directory):
    draft = extract(seeds / "000_e8ca735cc27cb415.txt", directory)
    assert len(draft.tasks) == 24
    assert [t.ref for t in draft.tasks][:6] == [
        "二(一)1",
        "二(一)2",
        "二(一)3",
        "二(一)4",
        "二(一)5",
        "二(二)1",
    ]
    assert [t.ref for t in draft.tasks][-3:] == ["三(一)", "三(二)", "三(三)"]
    by_ref = {t.ref: [(u.name, u.role) for u in t.units] for t in draft.tasks}
    assert by_ref["二(一)1"] == [("市科技局", "lead"), ("市市场监管局", "support")]
    assert by_ref["二(二)1"] == [("市级部门按职责分工负责", "lead"), ("嵊泗县政府", "support")]
    assert by_ref["三(二)"][-1] == ("各县（区）政府", "support")
    assert by_ref["三(三)"] == [
        ("市委宣传部", "lead"),
        ("市市场监管局", "support"),
        ("各县（区）政府", "support"),
        ("功能区管委会", "support"),
    ]
    assert all(not u.proposed for t in draft.tasks for u in t.units)
    s = score(draft, REVIEWED[draft.source], directory)
    assert (s.tasks.right, s.assignments.right, s.targets.right) == (24, 91, 10)


def test_zhoushan_opinion_targets(seeds, directory):
    draft = extract(seeds / "000_e8ca735cc27cb415.txt", directory)
    national = next(t for t in draft.targets if t.name == "新增主导或参与制修订国家标准")
    assert (national.value, national.cmp, national.unit, national.kind, national.year) == (
        50,
        ">=",
        "项",
        "increment",
        2025,
    )
    cycle = next(t for t in draft.targets if "制定周期" in t.name)
    assert (cycle.value, cycle.cmp, cycle.unit, cycle.kind) == (15, "<=", "个月", "level")
    assert draft.doc_number == "舟委发〔2023〕13号"
    assert (draft.start_year, draft.end_year, draft.jurisdiction) == (2021, 2025, "zhoushan")


def test_task_span_points_at_the_source_text(seeds, directory):
    path = seeds / "000_e8ca735cc27cb415.txt"
    text = path.read_text(encoding="utf-8")
    task = extract(path, directory).tasks[0]
    assert task.span is not None
    cited = text[task.span[0] : task.span[1]]
    assert "推动标准化与科技创新互动发展" in cited and cited.rstrip().endswith("市市场监管局）")


def test_quality_plan_reads_the_flattened_indicator_table(seeds, directory):
    draft = extract(seeds / "003_2d6faee20b07b8f9.txt", directory)
    brands = next(t for t in draft.targets if t.name == "培育“品字标”企业")
    assert (brands.baseline, brands.baseline_year, brands.value, brands.kind) == (
        18,
        2020,
        38,
        "cumulative",
    )
    rate = next(t for t in draft.targets if t.name == "制造业产品质量合格率")
    assert (rate.baseline, rate.value, rate.cmp, rate.unit) == (95, 96, ">=", "%")
    assert not any(
        "99.49" in str(t.value) for t in draft.targets if t.baseline is None
    )  # 现实基础 is history
    assert len(draft.tasks) == 42


def test_documents_without_unit_clauses_get_proposed_units_with_a_lead(seeds, directory):
    for name in (
        "001_a61d007871cb0f5a.txt",
        "002_1bc9e3074a24d069.txt",
        "004_6a01f5a3f9ff8d89.txt",
    ):
        draft = extract(seeds / name, directory)
        assert draft.tasks, name
        for task in draft.tasks:
            assert task.units and task.units[0].role == "lead", (name, task.ref)
            assert all(u.proposed for u in task.units)


def test_every_seed_extraction_is_close_to_its_reviewed_catalog(seeds, directory):
    for path in sorted(seeds.glob("*.txt")):
        reviewed = REVIEWED[path.name]
        s = score(extract(path, directory), reviewed, directory)
        assert s.tasks.right == s.tasks.reviewed == s.tasks.extracted, path.name
        assert s.targets.right >= 0.8 * s.targets.reviewed, (path.name, s.targets)
        assert s.assignments.right >= 0.6 * s.assignments.reviewed, (path.name, s.assignments)


def test_news_release_without_numbering_yields_its_seven_measures(seeds, directory):
    draft = extract(seeds / "002_1bc9e3074a24d069.txt", directory)
    assert draft.tasks[0].title == "推进标准化与科技创新互融互促"
    assert len(draft.tasks) == 7
    assert (draft.start_year, draft.end_year) == (2023, 2025)
