"""Re-assess a period and rewrite its report: one action behind `duban report` and the
portal's 重新评估, so both store the same assessment and write the same files — the annex, the
HTML page, the 通报 and, for the plan's last period once it has closed, the 最终评估
(`reporting.final` decides)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Period, Plan
from reporting.assess import assess_periods, store_many
from reporting.figures import PeriodAssessment
from reporting.final import final_due
from reporting.names import download_names, short_title, year_paths
from reporting.notice_data import NoticeData, Signature, notice_data
from reporting.report import ReportFiles, write_period_report
from reporting.workdays import WorkCalendar
from reporting.yearly import YearResult, score_year
from reporting.yearly_input import in_year, year_input
from reporting.yearly_xlsx import write_year_xlsx
from tasks_catalog.schema import Assessment
from vocab import zh


@dataclass(frozen=True)
class ReportSetup:
    """What a report needs that the assessment does not know."""

    out_dir: Path
    calendar: WorkCalendar
    programme: str
    office_name: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reassessed:
    period_id: int
    plan_slug: str
    plan_title: str
    period_label: str
    result: PeriodAssessment
    files: ReportFiles
    with_final: bool  # the report carries the 最终评估

    @property
    def summary(self) -> str:
        """What was done, as the office reads it."""
        what = "附表、网页版和通报" + ("，含最终评估" if self.with_final else "")
        return (
            f"《{self.plan_title}》{zh.period_name(self.period_label)}：已按当前数据重新评估"
            f"（报送率 {zh.percent(self.result.reporting_rate)}，"
            f"按时报送率 {zh.percent(self.result.on_time_rate)}），重写{what}"
        )


def is_last_period(period: Period, plan: Plan) -> bool:
    return period.end == dt.date(plan.end_year, 12, 31)


def plan_short(plan_title: str, programme: str) -> str | None:
    """The plan's short title where it says more than the programme (file names)."""
    short = short_title(plan_title)
    return None if programme in short else short


def notice_of(
    result: PeriodAssessment, plan: Plan, setup: ReportSetup, as_of: dt.date
) -> NoticeData:
    """The period's 通报, signed by the office on the day of the assessment."""
    return notice_data(
        result,
        setup.calendar,
        Signature(setup.office_name, as_of),
        setup.programme,
        doc_number=None,
        notes=setup.notes,
    )


def reassess(
    session: Session, period_ids: list[int], as_of: dt.date, setup: ReportSetup
) -> list[Reassessed]:
    """Assess the periods from the current data, store the assessments (replacing that day's)
    and write their reports; return what was done, in the order given."""
    found = {
        p.id: (p, plan)
        for p, plan in session.execute(
            select(Period, Plan).join(Plan).where(Period.id.in_(period_ids))
        )
    }
    chosen = [found[i] for i in period_ids if i in found]
    periods = [p for p, _ in chosen]
    results = assess_periods(session, periods, as_of)
    store_many(session, list(zip(periods, results, strict=True)), as_of)
    done = []
    for (period, plan), result in zip(chosen, results, strict=True):
        final = is_last_period(period, plan)
        files = write_period_report(
            result, setup.out_dir, setup.notes, final, notice_of(result, plan, setup, as_of)
        )
        done.append(
            Reassessed(
                period.id,
                plan.slug,
                plan.title,
                period.label,
                result,
                files,
                final_due(result, final),
            )
        )
    return done


def download_name(path: Path, programme: str, plan_title: str, label: str) -> str:
    """The Chinese name a period's report file is offered under (by its suffix)."""
    names = download_names(programme, label, plan_short(plan_title, programme))
    if path.name.endswith("-notice.docx"):
        return names.notice
    return names.xlsx if path.suffix == ".xlsx" else names.html


class NoYear(ValueError):
    """A year with nothing to score; the message says why, in Chinese."""


def year_result(
    session: Session, plan_slug: str, year: int, as_of: dt.date, weights: Assessment | None
) -> YearResult:
    """The yearly 考核 of a plan: its opened periods ending in `year`, assessed from the
    current data as of `as_of`, scored with the plan's weights (None: the defaults)."""
    plan = session.scalar(select(Plan).where(Plan.slug == plan_slug))
    if plan is None:
        raise NoYear(f"没有方案 {plan_slug}：请先 duban catalog load")
    periods = [
        p
        for p in session.scalars(
            select(Period)
            .where(Period.plan_id == plan.id, Period.opened_at.is_not(None))
            .order_by(Period.start)
        )
        if in_year(p.label, year)
    ]
    if not periods:
        raise NoYear(f"《{plan.title}》{year}年没有已开启的报送期，无法考核")
    return score_year(year_input(assess_periods(session, periods, as_of), year, weights))


def write_year(result: YearResult, setup: ReportSetup, as_of: dt.date) -> tuple[Path, Path]:
    """Write the 考核 table (.xlsx) and its 通报 (.docx) into the reports folder."""
    from reporting.yearly_notice import YearNotice, write_year_notice  # python-docx

    setup.out_dir.mkdir(parents=True, exist_ok=True)
    xlsx, docx = year_paths(setup.out_dir, result.plan_slug, result.year)
    notice = YearNotice(
        setup.programme,
        Signature(setup.office_name, as_of),
        plan_short=plan_short(result.plan_title, setup.programme),
    )
    return write_year_xlsx(result, xlsx, as_of), write_year_notice(result, notice, docx)
