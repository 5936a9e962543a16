from __future__ import annotations

import pytest

from tasks_catalog.clauses import find_clause
from tasks_catalog.text import paragraphs


def units(text: str) -> list[tuple[str, str]]:
    clause = find_clause(paragraphs(text)[0].piece.text)
    assert clause is not None, text
    return [(u.name, u.role) for u in clause.units]


@pytest.mark.parametrize(
    "text",
    [
        "工作内容。（责任单位：市科技局、市市场监管局）",
        "工作内容。(责任单位:市科技局、市市场监管局)",
        "工作内容。〔责任单位：市科技局、市市场监管局〕",
    ],
)
def test_first_listed_unit_leads_in_every_bracket_style(text):
    assert units(text) == [("市科技局", "lead"), ("市市场监管局", "support")]


def test_labelled_lead_and_support_units():
    assert units("工作。（牵头单位：市发改委；配合单位：市科技局、市经信局）") == [
        ("市发改委", "lead"),
        ("市科技局", "support"),
        ("市经信局", "support"),
    ]


def test_trailing_role_words():
    assert units("工作。（市发改委牵头，市科技局配合）") == [
        ("市发改委", "lead"),
        ("市科技局", "support"),
    ]
    assert units("工作。（市发改委、市经信局牵头，市科技局配合）") == [
        ("市发改委", "lead"),
        ("市经信局", "lead"),
        ("市科技局", "support"),
    ]


def test_units_by_duty_after_a_lead():
    assert units("工作。〔市市场监管局牵头，市级有关部门等按职责分工负责〕") == [
        ("市市场监管局", "lead"),
        ("市级有关部门", "support"),
    ]


def test_collective_phrases_are_kept_with_their_inner_brackets():
    assert units("工作。〔责任单位：市委宣传部、市市场监管局，各县（区）政府、功能区管委会〕") == [
        ("市委宣传部", "lead"),
        ("市市场监管局", "support"),
        ("各县（区）政府", "support"),
        ("功能区管委会", "support"),
    ]
    assert units("工作。（责任单位：市级部门按职责分工负责，嵊泗县政府）")[0] == (
        "市级部门按职责分工负责",
        "lead",
    )


def test_a_unit_list_broken_across_a_line_is_joined():
    text = "工作内容。（责任单位：市发改委、市科技局、市农业\n\n农村局、市商务局）"
    assert [n for n, _ in units(text)] == ["市发改委", "市科技局", "市农业农村局", "市商务局"]


def test_an_ordinary_parenthesis_is_not_a_units_clause():
    assert find_clause("支持以首台（套）产品为基础参与制定国际标准。") is None
