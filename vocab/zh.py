"""zh-CN for everything a unit, the office or the admin reads: dates, periods, numbers, and the
Chinese word of every status, role and kind (`vocab.words`). The English values stay internal.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum

from vocab.words import (
    Audience,
    Channel,
    Cmp,
    ExtensionStatus,
    FlagKind,
    FlagSubject,
    MessageKind,
    OutboxStatus,
    PlanStatus,
    ReportStatus,
    RequestStatus,
    Role,
    Severity,
    TargetKind,
    TargetStatus,
    TaskLight,
    TickStatus,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
WEEKDAYS = "一二三四五六日"
NUMERALS = "一二三四五六七八九十"

# Keyed by the vocabulary as well as the value: StrEnum members of different vocabularies with
# the same value are equal ("pending" is 待报 for a request and 待发送 for a message).
_PAIRS: tuple[tuple[StrEnum, str], ...] = (
    (Role.LEAD, "牵头"),
    (Role.SUPPORT, "配合"),
    (Cmp.AT_LEAST, "不低于"),
    (Cmp.AT_MOST, "不高于"),
    (Cmp.EQUAL, "等于"),
    (Cmp.ABOVE, "高于"),
    (Cmp.ABOUT, "约"),
    (TargetKind.INCREMENT, "新增"),
    (TargetKind.CUMULATIVE, "累计"),
    (TargetKind.LEVEL, "水平"),
    (PlanStatus.DRAFT, "草稿"),
    (PlanStatus.PUBLISHED, "已发布"),
    (PlanStatus.ENDED, "已结束"),
    (RequestStatus.PENDING, "待报"),
    (RequestStatus.SUBMITTED, "已报送"),
    (RequestStatus.LATE, "逾期报送"),
    (RequestStatus.WAIVED, "免报"),
    (ReportStatus.MISSING, "未报送"),
    (TargetStatus.ACHIEVED, "已达到"),
    (TargetStatus.ON_TRACK, "符合序时进度"),
    (TargetStatus.BEHIND, "滞后于序时进度"),
    (TargetStatus.SERIOUSLY_BEHIND, "严重滞后"),
    (TargetStatus.NO_DATA, "未报数据"),
    (FlagKind.FORECAST_MISS, "按趋势难以完成"),
    (FlagKind.BLOCKED, "自报受阻"),
    (FlagKind.COPIED, "与上期雷同"),
    (FlagSubject.REQUEST, "报送"),
    (FlagSubject.TARGET, "指标"),
    (FlagSubject.TASK, "任务"),
    (Severity.HIGH, "严重"),
    (Severity.MEDIUM, "一般"),
    (Severity.LOW, "提示"),
    (Channel.EXCEL, "Excel 模板"),
    (Channel.WEB, "在线填报"),
    (Channel.CLI, "命令行"),
    (OutboxStatus.PENDING, "待发送"),
    (OutboxStatus.SENDING, "发送中"),
    (OutboxStatus.SENT, "已发送"),
    (OutboxStatus.FAILED, "发送失败"),
    (OutboxStatus.UNDELIVERABLE, "无法送达"),
    (OutboxStatus.CANCELLED, "已取消"),
    (MessageKind.REQUEST, "报送通知"),
    (MessageKind.REMINDER, "截止提醒"),
    (MessageKind.FINAL, "今日截止"),
    (MessageKind.OVERDUE, "催报"),
    (MessageKind.ESCALATION, "督办提示"),
    (MessageKind.INVITE, "日程变更"),
    (MessageKind.RECEIPT, "报送回执"),
    (MessageKind.REPORT, "情况报告"),
    (MessageKind.ADMIN, "系统告警"),
    (MessageKind.TEST, "通道测试"),
    (Audience.LIAISON, "联络员"),
    (Audience.LEADER, "分管领导"),
    (Audience.OFFICE, "领导小组办公室"),
    (TickStatus.RUNNING, "运行中"),
    (TickStatus.OK, "已完成"),
    (TickStatus.FAILED, "失败"),
    (TickStatus.SKIPPED, "非工作日"),
    (TaskLight.GREEN, "绿"),
    (TaskLight.YELLOW, "黄"),
    (TaskLight.RED, "红"),
    (TaskLight.DONE, "办结"),
    (ExtensionStatus.PENDING, "待审核"),
    (ExtensionStatus.APPROVED, "已同意"),
    (ExtensionStatus.REFUSED, "不同意"),
)
WORDS: dict[tuple[type[StrEnum], str], str] = {(type(k), k.value): v for k, v in _PAIRS}
# A flag names the gap it found; its kind shares values with statuses of other meanings.
FLAG_WORDS: dict[str, str] = {
    FlagKind.MISSING: "未报送",
    FlagKind.LATE: "逾期报送",
    FlagKind.BEHIND: "滞后于序时进度",
    FlagKind.SERIOUSLY_BEHIND: "严重滞后",
    FlagKind.NO_DATA: "未报数据",
    FlagKind.FORECAST_MISS: "按趋势难以完成",
    FlagKind.BLOCKED: "自报受阻",
    FlagKind.COPIED: "与上期雷同",
}
TASK_FLAG_WORDS = {**FLAG_WORDS, FlagKind.MISSING: "未填报进展"}
CMP_SIGNS = {Cmp.AT_LEAST: "≥", Cmp.AT_MOST: "≤", Cmp.EQUAL: "=", Cmp.ABOVE: ">", Cmp.ABOUT: "≈"}


def word(value: StrEnum | str, enum: type[StrEnum] | None = None) -> str:
    """The Chinese word of a stored value (`word("late", RequestStatus)` → 逾期报送); a value
    with no word is returned as it is (a unit's own progress status is already Chinese)."""
    key = enum(value) if enum is not None and not isinstance(value, StrEnum) else value
    if not isinstance(key, StrEnum):
        return str(value)
    return WORDS.get((type(key), key.value), str(value))


def flag_word(kind: str, subject: str = FlagSubject.REQUEST) -> str:
    table = TASK_FLAG_WORDS if subject == FlagSubject.TASK else FLAG_WORDS
    return table.get(kind, kind)


def weekday(day: dt.date) -> str:
    return "星期" + WEEKDAYS[day.weekday()]


def date(day: dt.date) -> str:
    """2025年10月14日 (as a signature or a table writes it: no weekday)."""
    return f"{day.year}年{day.month}月{day.day}日"


def date_weekday(day: dt.date) -> str:
    """2025年10月14日（星期二） (a deadline a unit must act on)."""
    return f"{date(day)}（{weekday(day)}）"


def moment(at: dt.datetime) -> str:
    """2025年10月14日 09:30 in Shanghai."""
    local = at.astimezone(SHANGHAI)
    return f"{date(local.date())} {local:%H:%M}"


def period_name(label: str) -> str:
    """A period's label as prose: 2025Q3 → 2025年第三季度, 2025M07 → 2025年7月,
    2025H1 → 2025年上半年, 2025 → 2025年度."""
    if m := re.fullmatch(r"(\d{4})Q(\d)", label):
        return f"{m.group(1)}年第{NUMERALS[int(m.group(2)) - 1]}季度"
    if m := re.fullmatch(r"(\d{4})M(\d{2})", label):
        return f"{m.group(1)}年{int(m.group(2))}月"
    if m := re.fullmatch(r"(\d{4})H(\d)", label):
        return f"{m.group(1)}年{'上' if m.group(2) == '1' else '下'}半年"
    return f"{label}年度"


def number(value: Decimal | float | int | None) -> str:
    """A figure without trailing zeros: 2.0000 → 2, 12.50 → 12.5; None → 空."""
    if value is None:
        return ""
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if exact == exact.to_integral_value():
        return str(int(exact))
    return format(exact.normalize(), "f")


def percent(share: float) -> str:
    """0.875 → 87.5%, 1.0 → 100%."""
    return number(round(Decimal(str(share)) * 100, 1)) + "%"


def cmp_sign(cmp: str) -> str:
    return CMP_SIGNS.get(Cmp(cmp), cmp) if cmp in {c.value for c in Cmp} else cmp


def role(value: str) -> str:
    return word(value, Role)
