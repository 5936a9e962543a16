"""Which figure a target asks a unit for: a running total, or the level at the period's end.

Never this period's own amount. `reporting.progress.assess` takes a target's latest reported
value as where it stands (`actual`) and compares it with 序时进度 (`expected_value`) and with
the goal itself (`meets`); nothing adds reported values up. So:

- an increment over the plan (新增, e.g. 新增国家标准 50 项 over 2021–2025) is expected to grow
  from 0 to its value over the whole plan: the unit enters the total added **since the plan
  began** (规划期累计新增, 含以前各期). Entering the quarter's amount would make it look
  seriously behind every quarter after the first.
- a per-year increment (每年新增 10 家) is measured over the current year, from 1 January
  (`progress.window`, and `assess` keeps only this year's points): the total added **this year
  so far** (本年累计新增); it starts again from 0 in January.
- a cumulative target (累计 …达到 200 家) is the stock reached, its baseline included
  (expected grows from the baseline): the **total reached** at the period's end (累计总量).
- a level (a rate, a ratio, a cycle time) is its value **at the period's end** (期末水平).

The first three are running totals: a value below the last period's (of the same year, for a
per-year target) is implausible (`reporting.plausibility`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vocab.words import TargetKind


class ValueBasis(StrEnum):
    PLAN_TOTAL = "plan_total"  # 规划期累计新增
    YEAR_TOTAL = "year_total"  # 本年累计新增
    STOCK = "stock"  # 累计总量, baseline included
    LEVEL = "level"  # 期末水平


@dataclass(frozen=True)
class ValueAsked:
    basis: ValueBasis
    label: str  # the column or field label: 规划期累计新增
    hint: str  # the sentence under it: 填写自2021年以来累计新增的总数……


def basis_of(kind: TargetKind | str, per_year: bool) -> ValueBasis:
    kind = TargetKind(kind)
    if kind == TargetKind.INCREMENT:
        return ValueBasis.YEAR_TOTAL if per_year else ValueBasis.PLAN_TOTAL
    if kind == TargetKind.CUMULATIVE:
        return ValueBasis.STOCK
    return ValueBasis.LEVEL


def running_total(kind: TargetKind | str, per_year: bool) -> bool:
    """Whether the figure asked for only grows (within a year, for a per-year increment)."""
    return basis_of(kind, per_year) != ValueBasis.LEVEL


def value_asked(kind: TargetKind | str, per_year: bool, plan_start_year: int) -> ValueAsked:
    """What the template's and the form's value field asks for, for one target."""
    basis = basis_of(kind, per_year)
    if basis == ValueBasis.PLAN_TOTAL:
        return ValueAsked(
            basis,
            "规划期累计新增",
            f"填写自{plan_start_year}年以来累计新增的总数（含以前各期），不是本期新增量",
        )
    if basis == ValueBasis.YEAR_TOTAL:
        return ValueAsked(basis, "本年累计新增", "填写本年1月1日以来累计新增的总数，不是本期新增量")
    if basis == ValueBasis.STOCK:
        return ValueAsked(basis, "累计总量", "填写截至本期末累计达到的总量（含基期值）")
    return ValueAsked(basis, "期末水平", "填写截至本期末的实际水平值")
