"""The report writer's processes: period reports written in spawned workers while the caller
assesses the next period, taken over by the caller should a worker die."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from reporting.figures import PeriodAssessment
from reporting.notice_data import NoticeData
from reporting.report import write_report

log = logging.getLogger(__name__)


def _write_timed(
    result: PeriodAssessment,
    out_dir: Path,
    notes: list[str],
    final: bool,
    notice: NoticeData | None = None,
) -> tuple[Path, Path, float]:
    start = time.perf_counter()
    xlsx, html = write_report(result, out_dir, notes, final, notice)
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

    def submit(
        self,
        key: K,
        result: PeriodAssessment,
        notes: list[str],
        final: bool,
        notice: NoticeData | None = None,
    ) -> None:
        """Hand over a report; with `notice`, its 通报 is written too (beside the xlsx, named
        by `reporting.names.report_paths`)."""
        args = (result, self.out_dir, list(notes), final, notice)
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
