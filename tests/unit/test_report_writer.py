"""Report files written in worker processes are the files written in the caller, in order,
and a worker that dies does not lose a report."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reporting.figures import PeriodAssessment, TargetRow, TaskRow, UnitRow
from reporting.report_pool import ReportWriter, writer_processes


def assessment(i: int) -> PeriodAssessment:
    return PeriodAssessment(
        f"plan-{i:02d}", f"第{i}号方案", "2025Q3", "2025-10-14", "2025-10-14",
        [UnitRow("u1", "市科技局", "late", "2025-10-15 09:00", False),
         UnitRow("u2", "市市场监管局", "missing", None, False)],
        [TargetRow(1, "T1", "新增国家标准", "市市场监管局", "≥ 50 项", 12.5, 3.0 + i, "behind", 40.0, False,
                   [("2025-06-30", 1.0), ("2025-09-30", 3.0 + i)])],
        [TaskRow(t, f"{t}", f"任务{t}", "市科技局", "牵头", "推进中", f"第{i}号方案任务{t}进展", ["copied"])
         for t in range(1, 30)],
        0.5, 0.0,
    )  # fmt: skip


def contents(path: Path) -> dict[str, bytes]:
    """A workbook's parts (the zip's timestamps aside)."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in sorted(z.namelist()) if name != "docProps/core.xml"}


def write_all(out: Path, processes: int, n: int = 12) -> list[tuple[int, Path, Path]]:
    with ReportWriter[int](out, processes) as writer:
        for i in range(n):
            writer.submit(i, assessment(i), ["说明：测试"], final=i == 0)
        return list(writer.finished())


def test_reports_written_by_a_worker_are_those_written_here_in_order(tmp_path: Path) -> None:
    here = write_all(tmp_path / "here", processes=0)
    there = write_all(tmp_path / "there", processes=1)
    assert [k for k, _, _ in there] == list(range(12))  # the order submitted
    for (_, x1, h1), (_, x2, h2) in zip(here, there, strict=True):
        assert x2.parent == tmp_path / "there" and x1.name == x2.name
        assert contents(x1) == contents(x2)
        assert h1.read_text(encoding="utf-8") == h2.read_text(encoding="utf-8")
    assert not list((tmp_path / "there").glob("*.tmp"))


def test_the_worker_writes_every_report_while_the_caller_goes_on(tmp_path: Path) -> None:
    """Reports go to the worker as they are submitted: it writes them all while the caller
    is still assessing, none is left for the end (handed two at a time, it wrote two)."""
    import time

    with ReportWriter[int](tmp_path, processes=1) as writer:
        for i in range(12):
            writer.submit(i, assessment(i), [], final=False)
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("*.html"))) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)  # the caller assessing the next batch
        assert len(list(tmp_path.glob("*.xlsx"))) == 12
        assert [k for k, _, _ in writer.finished()] == list(range(12))
    assert writer.waited < 1.0


def test_an_assessment_is_let_go_once_its_report_is_written(tmp_path: Path) -> None:
    """The writer keeps an assessment only until its report is written (holding every one
    until the end, a nation's tick grew from 206 to 673 MiB, measured: bench/RESULTS.md)."""
    import gc
    import time
    import weakref

    with ReportWriter[int](tmp_path, processes=1) as writer:
        kept = []
        for i in range(12):
            a = assessment(i)
            kept.append(weakref.ref(a))
            writer.submit(i, a, [], final=False)
        del a
        deadline = time.monotonic() + 30
        while any(ref() is not None for ref in kept) and time.monotonic() < deadline:
            time.sleep(0.05)  # the caller assessing the next batch
            gc.collect()
        assert [ref() is None for ref in kept] == [True] * 12
        assert [k for k, _, _ in writer.finished()] == list(range(12))
    here = ReportWriter[int](tmp_path / "here", processes=0)  # written in the caller: at once
    a = assessment(0)
    ref = weakref.ref(a)
    here.submit(0, a, [], final=False)
    del a
    gc.collect()
    assert ref() is None


def test_a_killed_worker_leaves_its_reports_to_the_caller(tmp_path: Path) -> None:
    writer: ReportWriter[int] = ReportWriter(tmp_path, processes=1)
    with writer:
        writer.submit(0, assessment(0), [], final=False)
        pool = writer._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()  # as the kernel's OOM killer would
        for i in range(1, 5):
            writer.submit(i, assessment(i), [], final=False)
        done = list(writer.finished())
    assert [k for k, _, _ in done] == [0, 1, 2, 3, 4]
    assert all(x.exists() and h.exists() for _, x, h in done)


