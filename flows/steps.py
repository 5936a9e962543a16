"""The daily tick's steps as plain functions of (runtime, as_of, now).

Prefect wraps these as a few coarse tasks (flows/prefect_flows.py); the demo and the tests call
them directly. Every step is idempotent: replaying a day changes nothing that already happened.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.batching import batched
from db.models import Period, Plan, Unit
from db.statistics import refresh_statistics
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import dispatch, notice_subject
from notifications.render import words
from reporting import reminders, schedule
from reporting.actions import ReportSetup, download_name, notice_of
from reporting.assess import TABLES, assess_periods, store_many
from reporting.cycle import open_periods, reporting_of
from reporting.figures import PeriodAssessment
from reporting.intake import ingest_inbox
from reporting.light_digest import last_lights, unit_lights
from reporting.names import report_paths
from reporting.notice_data import NoticeData
from reporting.report_pool import ReportWriter, writer_processes
from vocab import zh
from vocab.messages import RequestItem
from vocab.words import MessageKind

log = logging.getLogger(__name__)


def open_and_request(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    with rt.sessions.begin() as session:
        return open_periods(session, as_of, now, rt.calendar, rt.var_dir)


def ingest(rt: Runtime, now: dt.datetime) -> Counter[str]:
    outcomes = ingest_inbox(rt.sessions, rt.inbox, rt.var_dir, now)
    for o in outcomes:
        log.info("inbox %s: %s %s", o.file, o.status, o.detail)
    return Counter(o.status for o in outcomes)


def remind(rt: Runtime, as_of: dt.date, now: dt.datetime) -> tuple[int, int, int]:
    """Enqueue today's digests; return (new digests, merged into today's pending one, deferred).

    Digests come in batches of units (`reminders.decide_batches`); each batch's new rows go in
    with one INSERT, and a key that already exists today (a second tick, another worker) is
    merged into the unsent row or, once sent, its steps wait for tomorrow. One transaction for
    the day, so a failed tick leaves nothing half-enqueued.
    """
    created = merged = deferred = 0
    with rt.sessions.begin() as session:
        for digests in reminders.decide_batches(session, as_of, rt.calendar, rt.var_dir):
            new, more, later = _enqueue_digests(rt, session, digests, as_of, now)
            created, merged, deferred = created + new, merged + more, deferred + later
    return created, merged, deferred


def _enqueue_digests(
    rt: Runtime, session: Any, digests: list[reminders.Digest], as_of: dt.date, now: dt.datetime
) -> tuple[int, int, int]:
    merged = deferred = 0
    names = dict(
        session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_({d.unit_id for d in digests if d.unit_id}))
        ).all()
    )
    payloads = {}
    for digest in digests:
        add_links(rt, digest.items)
        salutation = (
            rt.messages.office_name
            if digest.audience == "office"
            else names.get(digest.unit_id or "", digest.recipient)
        )
        if digest.audience == "leader":
            salutation = f"{salutation}负责同志"
        payloads[digest.key] = {
            "audience": digest.audience,
            "salutation": salutation,
            "day": as_of.isoformat(),
            "items": digest.items,
        }
        if digest.audience == "liaison" and digest.unit_id:
            # tasks turned 黄/红 since the unit's last digest are named in this one
            seen = last_lights(session, digest.recipient, digest.key)
            lights, changes = unit_lights(session, rt.calendar, as_of, digest.unit_id, seen)
            payloads[digest.key] |= {"lights": lights, "light_changes": changes}
    existing = outbox.existing(session, list(payloads))
    fresh = [d for d in digests if d.key not in existing]
    created = outbox.enqueue_many(session, [
        {"key": d.key, "channel": d.recipient, "unit_id": d.unit_id, "kind": d.kind, "payload": payloads[d.key]} for d in fresh
    ], now)  # fmt: skip
    existing = outbox.existing(
        session, [d.key for d in digests if d.key in existing or d.key not in created]
    )
    handled = []
    for digest in digests:
        row = existing.get(digest.key)
        if row is not None and digest.key not in created:
            if row.status != outbox.PENDING:
                deferred += 1  # today's message already went out; these steps wait for tomorrow
                continue
            # Still unsent: fold the new items into it (one message per recipient per day).
            known = {(i["request_id"], i["stage"]) for i in row.payload["items"]}
            extra = [i for i in digest.items if (i["request_id"], i["stage"]) not in known]
            row.payload = {**row.payload, "items": row.payload["items"] + extra}
            merged += 1
        handled.append(digest)
    reminders.mark_handled_many(session, handled, as_of)
    return len(created), merged, deferred


def add_links(rt: Runtime, items: list[RequestItem]) -> None:
    """Give each item the unit's personal portal link for that request."""
    if rt.links is None:
        return
    for item in items:
        item["link"] = rt.links.url(
            item["request_id"],
            item["unit_id"],
            item["period_label"],
            dt.date.fromisoformat(item["due_on"]),
        )


