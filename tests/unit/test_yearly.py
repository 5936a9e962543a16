"""The yearly 考核: scores out of 100 from the year's figures, with the figures behind each,
weights from the plan's catalog, ranks that share ties, the office's adjustments, and the
same bytes from the same input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pydantic import ValidationError

from reporting.notice_data import Signature
from reporting.yearly import Adjustment, UnitInfo, UnitPeriod, YearInput, explain, score_year
from reporting.yearly_input import year_input
from reporting.yearly_notice import YearNotice, write_year_notice
from reporting.yearly_xlsx import write_year_xlsx
from tasks_catalog.schema import Assessment, Plan
from tests.report_samples import province_year

Q = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
UNITS = [
    UnitInfo("a", "市发改委", 310),
    UnitInfo("b", "市经信局", 320),
    UnitInfo("c", "市科技局", 340),
]


def period(unit: str, label: str, on_time: bool = True, **kw: object) -> UnitPeriod:
    return UnitPeriod(unit, label, answered=True, on_time=on_time, complete=True, **kw)  # type: ignore[arg-type]


def year(figures: list[UnitPeriod], weights: Assessment | None = None,
         adjustments: list[Adjustment] | None = None) -> YearInput:  # fmt: skip
    return YearInput("demo", "示范方案", 2025, weights or Assessment(), UNITS, Q, figures,
                     adjustments or [])  # fmt: skip


def test_a_score_is_its_measures_points_with_the_figures_behind_them() -> None:
    figures = [period("a", q, on_time=q != "2025Q2", tasks=4, tasks_done=3, tasks_done_on_time=2,
                      targets=2, targets_met=1) for q in Q]  # fmt: skip
    s = score_year(year(figures)).scores[0]
    parts = {p.key: p for p in s.parts}
    assert (parts["on_time"].numerator, parts["on_time"].denominator) == (3, 4)
    assert parts["on_time"].points == Decimal("22.50")  # 30 × 3/4
    assert parts["complete"].points == Decimal("20.00")
    assert parts["done"].points == Decimal("15.00") and parts["done_on_time"].points == Decimal(
        "5.00"
    )
    assert parts["targets"].points == Decimal("10.00") and s.score == Decimal("72.50")
    assert explain(s).startswith("按时报送率（按时报送3期/应报4期）得22.5分；")


def test_a_measure_that_does_not_apply_gives_its_weight_to_the_others() -> None:
    # no targets owned, 按时办结 not known: 70 points of weight left, scaled to 100
    figures = [period("a", q, tasks=2, tasks_done=1) for q in Q]
    s = score_year(year(figures)).scores[0]
    parts = {p.key: p for p in s.parts}
    assert not parts["targets"].applies and parts["targets"].basis == "不适用"
    assert parts["on_time"].points == Decimal("42.86")  # 30 / 70 × 100
    assert parts["done"].points == Decimal("14.29")  # 20 / 70 × 100 × 1/2
    assert s.score == Decimal("85.72")


def test_waived_periods_are_not_counted_and_copies_are_deducted_up_to_the_cap() -> None:
    figures = [period("a", "2025Q1", on_time=False), UnitPeriod("a", "2025Q2", requested=False),
               period("a", "2025Q3", flags={"copied": 7}), period("a", "2025Q4", flags={"copied": 6})]  # fmt: skip
    s = score_year(year(figures)).scores[0]
    assert s.parts[0].basis == "按时报送2期/应报3期"
    assert s.deductions[0].items == 13 and s.deducted == Decimal("10.00")  # capped
    assert "与上期雷同13处扣13分；扣分以10分为限" in explain(s)


def test_equal_scores_share_a_rank_listed_in_the_directorys_order() -> None:
    figures = [period(u, q) for u in ("c", "b") for q in Q] + [
        period("a", q, on_time=False) for q in Q
    ]
    scores = score_year(year(figures)).scores
    assert [(s.name, s.rank) for s in scores] == [("市经信局", 1), ("市科技局", 1), ("市发改委", 3)]


def test_the_office_adjusts_a_score_with_a_reason() -> None:
    figures = [period(u, q) for u in ("b", "c") for q in Q]
    bonus = Adjustment("c", Decimal(2), "承办全省标准化现场会")
    cut = Adjustment("b", Decimal("-3.5"), "报送数据经核实有误")
    scores = {s.unit_id: s for s in score_year(year(figures, adjustments=[bonus, cut])).scores}
    assert scores["c"].score == Decimal("100.00")  # 100 + 2, at most 100
    assert scores["b"].score == Decimal("96.50") and scores["b"].rank == 2
    assert "调整-3.5分（报送数据经核实有误）" in explain(scores["b"])
    with pytest.raises(ValueError, match="理由"):
        Adjustment("b", Decimal(1), " ")


def test_weights_come_from_the_plans_catalog_and_must_make_100() -> None:
    plan = Plan.model_validate({
        "slug": "demo", "source": "demo.txt", "source_sha256": "0" * 64, "title": "示范方案",
        "jurisdiction": "zhoushan", "start_year": 2021, "end_year": 2025,
        "assessment": {"on_time": 50, "complete": 10, "done": 10, "done_on_time": 10, "targets": 20,
                       "deductions": {"copied": 2}, "deduction_cap": 6},
    })  # fmt: skip
    assert plan.assessment is not None
    figures = [period("a", q, on_time=q != "2025Q4", flags={"copied": 1}) for q in Q]
    s = score_year(year(figures, weights=plan.assessment)).scores[0]
    # on_time and complete apply (weights 50 + 10): 50 / 60 × 100 × 3/4
    assert s.parts[0].weight == 50 and s.parts[0].points == Decimal("62.50")
    assert s.deducted == Decimal("6.00")  # 4 copies × 2, capped at 6
    assert sum(Assessment().weights().values()) == 100
    with pytest.raises(ValidationError, match="考核权重之和应为 100"):
        Assessment(on_time=40)


def test_a_province_year_is_scored_reproducibly_to_the_same_bytes(tmp_path: Path) -> None:
    adjust = [Adjustment("u05", Decimal(2), "承办全国标准化工作现场会")]
    results = [score_year(year_input(province_year(), 2025, adjustments=adjust)) for _ in range(2)]
    assert results[0] == results[1]
    scores = results[0].scores
    assert len(scores) == 40 and scores == sorted(scores, key=lambda s: (-s.score, s.order))
    notice = YearNotice(
        "标准强市建设", Signature("标准强市建设领导小组办公室", dt.date(2026, 1, 15))
    )
    written = []
    for i, result in enumerate(results):
        written.append((write_year_xlsx(result, tmp_path / f"{i}.xlsx", dt.date(2026, 1, 15)).read_bytes(),
                        write_year_notice(result, notice, tmp_path / f"{i}.docx").read_bytes()))  # fmt: skip
    assert written[0] == written[1]
    sheet = load_workbook(tmp_path / "0.xlsx")["考核结果"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[1], r[2]) for r in rows] == [(s.rank, s.name, float(s.score)) for s in scores]
    assert rows[0][-1] == explain(scores[0]) and sheet.print_title_rows
    text = "\n".join(p.text for p in Document(str(tmp_path / "0.docx")).paragraphs)
    assert "2025年度标准强市建设工作考核结果的通报" in text and "承办全国标准化工作现场会" in text
