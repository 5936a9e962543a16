"""The period report, ready to forward: the annex (.xlsx: 报送情况, 任务进展, 指标进度, and the
final assessment once the plan's last period has closed), an HTML page with charts (inline
SVG, no scripts, opens anywhere) and, given its data, the 通报 (.docx).

Files are named for the plan and period on disk (`reporting.names.report_paths`) and offered
under their Chinese names (`reporting.names.download_names`)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reporting import charts
from reporting.counts import listed, period_counts
from reporting.figures import PeriodAssessment
from reporting.final import final_due, final_lines, value_period
from reporting.names import report_paths
from reporting.notice_data import NoticeData
from reporting.progress import STATUS_ZH
from reporting.report_xlsx import FILLS, FLAG_ZH, UNIT_STATUS_ZH, write_annex
from vocab import zh
from vocab.words import ReportStatus, TargetStatus

log = logging.getLogger(__name__)

__all__ = [
    "FILLS",
    "FLAG_ZH",
    "UNIT_STATUS_ZH",
    "ReportFiles",
    "write_period_report",
    "write_report",
]


class ReportFiles(NamedTuple):
    xlsx: Path
    html: Path
    notice: Path | None  # the 通报, when its data was given


def write_report(
    result: PeriodAssessment,
    out_dir: Path,
    notes: list[str],
    final: bool = False,
    notice: NoticeData | None = None,
    closed: bool | None = None,
) -> tuple[Path, Path]:
    """Write `<plan>-<period>.xlsx` and `.html` (and, with `notice`, the 通报
    `<plan>-<period>-notice.docx`) into `out_dir`; return the xlsx and html paths.

    `final`: the period is the plan's last; its report carries the final assessment once the
    period has closed (`reporting.final`: its due date has passed, or `closed` says so)."""
    files = write_period_report(result, out_dir, notes, final, notice, closed)
    return files.xlsx, files.html


def write_period_report(
    result: PeriodAssessment,
    out_dir: Path,
    notes: list[str],
    final: bool = False,
    notice: NoticeData | None = None,
    closed: bool | None = None,
) -> ReportFiles:
    """`write_report`, returning every file written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = report_paths(out_dir, result.plan_slug, result.period_label)
    with_final = final_due(result, final, closed)
    if final and not with_final:
        log.info(
            "%s %s: the final assessment waits until the period has closed",
            result.plan_slug,
            result.period_label,
        )
    page_header = f"《{result.plan_title}》{zh.period_name(result.period_label)}工作进展情况"
    write_annex(result, paths.xlsx, notes, with_final, page_header)
    _write_text(paths.html, render_html(result, notes, with_final))
    if notice is not None:
        from reporting.notice import write_notice  # python-docx only where a 通报 is written

        write_notice(notice, paths.notice)
    return ReportFiles(paths.xlsx, paths.html, paths.notice if notice is not None else None)


def render_html(result: PeriodAssessment, notes: list[str], final: bool) -> str:
    r = result
    counts = period_counts(r)
    parts = [
        ("按时", counts.on_time, "#70AD47"),
        ("逾期", counts.late, "#FFC000"),
        ("未报", counts.missing, "#E06666"),
        ("免报", counts.waived, "#BFBFBF"),
    ]
    lanes = [
        charts.target_lane(
            t, STATUS_ZH[TargetStatus(t.status)], FILLS[t.status], value_period(r, t)
        )
        for t in r.targets
    ]
    dated = [
        (t, value_period(r, t) or (zh.period_name(r.period_label) if t.actual is not None else ""))
        for t in r.targets
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=r,
            c=counts,
            notes=notes,
            units=listed(r.units),
            targets=dated,
            tasks=sorted(r.tasks, key=lambda t: (t.unit_order, t.unit_name)),
            period_name=zh.period_name(r.period_label),
            due_text=zh.date(dt.date.fromisoformat(r.due_on)),
            as_of_text=zh.date(dt.date.fromisoformat(r.as_of)),
            rates=charts.rate_chart(r.rates),
            counts=charts.count_bar(parts),
            lanes=lanes,
            final=final_lines(r) if final else None,
            unit_status={**UNIT_STATUS_ZH, **{s.value: w for s, w in UNIT_STATUS_ZH.items()}},
            status_zh=STATUS_ZH,
            flag_zh=FLAG_ZH,
            colors=FILLS,
            percent=zh.percent,
            number=lambda v: zh.number(round(v, 2)),
            waived=ReportStatus.WAIVED,
        )
    )


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@cache  # the template is compiled once: a province writes 100 reports in one tick
def _environment() -> Environment:
    # `select_autoescape()` alone escapes only names ending .html: report.html.j2 was not
    # escaped, and a unit's progress text went into the page as markup.
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(["html.j2"]),
    )
