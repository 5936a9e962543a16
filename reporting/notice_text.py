"""The sentences of a period's 通报: the 总体情况 with its numbers, and the 存在问题 and 下步工作
found in the figures (late and missing units, copied and missing progress texts, blocked
tasks, targets behind 序时进度 or without data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reporting.counts import PeriodCounts
from reporting.figures import PeriodAssessment
from vocab import zh
from vocab.words import FlagKind, TargetStatus

if TYPE_CHECKING:
    from reporting.notice_data import Highlight, NoticeData, TargetLine, UnitLine

LISTED = 5  # tasks or targets named in one sentence; the rest are counted ("等7项")


def overall(d: NoticeData) -> str:
    """截至…，本期应报送单位N家，已报送M家（按时K家、逾期L家），未报送J家；报送率…、按时报送率…。"""
    c = d.counts
    waived = f"（另有{c.waived}家经同意免报，不计入）" if c.waived else ""
    return (
        f"截至{zh.date(d.as_of)}，{d.period_name}应报送单位{c.requested}家{waived}，"
        f"已报送{c.reported}家，其中按时报送{c.on_time}家、逾期报送{c.late}家，"
        f"未报送{c.missing}家；报送率{zh.percent(c.reporting_rate)}，"
        f"按时报送率{zh.percent(c.on_time_rate)}。"
    )


def units_sentence(label: str, units: Sequence[UnitLine]) -> str:
    """逾期报送的单位（2家）：市科技局（逾期2个工作日）、市商务局（逾期1个工作日）。"""
    return f"{label}（{len(units)}家）：{'、'.join(u.text for u in units)}。"


def targets_sentence(d: NoticeData) -> str:
    counts = {s: sum(t.status == s for t in d.targets) for s in TargetStatus}
    parts = [f"{zh.word(s)}{counts[s]}项" for s in TargetStatus if counts[s]]
    return f"纳入监测的主要指标{len(d.targets)}项，其中{'、'.join(parts)}。" if d.targets else ""


def tasks_sentence(d: NoticeData) -> str:
    total = sum(d.task_statuses.values())
    if not total:
        return ""
    order = ("已完成", "推进中", "未启动", "受阻", "未报")
    parts = [
        f"{'未报进展' if s == '未报' else s}{d.task_statuses[s]}项"
        for s in order
        if d.task_statuses.get(s)
    ]
    return f"本期各单位承担的任务共{total}项（按单位计），其中{'、'.join(parts)}。"


def _named(items: list[str]) -> str:
    shown = "；".join(items[:LISTED])
    return shown + (f"等{len(items)}项" if len(items) > LISTED else "")


def derived_problems(
    result: PeriodAssessment, counts: PeriodCounts, targets: list[TargetLine]
) -> list[str]:
    problems = []
    if counts.late or counts.missing:
        problems.append(
            f"报送不够及时。本期{counts.late}家单位逾期报送、{counts.missing}家单位未报送，"
            f"按时报送率为{zh.percent(counts.on_time_rate)}。"
        )
    copied = [t for t in result.tasks if FlagKind.COPIED in t.flags]
    if copied:
        units = len({t.unit_name for t in copied})
        problems.append(
            f"部分进展材料与上期雷同。{units}家单位的{len(copied)}项任务进展与上期基本相同，未能反映本期工作实际。"
        )
    empty = [t for t in result.tasks if FlagKind.MISSING in t.flags and t.status != "未报"]
    if empty:
        problems.append(f"部分任务未填报进展。已报送单位中有{len(empty)}项任务未填写本期进展。")
    blocked = [
        f"{t.ref}“{t.title}”（{t.unit_name}）" for t in result.tasks if FlagKind.BLOCKED in t.flags
    ]
    if blocked:
        problems.append(f"部分任务推进受阻。{len(blocked)}项任务自报受阻：{_named(blocked)}。")
    behind = [
        t for t in targets if t.status in (TargetStatus.BEHIND, TargetStatus.SERIOUSLY_BEHIND)
    ]
    if behind:
        serious = sum(t.status == TargetStatus.SERIOUSLY_BEHIND for t in behind)
        named = [
            f"{t.name}（应达{zh.number(round(t.expected, 2))}，实际{t.actual_text}）"
            for t in behind
        ]
        problems.append(
            f"部分指标滞后于序时进度。{len(behind)}项指标滞后（其中严重滞后{serious}项）：{_named(named)}。"
        )
    no_data = [t.name for t in targets if t.status == TargetStatus.NO_DATA]
    if no_data:
        problems.append(f"部分指标未报数据。{len(no_data)}项指标本期无数据：{_named(no_data)}。")
    return problems


def derived_next_steps(
    missing: list[UnitLine],
    late: list[UnitLine],
    targets: list[TargetLine],
    result: PeriodAssessment,
    highlights: list[Highlight] | None,
) -> list[str]:
    steps = []
    if missing:
        steps.append(
            f"请{'、'.join(u.name for u in missing)}抓紧补报{zh.period_name(result.period_label)}工作进展。"
        )
    if late:
        steps.append("逾期报送的单位要加强报送工作的统筹，确保下期按时报送。")
    behind = [
        t for t in targets if t.status in (TargetStatus.BEHIND, TargetStatus.SERIOUSLY_BEHIND)
    ]
    owners = list(dict.fromkeys(t.owner for t in behind))
    if owners:
        steps.append(
            f"{'、'.join(owners)}要针对滞后指标分析原因、制定措施，加快推进，确保完成年度目标。"
        )
    if any(FlagKind.COPIED in t.flags for t in result.tasks):
        steps.append("各单位报送的进展材料要如实反映本期工作，避免照搬上期内容。")
    if highlights and any(h.light == "red" for h in highlights):
        steps.append("亮红灯任务的责任单位要逐项明确整改措施和完成时限，领导小组办公室将跟踪督办。")
    return steps
