"""The tick's assessment and report step: the periods due, assessed ten at a time, their
report files written beside (`ReportWriter`), and the office's report notice queued."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.batching import batched
from db.models import Period, Plan
from db.statistics import refresh_statistics
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import notice_subject
from notifications.render import words
from reporting import schedule
from reporting.actions import ReportSetup, download_name, notice_of
from reporting.assess import TABLES, assess_periods, store_many
from reporting.figures import PeriodAssessment
from reporting.names import report_paths
from reporting.notice_data import NoticeData
from reporting.opening import reporting_of
from reporting.report_pool import ReportWriter, writer_processes
from vocab import zh
from vocab.words import MessageKind

log = logging.getLogger(__name__)


def periods_in_play(rt: Runtime, as_of: dt.date) -> list[tuple[int, str, str]]:
    with rt.sessions() as session:
        rows = session.execute(
            select(Period.id, Plan.slug, Period.label)
            .join(Plan, Period.plan_id == Plan.id)
            .where(
                Period.opened_at.is_not(None),
                Period.opens_on <= as_of,
                Period.due_on >= as_of - schedule.IN_PLAY,
            )
            .order_by(Plan.slug, Period.start)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def office_after(plan: Plan) -> int | None:
    """Working days after a due date on which the plan's ladder escalates to the office."""
    return reporting_of(plan).ladder.escalate_office_after


ASSESS_BATCH = 10  # periods assessed together: their history read in one set of queries


def assess_and_report(
    rt: Runtime, as_of: dt.date, now: dt.datetime, notes: list[str], force: bool = False
) -> list[Path]:
    """Assess the periods in play that are due today (all with `force`), store each
    assessment, write its report and, from the office day on, queue it to the office.

    First the planner statistics of the tables read are refreshed where stale (PostgreSQL:
    without them a nation's assessment scanned whole tables every batch, db/statistics.py).
    Periods are assessed ASSESS_BATCH at a time, each batch reading its history at once and
    committing on its own (one period at a time it was twenty queries a period: measured,
    bench/). The report files are written by a ReportWriter (in worker processes when there
    are many, beside the next batch's assessment) and the office's email is queued once its
    files exist, so it never points at a report not yet written.
    """
    written: list[Path] = []
    in_play = periods_in_play(rt, as_of)
    if in_play:  # the history's queries are planned from these (db/statistics.py)
        with rt.sessions.begin() as session:
            refresh_statistics(session.connection(), TABLES)
    office_mails: dict[int, dict[str, Any]] = {}
    notices: dict[int, NoticeData] = {}
    setup = report_setup(rt, as_of, notes)
    writer: ReportWriter[int] = ReportWriter(rt.reports, writer_processes(len(in_play)))
    with writer:
        for chunk in batched([period_id for period_id, _, _ in in_play], ASSESS_BATCH):
            to_write: list[tuple[int, PeriodAssessment, bool]] = []
            with rt.sessions.begin() as session:
                found = {
                    p.id: (p, plan)
                    for p, plan in session.execute(
                        select(Period, Plan).join(Plan).where(Period.id.in_(chunk))
                    )
                }
                due = [
                    found[i]
                    for i in chunk
                    if force
                    or schedule.assessment_due(
                        found[i][0].due_on, as_of, rt.calendar, office_after(found[i][1])
                    )
                ]
                periods = [period for period, _ in due]
                results = assess_periods(session, periods, as_of)
                store_many(session, list(zip(periods, results, strict=True)), as_of)
                for (period, plan), result in zip(due, results, strict=True):
                    notices[period.id] = notice_of(result, plan, setup, as_of)
                    to_write.append(
                        (period.id, result, period.end == dt.date(plan.end_year, 12, 31))
                    )
                    if schedule.report_to_office(
                        period.due_on, as_of, rt.calendar, office_after(plan)
                    ):
                        office_mails[period.id] = report_mail(rt, plan, period.label, result)
            for period_id, result, final in to_write:
                writer.submit(period_id, result, notes, final, notices.get(period_id))
        for period_id, xlsx, html in writer.finished():
            written += [xlsx, html]
            mail = office_mails.get(period_id)
            if mail is None:
                continue
            with rt.sessions.begin() as session:
                outbox.enqueue(
                    session,
                    key=mail["key"],
                    recipient="office",
                    unit_id=None,
                    kind=MessageKind.REPORT,
                    subject=notice_subject(MessageKind.REPORT, mail["facts"], rt.messages),
                    payload={"facts": mail["facts"], "salutation": rt.messages.office_name},
                    attachments=mail["attachments"],
                    now=now,
                )
    return written


def report_setup(rt: Runtime, as_of: dt.date, notes: list[str] | None = None) -> ReportSetup:
    """What the period reports need beyond the assessment: where, the calendar, who signs."""
    return ReportSetup(
        rt.reports,
        rt.calendar,
        rt.messages.programme,
        rt.messages.office_name,
        calendar_notes(rt, as_of, []) if notes is None else notes,
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_mail(rt: Runtime, plan: Plan, label: str, result: PeriodAssessment) -> dict[str, Any]:
    """The office's report notice: the 通报 and its annex attached under their Chinese names
    (email); the portal's links to them (DingTalk, where nothing can be attached)."""
    paths = report_paths(rt.reports, plan.slug, label)
    programme = rt.messages.programme
    files = [
        (paths.notice, download_name(paths.notice, programme, plan.title, label), DOCX),
        (paths.xlsx, download_name(paths.xlsx, programme, plan.title, label), XLSX),
    ]
    links = []
    if rt.links is not None:
        base = rt.links.base_url.rstrip("/") + "/office/reports/"
        shown = download_name(paths.html, programme, plan.title, label)
        links = [{"name": shown, "url": base + paths.html.name}]
        links += [{"name": name, "url": base + path.name} for path, name, _ in files]
    facts = {
        "plan_title": plan.title,
        "period_name": zh.period_name(label),
        "reporting_rate": zh.percent(result.reporting_rate),
        "on_time_rate": zh.percent(result.on_time_rate),
        "files": [name for _, name, _ in files],
        "links": links,
        "reports_dir": str(rt.reports),
    }
    return {
        "key": f"report:{plan.slug}:{label}",
        "facts": facts,
        "attachments": [
            {"path": str(path), "filename": name, "mimetype": mime} for path, name, mime in files
        ],
    }


def calendar_notes(rt: Runtime, as_of: dt.date, missed: list[dt.date]) -> list[str]:
    """What a report must say about the calendar it was computed with: the years up to its day
    whose holidays were not published (a later year guessed for a far deadline is not its
    business), and the working days the system did not run."""
    notes = []
    guessed = set(rt.calendar.fallback_years)
    if not rt.calendar.covered(as_of.year):
        guessed.add(as_of.year)
    years = sorted(y for y in guessed if y <= as_of.year)
    if years:
        notes.append(words("holiday_note", {"years": [str(y) for y in years]}))
    if missed:
        notes.append(words("missed_note", {"days": [zh.date(d) for d in missed]}))
    return notes