def test_an_error_in_the_tick_still_leaves_the_reports_handed_over(tmp_path: Path) -> None:
    """A tick that fails after handing reports over leaves each of them whole: none is
    dropped half-way (cancelling the queued ones races Python 3.11's pool on a dying worker),
    and the tick's own error is what is raised."""
    with pytest.raises(RuntimeError, match="数据库连接中断"):
        with ReportWriter[int](tmp_path, processes=1) as writer:
            for i in range(12):
                writer.submit(i, assessment(i), [], final=False)
            raise RuntimeError("数据库连接中断")
    assert len(list(tmp_path.glob("*.xlsx"))) == 12 and len(list(tmp_path.glob("*.html"))) == 12
    assert not list(tmp_path.glob("*.tmp"))


def test_a_failed_write_is_raised_in_its_turn(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the reports folder should be")
    writer: ReportWriter[int] = ReportWriter(blocked, processes=0)
    writer.submit(0, assessment(0), [], final=False)
    with pytest.raises(OSError):
        list(writer.finished())


def test_a_citys_few_reports_are_written_in_the_tick_itself() -> None:
    assert writer_processes(1) == 0
    assert writer_processes(100) >= 1


def test_each_report_is_written_once(tmp_path: Path) -> None:
    """A report the caller wrote itself is never handed to a worker afterwards (a worker
    writing it again would change its file after `finished` returned it)."""
    writer: ReportWriter[int] = ReportWriter(tmp_path, processes=1)
    with writer:
        for i in range(20):
            writer.submit(i, assessment(i), [], final=False)
        done = list(writer.finished())
        stamps = {x: x.stat().st_mtime_ns for _, x, _ in done}
    # leaving the block waits for the worker to finish whatever it still had
    assert [k for k, _, _ in done] == list(range(20))
    assert {x: x.stat().st_mtime_ns for x in stamps} == stamps


def test_the_workbook_keeps_what_units_wrote_as_text_and_figures_as_numbers(tmp_path: Path) -> None:
    """Progress text is the unit's words: one that begins with "=" or is a web address stays
    text (never a formula Excel would run, nor a link); figures are numbers; once the plan's
    last period has closed, the final assessment has its sheet in the form of 表1-1."""
    from openpyxl import load_workbook

    from reporting.report import write_report

    r = assessment(3)
    r.as_of = "2025-10-21"  # after the due date: the period has closed
    r.tasks[0].text = '=HYPERLINK("http://example.invalid","点此")'
    r.tasks[1].text = "https://example.invalid/进展"
    r.tasks[2].text = "0012"  # a number-looking text stays as written
    r.tasks[3].flags = []
    xlsx, _ = write_report(r, tmp_path, ["数据截至10月14日"], final=True)
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["报送情况", "任务进展", "指标进度", "最终评估"]
    units, tasks, targets, final = (wb[name] for name in wb.sheetnames)
    assert units["A3"].value == "说明：数据截至10月14日"
    assert [c.value for c in units[5]][:7] == [2, 1, 0, 1, 1, 0.5, 0]  # 应报 … 按时报送率
    # units in the directory's order (here none has one: by name), never by id
    assert [c.value for c in units[8]][:5] == [1, "市市场监管局", "未报送", None, "否"]
    assert [c.value for c in units[9]][:5] == [2, "市科技局", "逾期报送", "2025-10-15 09:00", "否"]
    assert units["C8"].fill.fgColor.rgb.endswith("FFC7CE")
    assert [tasks[f"G{row}"].value for row in (3, 4, 5)] == [
        '=HYPERLINK("http://example.invalid","点此")',
        "https://example.invalid/进展",
        "0012",
    ]
    assert all(tasks[f"G{row}"].data_type == "s" for row in (3, 4, 5))
    assert not tasks._hyperlinks and tasks["H3"].value == "与上期雷同" and tasks["H6"].value is None
    assert [c.value for c in targets[3]] == [
        "T1",
        "新增国家标准",
        "市市场监管局",
        "≥ 50 项",
        12.5,
        6.0,
        "2025年第三季度",
        "滞后于序时进度",
        40.0,
        "不能",
    ]
    assert targets["H3"].fill.fgColor.rgb.endswith("FFEB9C")
    assert [c.value for c in final[4]] == [1, "新增国家标准", "≥ 50 项", 6.0, "未达到"]
