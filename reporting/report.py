"""The period report, ready to forward: an .xlsx (报送情况, 任务进展, 指标进度) and an HTML page
with charts (inline SVG, no scripts, opens anywhere)."""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from reporting.figures import PeriodAssessment
from reporting.periods import quarter_name
from reporting.progress import ACHIEVED, STATUS_ZH
from vocab import zh
from vocab.words import FlagKind, FlagSubject, ReportStatus, TargetStatus

log = logging.getLogger(__name__)

UNIT_STATUS_ZH = {
    ReportStatus.SUBMITTED: "按时报送",
    ReportStatus.LATE: "逾期报送",
    ReportStatus.MISSING: "未报送",
    ReportStatus.WAIVED: "免报",
}
FLAG_ZH = {kind: zh.flag_word(kind, FlagSubject.TASK) for kind in FlagKind}
FILLS = {
    ReportStatus.SUBMITTED: "C6EFCE",
    ReportStatus.LATE: "FFEB9C",
    ReportStatus.MISSING: "FFC7CE",
    ReportStatus.WAIVED: "EEEEEE",
    TargetStatus.ACHIEVED: "C6EFCE",
    TargetStatus.ON_TRACK: "C6EFCE",
    TargetStatus.BEHIND: "FFEB9C",
    TargetStatus.SERIOUSLY_BEHIND: "FFC7CE",
    TargetStatus.NO_DATA: "EEEEEE",
}


def write_report(
    result: PeriodAssessment, out_dir: Path, notes: list[str], final: bool = False
) -> tuple[Path, Path]:
    """Write `<plan>-<period>.xlsx` and `.html` into `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"{result.plan_slug}-{result.period_label}"
    xlsx, html = base.with_suffix(".xlsx"), base.with_suffix(".html")
    _xlsx(result, xlsx, notes, final)
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=result,
            period_name=quarter_name(result.period_label),
            notes=notes,
            final=final,
            unit_status=UNIT_STATUS_ZH,
            status_zh=STATUS_ZH,
            flag_zh=FLAG_ZH,
            colors=FILLS,
        )
    )
    tmp = html.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html)
    return xlsx, html


def _write_timed(
    result: PeriodAssessment, out_dir: Path, notes: list[str], final: bool
) -> tuple[Path, Path, float]:
    start = time.perf_counter()
    xlsx, html = write_report(result, out_dir, notes, final)
    return xlsx, html, time.perf_counter() - start


K = TypeVar("K")


class _Job(Generic[K]):
    """A report handed over: its key, its future and, until it is written, what to write it
    from (kept to write it here should the worker die; dropped once written, so a nation's
    3,000 assessments are not all held until the end of the tick)."""

    __slots__ = ("args", "future", "key")

    def __init__(
        self, key: K, args: tuple[Any, ...], future: Future[tuple[Path, Path, float]]
    ) -> None:
        self.key, self.future = key, future
        self.args: tuple[Any, ...] | None = args
        future.add_done_callback(self._done)  # at once if already done

    def _done(self, future: Future[tuple[Path, Path, float]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.args = None


def _inline(args: tuple[Any, ...]) -> Future[tuple[Path, Path, float]]:
    """The write done here and now, as a finished future (its error kept for `finished`)."""
    job: Future[tuple[Path, Path, float]] = Future()
    try:
        job.set_result(_write_timed(*args))
    except Exception as exc:
        job.set_exception(exc)
    return job


PARALLEL_FROM = 8  # reports in one tick before a writer process pays for its start (~0.5 s)


def writer_processes(reports: int) -> int:
    """Writer processes for a tick of `reports` reports: none (write them in the caller) for a
    city's few, else one per core the caller leaves free, at most 4."""
    if reports < PARALLEL_FROM:
        return 0
    return max(1, min((os.cpu_count() or 1) - 1, 4))


class ReportWriter(Generic[K]):
    """Writes period reports, in worker processes while the caller assesses the next period.

    Writing a province's 100 workbooks (then with openpyxl, ~40 ms each) took longer than
    assessing the periods (measured, bench/): with `processes`, the files are written beside
    the assessment instead of after it. The workers are spawned, not forked: the caller holds
    database connections and Prefect's threads, which a fork would copy. Each file is still written to a
    temporary name and renamed, so a failed or killed worker leaves no half-written report.

    `submit(key, …)` hands a report to the workers at once. (Handed out two at a time, for
    the caller to take back the rest at the end, the worker sat idle between the tick's
    batches and most reports were left for the end: measured, bench/RESULTS.md. Taking back a
    queued report needs `Future.cancel`, which on Python 3.11 can kill the pool's manager
    thread when a worker dies at the same moment, leaving the other reports unanswered.)
    `finished()` yields (key, xlsx, html) in the order submitted, raising the first write that
    failed. Should a worker die (killed, out of memory), its reports are written in the
    caller's process instead. `writing` is the seconds the writes took (overlapped), `waited`
    the seconds the caller waited for the workers.
    """

    def __init__(self, out_dir: Path, processes: int = 0):
        self.out_dir = out_dir
        self._pool = (
            ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
            if processes
            else None
        )
        self._jobs: list[_Job[K]] = []
        self.writing = 0.0
        self.waited = 0.0

    def submit(self, key: K, result: PeriodAssessment, notes: list[str], final: bool) -> None:
        args = (result, self.out_dir, list(notes), final)
        job = None
        if self._pool is not None:
            try:
                job = self._pool.submit(_write_timed, *args)
            except BrokenProcessPool:
                pass  # a worker died earlier: this one is written here
        self._jobs.append(_Job(key, args, job if job is not None else _inline(args)))

    def finished(self) -> Iterator[tuple[K, Path, Path]]:
        for job in self._jobs:
            start = time.perf_counter()
            try:
                xlsx, html, seconds = job.future.result()
            except BrokenProcessPool:
                assert job.args is not None  # kept: the report was not written
                log.warning(
                    "a report writer process stopped; writing %s here", job.args[0].period_label
                )
                xlsx, html, seconds = _write_timed(*job.args)
            self.waited += time.perf_counter() - start
            self.writing += seconds
            yield job.key, xlsx, html
        self._jobs = []

    def __enter__(self) -> ReportWriter[K]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # On an error too, the reports already handed over are written (their assessments
        # are stored): dropping them means `Future.cancel`, the Python 3.11 race above.
        if self._pool is not None:
            self._pool.shutdown(wait=True)


