"""A plan's reporting rules as the office writes them, parsed: when a period's request goes out
and when its report is due. The catalog check rejects a rule it cannot read (naming file and
line), so a bad rule never reaches the tick."""

from __future__ import annotations

import re
from dataclasses import dataclass

DUE_AFTER_END = re.compile(r"^(\d+) working days? after period end$")
DUE_DAY_OF_LAST_MONTH = re.compile(r"^day (\d{1,2}) of the last month$")
OPEN_BEFORE_END = re.compile(r"^(\d+) working days? before period end$")


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class DueRule:
    workdays_after_end: int | None = None  # "5 working days after period end"
    day_of_last_month: int | None = None  # "day 25 of the last month" (next working day)


@dataclass(frozen=True)
class OpenRule:
    workdays_before_end: int


def due_rule(text: str) -> DueRule:
    if m := DUE_AFTER_END.match(text.strip()):
        return DueRule(workdays_after_end=int(m.group(1)))
    if m := DUE_DAY_OF_LAST_MONTH.match(text.strip()):
        day = int(m.group(1))
        if not 1 <= day <= 31:
            raise RuleError(f"截止规则“{text}”中的日期应在 1–31 之间 (due rule: day out of range)")
        return DueRule(day_of_last_month=day)
    raise RuleError(
        f"截止规则“{text}”无法识别：请写“N working days after period end”（期末后第 N 个工作日）"
        "或“day D of the last month”（期末月 D 日，遇节假日顺延） (due rule not understood)"
    )


def open_rule(text: str) -> OpenRule:
    if m := OPEN_BEFORE_END.match(text.strip()):
        return OpenRule(workdays_before_end=int(m.group(1)))
    raise RuleError(
        f"发起规则“{text}”无法识别：请写“N working days before period end”（期末前第 N 个工作日）"
        " (open rule not understood)"
    )
