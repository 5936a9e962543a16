"""The daily tick's steps as plain functions of (runtime, as_of, now).

Prefect wraps these as a few coarse tasks (flows/prefect_flows.py); the demo and the tests call
them directly. Every step is idempotent: replaying a day changes nothing that already happened.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.models import Unit
from flows.receipts import notify_inbox
from flows.report_steps import (
    ASSESS_BATCH,
    assess_and_report,
    calendar_notes,
    periods_in_play,
    report_setup,
)
from flows.runtime import Runtime
from notifications import outbox
from notifications.dispatch import dispatch
from reporting import reminders, schedule
from reporting.intake import ingest_inbox
from reporting.light_digest import batch_lights, lights_by_unit
from reporting.opening import open_periods
from vocab.messages import RequestItem

log = logging.getLogger(__name__)
__all__ = [
    "ASSESS_BATCH",
    "assess_and_report",
    "calendar_notes",
    "periods_in_play",
    "report_setup",
]


def open_and_request(rt: Runtime, as_of: dt.date, now: dt.datetime) -> int:
    with rt.sessions.begin() as session:
        return open_periods(session, as_of, now, rt.calendar, rt.var_dir)


def ingest(rt: Runtime, now: dt.datetime) -> Counter[str]:
    outcomes = ingest_inbox(rt.sessions, rt.inbox, rt.var_dir, now)
    for o in outcomes:
        log.info("inbox %s: %s %s", o.file, o.status, o.detail)
    notify_inbox(rt, outcomes, now)
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
        lights: list[dict[str, Any]] = []  # every unit's task lights, read once for the day
        for digests in reminders.decide_batches(session, as_of, rt.calendar, rt.var_dir):
            new, more, later = _enqueue_digests(rt, session, digests, as_of, now, lights)
            created, merged, deferred = created + new, merged + more, deferred + later
    return created, merged, deferred


def _enqueue_digests(
    rt: Runtime,
    session: Any,
    digests: list[reminders.Digest],
    as_of: dt.date,
    now: dt.datetime,
    lights_read: list[dict[str, Any]],
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
    # tasks turned 黄/红 since the unit's last digest are named in this one
    liaisons = {d.recipient: d.unit_id for d in digests if d.audience == "liaison" and d.unit_id}
    if liaisons and not lights_read:
        lights_read.append(lights_by_unit(session, rt.calendar, as_of))
    lights = batch_lights(session, as_of, liaisons, lights_read[0]) if liaisons else {}
    for digest in digests:
        if digest.recipient in lights and digest.audience == "liaison":
            shown, changes = lights[digest.recipient]
            payloads[digest.key] |= {"lights": shown, "light_changes": changes}
    existing = outbox.existing(session, list(payloads))
    fresh = [d for d in digests if d.key not in existing]
    created = outbox.enqueue_many(
        session,
        [
            {
                "key": d.key,
                "channel": d.recipient,
                "unit_id": d.unit_id,
                "kind": d.kind,
                "payload": payloads[d.key],
            }
            for d in fresh
        ],
        now,
    )
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


def add_links(rt: Runtime, items: Sequence[RequestItem]) -> None:
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
    from reporting.requests import extend, find_request
    from reporting.requests import waive as waive_request

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
        outbox.enqueue(
            session,
            key=f"invite:{request.code}:{request.sequence}",
            recipient=request.unit_id,
            unit_id=request.unit_id,
            kind="invite",
            subject="",
            payload={
                "item": item,
                "method": method,
                "salutation": unit.name if unit else request.unit_id,
            },
            now=now,
        )
        done = "已免报，日程已取消" if waive else f"截止日期改为 {request.due_on.isoformat()}"
        return f"{request.code}：{done}（日程第 {request.sequence} 次更新）"


def may_send(rt: Runtime) -> Callable[[dt.datetime], bool]:
    """Messages to units go out on working days within the configured Shanghai hours."""
    return lambda now: schedule.may_send(now, rt.send_hours, rt.calendar)


def template_of(rt: Runtime) -> Any:
    """The Excel template of a request, written on first use (attachments are built at dispatch)."""
    from db.models import Request as ReportRequest
    from reporting.templates import ensure_template

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