@cache  # the template is compiled once: a province writes 100 reports in one tick
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(),
    )


WIDTHS = (24, 40, 16, 18, 16, 40, 16, 14, 12)


class _Sheet:
    """One sheet of the report workbook, written row by row, with Duban's column widths.

    The report is written with XlsxWriter, made for writing workbooks: a province's 100
    reports took 0.45 of openpyxl's time in write-only mode (measured, bench/RESULTS.md), and
    the per-workbook cost of openpyxl's object model was a third of it. openpyxl still writes
    the templates (their validation and protection) and reads what units send back.
    Text is always written as text: a unit's progress beginning with "=" or "http" stays
    what they wrote, never a formula or a link."""

    def __init__(self, wb: Workbook, title: str, formats: dict[str, Format]):
        self.ws = wb.add_worksheet(title)
        self.formats = formats
        self.index = 0
        for col, width in enumerate(WIDTHS):
            self.ws.set_column(col, col, width)

    def row(
        self, values: list[Any], bold: bool = False, fills: dict[int, str] | None = None
    ) -> None:
        ws, r = self.ws, self.index
        for col, value in enumerate(values):
            style = self.formats["bold"] if bold else None
            if fills and col in fills:
                style = self.formats[fills[col]]
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(r, col, None, style)
            elif isinstance(value, str):
                ws.write_string(r, col, value, style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, col, value, style)
            else:
                ws.write_string(r, col, str(value), style)
        self.index += 1


def _xlsx(r: PeriodAssessment, path: Path, notes: list[str], final: bool) -> None:
    buffer = io.BytesIO()
    wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                           "strings_to_urls": False, "strings_to_numbers": False})  # fmt: skip
    formats = {"bold": wb.add_format({"bold": True})}
    for color in set(FILLS.values()):  # solid: XlsxWriter stores the colour as the fill's fgColor
        formats[color] = wb.add_format({"pattern": 1, "bg_color": f"#{color}"})
    ws = _Sheet(wb, "报送情况", formats)
    ws.row(
        [
            f"《{r.plan_title}》{quarter_name(r.period_label)}工作进展报送情况（截止 {r.due_on}，统计至 {r.as_of}）"
        ]
    )
    ws.row([f"报送率 {r.reporting_rate:.0%}，按时报送率 {r.on_time_rate:.0%}"])
    for note in notes:
        ws.row([f"说明：{note}"])
    ws.row(["单位", "报送情况", "首次报送时间", "是否按时"], bold=True)
    for u in r.units:
        ws.row([u.unit_name, UNIT_STATUS_ZH[u.status], u.received_at or "", "是" if u.on_time else "否"],
               fills={1: FILLS[u.status]})  # fmt: skip

    ws = _Sheet(wb, "任务进展", formats)
    ws.row(["编号", "任务", "单位", "角色", "本期状态", "本期进展", "提示"], bold=True)
    for t in r.tasks:
        ws.row(
            [
                t.ref,
                t.title,
                t.unit_name,
                t.role,
                t.status,
                t.text,
                "、".join(FLAG_ZH[f] for f in t.flags),
            ]
        )

    ws = _Sheet(wb, "指标进度", formats)
    ws.row(
        [
            "编号",
            "指标",
            "责任单位",
            "目标",
            "序时进度应达",
            "实际",
            "状态",
            "预测期末值",
            "预测能否完成",
        ],
        bold=True,
    )
    for t in r.targets:
        ws.row([t.code, t.name, t.owner, t.goal, round(t.expected, 2), t.actual, STATUS_ZH[t.status],
                None if t.forecast is None else round(t.forecast, 2),
                "" if t.will_meet is None else ("能" if t.will_meet else "不能")],
               fills={6: FILLS[t.status]})  # fmt: skip

    if final:  # the form of the seed's 表1-1
        ws = _Sheet(wb, "最终评估", formats)
        ws.row(["序号", "指标名称", "目标", "实绩", "完成情况"], bold=True)
        for i, t in enumerate(r.targets, start=1):
            ws.row([i, t.name, t.goal, t.actual if t.actual is not None else "未报",
                    "已达到" if t.status == ACHIEVED else "未达到"])  # fmt: skip
    wb.close()
    tmp = path.with_suffix(".xlsx.tmp")
    tmp.write_bytes(buffer.getbuffer())
    tmp.replace(path)
