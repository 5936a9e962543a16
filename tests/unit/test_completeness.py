"""A submission is complete only when every task has a status and progress (or an explicit
本期无新进展) and every target a value or a reason; what is missing is named."""

from __future__ import annotations

from decimal import Decimal as Dec
from typing import NamedTuple

from reporting.completeness import (
    NO_NEWS,
    Field,
    Missing,
    ProgressEntry,
    ValueEntry,
    banner,
    missing_items,
)
from reporting.work import TaskInfo
from vocab.words import FlagSubject


class Target(NamedTuple):
    id: int
    name: str


TASKS = [TaskInfo(i, f"二(一){i}", f"任务{i}") for i in range(1, 8)]
TARGETS = [Target(11, "新增国家标准"), Target(12, "制造业产品质量合格率")]
ONGOING = ProgressEntry("推进中", "已完成标准立项 3 项")


def everything() -> tuple[dict[int, ProgressEntry], dict[int, ValueEntry]]:
    return {t.id: ONGOING for t in TASKS}, {11: ValueEntry(Dec(31)), 12: ValueEntry(Dec("96.4"))}


def where(items: list[Missing]) -> list[tuple[str, int, str]]:
    return [(i.subject.value, i.id, i.field.value) for i in items]


def test_a_full_submission_is_complete():
    progress, values = everything()
    assert missing_items(TASKS, TARGETS, progress, values) == []
    assert banner([]) == ""


def test_one_task_of_seven_is_not_a_submission():
    items = missing_items(TASKS, TARGETS, {1: ONGOING}, {})
    assert len([i for i in items if i.subject == FlagSubject.TASK]) == 12  # 6 tasks × 2 fields
    assert where(items)[:2] == [("task", 2, "status"), ("task", 2, "progress")]
    assert where(items)[-2:] == [("target", 11, "value"), ("target", 12, "value")]
    assert str(items[0]) == "任务 二(一)2：未选择本期状态"
    assert str(items[1]) == "任务 二(一)2：未填写本期进展（没有新进展请注明“本期无新进展”）"
    assert str(items[-1]) == "指标「制造业产品质量合格率」：未填写本期值，也未说明未填原因"
    assert banner(items) == "报送未完成：6 项任务、2 项指标尚未填写完整"


def test_no_new_progress_must_be_said_explicitly():
    progress, values = everything()
    progress[3] = ProgressEntry("推进中", "")
    assert where(missing_items(TASKS, TARGETS, progress, values)) == [("task", 3, "progress")]
    progress[3] = ProgressEntry("推进中", "", no_news=True)  # the form's check box
    assert missing_items(TASKS, TARGETS, progress, values) == []
    progress[3] = ProgressEntry("推进中", NO_NEWS)  # the words in the Excel cell
    assert missing_items(TASKS, TARGETS, progress, values) == []


def test_text_without_a_status_lacks_the_status():
    progress, values = everything()
    progress[4] = ProgressEntry("", "召开推进会 2 次")
    assert where(missing_items(TASKS, TARGETS, progress, values)) == [("task", 4, "status")]


def test_a_status_not_in_the_list_is_named():
    progress, values = everything()
    progress[5] = ProgressEntry("完成了", "已验收")
    [item] = missing_items(TASKS, TARGETS, progress, values)
    assert item.field == Field.STATUS
    assert item.message == "状态“完成了”无效，请选择已完成、推进中、未启动、受阻之一"


def test_done_needs_an_account_not_just_no_news():
    progress, values = everything()
    progress[6] = ProgressEntry("已完成", "", no_news=True)
    [item] = missing_items(TASKS, TARGETS, progress, values)
    assert (item.field, item.message) == (Field.PROGRESS, "报“已完成”的任务请简述完成情况")
    progress[6] = ProgressEntry("已完成", "已通过省级验收，文件见佐证材料")
    assert missing_items(TASKS, TARGETS, progress, values) == []


def test_blocked_needs_a_reason():
    progress, values = everything()
    progress[7] = ProgressEntry("受阻", NO_NEWS)
    [item] = missing_items(TASKS, TARGETS, progress, values)
    assert (item.field, item.message) == (
        Field.PROBLEMS,
        "报“受阻”的任务请在存在问题中说明受阻原因",
    )
    progress[7] = ProgressEntry("受阻", NO_NEWS, problems="用地指标未落实")
    assert missing_items(TASKS, TARGETS, progress, values) == []
    progress[7] = ProgressEntry("受阻", "因用地指标未落实，项目暂缓")  # the text says why
    assert missing_items(TASKS, TARGETS, progress, values) == []


def test_a_target_without_a_value_needs_a_stated_reason():
    progress, values = everything()
    values[12] = ValueEntry(None, "年度数据，年底统计后报送")
    assert missing_items(TASKS, TARGETS, progress, values) == []
    values[12] = ValueEntry(None, "   ")
    assert where(missing_items(TASKS, TARGETS, progress, values)) == [("target", 12, "value")]
    values[12] = ValueEntry(Dec(0))  # zero is a value
    assert missing_items(TASKS, TARGETS, progress, values) == []


def test_entries_for_tasks_the_request_lacks_are_not_its_business():
    progress, values = everything()
    progress[99] = ProgressEntry()
    assert missing_items(TASKS, TARGETS, progress, values) == []


def test_a_request_without_targets_needs_only_the_tasks():
    progress, _ = everything()
    assert missing_items(TASKS, [], progress, {}) == []
    assert banner(missing_items(TASKS[:1], [], {}, {})) == "报送未完成：1 项任务尚未填写完整"