def publish_feeds(rt: Runtime, now: dt.datetime) -> list[str]:
    """Rewrite the .ics feeds of the units whose open deadlines changed (an empty calendar for
    a unit with none left, so a subscribed calendar clears); publish the changed events to
    CalDAV when configured. Return notes for the report."""
    from notifications.feeds import (
        CalDavError,
        Marks,
        changed_units,
        publish_caldav,
        resource_name,
        unit_mark,
        write_feeds,
    )

    known = Marks(rt.feeds / ".marks.json")
    with rt.sessions() as session:
        marks = reminders.deadline_marks(session)
        units = changed_units(marks, known, rt.feeds)
        events = {code: mark for deadlines in marks.values() for code, mark in deadlines.items()}
        moved = [c for c, m in events.items() if known.events.get(resource_name(c)) != m]
        wanted = set(units)
        if rt.caldav_url:
            wanted |= {u for u, deadlines in marks.items() if set(deadlines) & set(moved)}
        items = reminders.open_items(session, rt.calendar, rt.var_dir, sorted(wanted))
    write_feeds(rt.feeds, items, units, rt.messages, now)
    known.units.update({unit: unit_mark(marks[unit]) for unit in units})
    notes: list[str] = []
    if rt.caldav_url:
        changed = {resource_name(c) for c in moved}
        to_put = [i for unit in items.values() for i in unit if resource_name(i["code"]) in changed]
        current = {resource_name(c) for c in events}
        gone = sorted(set(known.events) - current)
        try:
            put, deleted = publish_caldav(rt.caldav_url, to_put, gone, rt.messages, now)
        except CalDavError as exc:
            log.warning("%s", exc)
            notes.append(f"日历发布失败：{exc}")
        else:
            known.events = {resource_name(c): m for c, m in events.items()}
            log.info("CalDAV: %s deadlines published, %s removed", put, deleted)
    known.save()
    return notes


def change_deadline(
    rt: Runtime, code: str, now: dt.datetime, new_due: dt.date | None = None, waive: bool = False
) -> str:
    """Extend or waive a request and send the unit its updated (or cancelled) invite."""
    from reporting.cycle import extend, find_request
    from reporting.cycle import waive as waive_request

    with rt.sessions.begin() as session:
        request = find_request(session, code)
        if waive:
            waive_request(session, request, now)
        else:
            assert new_due is not None
            extend(session, request, new_due, now, rt.calendar)
        item = reminders.invite_item(session, request, rt.calendar, rt.var_dir)
        add_links(rt, [item])
        unit = session.get(Unit, request.unit_id)
        method = "CANCEL" if waive else "REQUEST"
        outbox.enqueue(session, key=f"invite:{request.code}:{request.sequence}", recipient=request.unit_id,
                       unit_id=request.unit_id, kind="invite", subject="",
                       payload={"item": item, "method": method, "salutation": unit.name if unit else request.unit_id},
                       now=now)  # fmt: skip
        done = "已免报，日程已取消" if waive else f"截止日期改为 {request.due_on.isoformat()}"
        return f"{request.code}：{done}（日程第 {request.sequence} 次更新）"


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
    notes = []
    if not rt.calendar.covered(as_of.year) or rt.calendar.fallback_years:
        years = sorted(
            rt.calendar.fallback_years
            | ({as_of.year} if not rt.calendar.covered(as_of.year) else set())
        )
        notes.append(words("holiday_note", {"years": [str(y) for y in years]}))
    if missed:
        notes.append(words("missed_note", {"days": [zh.date(d) for d in missed]}))
    return notes


def may_send(rt: Runtime) -> Callable[[dt.datetime], bool]:
    """Messages to units go out on working days within the configured Shanghai hours."""
    return lambda now: schedule.may_send(now, rt.send_hours, rt.calendar)


def template_of(rt: Runtime) -> Any:
    """The Excel template of a request, written on first use (attachments are built at dispatch)."""
    from db.models import Request as ReportRequest
    from reporting.cycle import ensure_template

    def path(item: dict[str, Any]) -> Path | None:
        with rt.sessions() as session:
            request = session.get(ReportRequest, item["request_id"])
            return ensure_template(session, request, rt.var_dir) if request is not None else None

    return path


def dispatch_outbox(
    rt: Runtime,
    now_fn: Callable[[], dt.datetime],
    worker: str = "dispatcher",
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    return dispatch(
        rt.sessions,
        rt.channel,
        rt.messages,
        now_fn,
        worker=worker,
        limit=limit,
        may_send=may_send(rt),
        templates=template_of(rt),
        stop=stop,
    )


def held_messages(rt: Runtime, now: dt.datetime) -> tuple[int, dt.datetime] | None:
    """Outside the send hours: how many messages to units wait, and from when they go."""
    if schedule.may_send(now, rt.send_hours, rt.calendar):
        return None
    with rt.sessions() as session:
        count = outbox.count_due(session, now, exclude_kinds=("admin",))
    if not count:
        return None
    return count, schedule.next_send_time(now, rt.send_hours, rt.calendar)
