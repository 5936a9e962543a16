"""Whether a reported target value is plausible, and why not, in Chinese.

Two kinds of finding. A value that cannot be stored or is no number (NaN, ∞, more than the 14
digits before the point that `Numeric(18, 4)` holds, a negative number) is **refused**: the
unit corrects it. A value that is possible but unlikely (a rate above 100 %, 8.2 家, a running
total below last period's, a jump beyond `jump_factor`) is **confirmable**: the web form takes
it with a 说明; the Excel template, which has no place for one, refuses it with the cell.

Pure: no clock, no database. The running totals and the figure each target asks for are
decided in `reporting.value_asked`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

from reporting.value_asked import running_total
from vocab import zh
from vocab.words import TargetKind

DEFAULT_JUMP_FACTOR = Decimal(3)  # tasks_catalog.schema.Reporting.jump_factor
INTEGER_DIGITS = 14  # Numeric(18, 4): 18 digits, 4 after the point
PERCENT = {"%", "％", "百分比"}
PERMILLE = {"‰"}
# A share named so, unless it is a growth (an 增长率 can pass 100 %).
SHARE_NAME = re.compile(r"率|比例|占比|比重")
GROWTH_NAME = re.compile(r"增长|增速|增幅|涨幅|同比|环比")
# Measures counted in whole things: 8.2 家 is a typo or a misplaced point. 万件, 亿元, 个月 are not.
COUNTABLE = set("项家个件人所座户套部名次台辆条处批场只本篇支张间栋宗起例")
COUNTABLE |= {"人次", "家次", "场次", "件次", "批次", "户次", "个次"}


class Check(StrEnum):
    NOT_A_NUMBER = "not_a_number"  # refused
    TOO_LARGE = "too_large"  # refused
    NEGATIVE = "negative"  # refused
    ABOVE_FULL_SHARE = "above_full_share"  # a rate or share above 100 % (‰: 1000)
    FRACTION_OF_COUNT = "fraction_of_count"  # 8.2 家
    BELOW_LAST = "below_last"  # a running total below last period's
    JUMP = "jump"  # beyond `jump_factor` from last period's


REFUSED = frozenset({Check.NOT_A_NUMBER, Check.TOO_LARGE, Check.NEGATIVE})


class TargetFacts(Protocol):
    """What the checks read of a target (`db.models.Target` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def measure(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def per_year(self) -> bool: ...


@dataclass(frozen=True)
class Previous:
    """The value the unit reported for the period before, and that period's last day."""

    value: Decimal
    period_end: dt.date


@dataclass(frozen=True)
class Finding:
    check: Check
    message: str  # Chinese: what is wrong and what to do

    @property
    def confirmable(self) -> bool:
        """Whether a 说明 lets the value through (else the unit must correct it)."""
        return self.check not in REFUSED


def as_decimal(value: Decimal | float | int | str) -> Decimal:
    """A reported value as a Decimal (NaN when it is no number), a float by its shortest
    repr so 8.2 stays 8.2."""
    if isinstance(value, bool):
        return Decimal("NaN")
    try:
        return Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return Decimal("NaN")


def check_value(
    target: TargetFacts,
    value: Decimal | float | int | str,
    period_end: dt.date,
    previous: Previous | None = None,
    jump_factor: Decimal | float = DEFAULT_JUMP_FACTOR,
) -> list[Finding]:
    """Every finding on `value` reported for `target` for the period ending `period_end`;
    [] when it is plausible. A refused value gets its one refusal and no other finding."""
    number = as_decimal(value)
    refusal = _refusal(target, number, value)
    if refusal is not None:
        return [refusal]
    findings = [f for f in (_share(target, number), _fraction(target, number)) if f]
    if previous is not None and _comparable(target, previous, period_end):
        findings += _against_last(target, number, previous.value, Decimal(str(jump_factor)))
    return findings


def blocking(findings: Sequence[Finding], explanation: str = "") -> list[Finding]:
    """The findings that stop the value: the refused ones, and the confirmable ones unless the
    unit gave a 说明 (`explanation`; the Excel template passes none)."""
    explained = bool(explanation.strip())
    return [f for f in findings if not (f.confirmable and explained)]


def _refusal(target: TargetFacts, number: Decimal, raw: object) -> Finding | None:
    label = f"「{target.name}」"
    if not number.is_finite():
        return Finding(Check.NOT_A_NUMBER, f"{label}填写的“{raw}”不是有效数字，请填写数值")
    if number != 0 and number.adjusted() >= INTEGER_DIGITS:
        return Finding(
            Check.TOO_LARGE,
            f"{label}填写的 {zh.number(number)} 超过 {INTEGER_DIGITS} 位整数，无法保存；"
            "请核对是否误填了编号、证件号码，或数值的单位（万、亿）",
        )
    if number < 0:
        return Finding(
            Check.NEGATIVE, f"{label}填写的 {zh.number(number)} 为负数，请填写不小于0的数"
        )
    return None


def full_share(target: TargetFacts) -> Decimal | None:
    """100 for a rate or share (in `%`, or named …率/…比例/…占比/…比重 and not counted in
    another measure), 1000 in ‰; None for anything else, growth rates included."""
    measure = target.measure.strip()
    if GROWTH_NAME.search(target.name):
        return None
    if measure in PERMILLE:
        return Decimal(1000)
    if measure in PERCENT:
        return Decimal(100)
    # Named a share but counted in something else (个百分点, 家, 万元): not a share of 100.
    other = "百分点" in measure or countable(measure) or re.search(r"[万亿千元吨米]", measure)
    if SHARE_NAME.search(target.name) and not other:
        return Decimal(100)
    return None


def _share(target: TargetFacts, number: Decimal) -> Finding | None:
    full = full_share(target)
    if full is None or number <= full:
        return None
    sign = "‰" if full == 1000 else "%"
    return Finding(
        Check.ABOVE_FULL_SHARE,
        f"「{target.name}」是比率，填写的 {zh.number(number)}{sign} 超过 {zh.number(full)}{sign}；"
        "请核对，确属实请填写说明",
    )


def countable(measure: str) -> bool:
    """Whether a measure counts whole things (项, 家, 个, 件, 人, 人次 …)."""
    return measure.strip() in COUNTABLE


def _fraction(target: TargetFacts, number: Decimal) -> Finding | None:
    if not countable(target.measure) or number == number.to_integral_value():
        return None
    measure = target.measure.strip()
    return Finding(
        Check.FRACTION_OF_COUNT,
        f"「{target.name}」以“{measure}”计，应为整数，填写的是 {zh.number(number)} {measure}；"
        "请核对小数点，确属实请填写说明",
    )


def _comparable(target: TargetFacts, previous: Previous, period_end: dt.date) -> bool:
    """Last period's value says something about this one unless it is of another year of a
    per-year target (its total starts again in January) or not of an earlier period."""
    if previous.period_end >= period_end or not previous.value.is_finite():
        return False
    return not (target.per_year and previous.period_end.year != period_end.year)


def _against_last(
    target: TargetFacts, number: Decimal, last: Decimal, factor: Decimal
) -> list[Finding]:
    label, was = f"「{target.name}」", zh.number(last)
    if running_total(target.kind, target.per_year) and number < last:
        return [
            Finding(
                Check.BELOW_LAST,
                f"{label}是累计数，填写的 {zh.number(number)} 低于上期报送的 {was}；"
                "请填写累计值（不是本期新增量），确属核减请填写说明",
            )
        ]
    check = "请核对，确属实请填写说明"
    if last > 0 and number > last * factor:
        times = zh.number((number / last).quantize(Decimal("0.1")))
        why = f"是上期报送的 {was} 的 {times} 倍，超过 {zh.number(factor)} 倍"
        return [Finding(Check.JUMP, f"{label}填写的 {zh.number(number)} {why}；{check}")]
    if last > 0 and number * factor < last and target.kind == TargetKind.LEVEL:
        why = f"不到上期报送的 {was} 的 1/{zh.number(factor)}"
        return [Finding(Check.JUMP, f"{label}填写的 {zh.number(number)} {why}；{check}")]
    return []
