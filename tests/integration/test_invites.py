"""Calendar invites for deadlines: moved, cancelled, per-unit feeds, CalDAV publishing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
import time

import pytest
import requests
from icalendar import Calendar
from sqlalchemy import select

from db.models import Notification, Request
from flows import steps, tick
from flows.runtime import Runtime
from notifications.dispatch import ICS_NAME
from notifications.invites import calendar_of, deadline_event
from reporting.requests import ActionError

from ..conftest import at
from ..servers import free_port

D = dt.date


def sti_code(runtime) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(Request.code).where(Request.unit_id == "zs-sti"))


def sent_invite(runtime, key: str) -> Calendar:
    with runtime.sessions() as session:
        row = session.scalar(select(Notification).where(Notification.key == key))
    assert row is not None and row.status == "sent", key
    eml = next((runtime.var_dir / "outbox").rglob(key.replace(":", "_") + ".eml"))
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    part = next(p for p in msg.iter_attachments() if p.get_filename() == ICS_NAME)
    return Calendar.from_ical(part.get_content())


def test_the_invite_text_is_valid_rfc5545():
    event = deadline_event(uid="x@duban", sequence=2, summary="报送" * 40, description="d", due_on=D(2025, 10, 14),
                           alarm_on=D(2025, 10, 13), organizer_email="o@duban.test", organizer_name="办公室",
                           attendee_email="a@duban.test", attendee_name="市科技局", stamp=dt.datetime(2025, 9, 24, tzinfo=dt.UTC))  # fmt: skip
    text = calendar_of([event], "REQUEST").decode()
    lines = text.split("\r\n")
    assert lines.index("METHOD:REQUEST") < lines.index(
        "BEGIN:VEVENT"
    )  # METHOD precedes the components
    assert all(len(line.encode()) <= 75 for line in lines)  # folded
    assert "BEGIN:VTIMEZONE" in text and "DTSTART;TZID=Asia/Shanghai:20251014T170000" in text
    assert "DTSTAMP:20250924T000000Z" in text and "SEQUENCE:2" in text
    assert (
        "TRIGGER;VALUE=DATE-TIME:20251013T010000Z" in text
    )  # 09:00 Shanghai on the working day before


def test_extending_a_deadline_resends_the_invite_with_a_higher_sequence_and_restarts_reminders(
    runtime,
):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    steps.dispatch_outbox(runtime, lambda: at(D(2025, 9, 24), 10))
    code = sti_code(runtime)
    assert "日程第 1 次更新" in steps.change_deadline(
        runtime, code, at(D(2025, 10, 9)), new_due=D(2025, 10, 24)
    )
    steps.dispatch_outbox(runtime, lambda: at(D(2025, 10, 9), 10))
    cal = sent_invite(runtime, f"invite:{code}:1")
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"{code}@duban.invalid" and event["DTSTART"].dt.date() == D(
        2025, 10, 24
    )
    with pytest.raises(ActionError, match="不是工作日，最近的工作日是"):
        steps.change_deadline(runtime, code, at(D(2025, 10, 9)), new_due=D(2025, 10, 25))
    # The unit's reminders now follow the new date: 3 working days before 10-24 is 10-21.
    for day in (D(2025, 10, 10), D(2025, 10, 14), D(2025, 10, 21)):
        tick.run_tick(runtime, day, at(day))
    with runtime.sessions() as session:
        keys = set(
            session.scalars(select(Notification.key).where(Notification.channel == "zs-sti"))
        )
    assert "digest:2025-10-14:zs-sti" not in keys  # not overdue on the old date
    assert "digest:2025-10-21:zs-sti" in keys


def test_waiving_cancels_the_invite_and_stops_the_ladder(runtime):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    code = sti_code(runtime)
    steps.change_deadline(runtime, code, at(D(2025, 10, 9)), waive=True)
    steps.dispatch_outbox(runtime, lambda: at(D(2025, 10, 9), 10))
    cal = sent_invite(runtime, f"invite:{code}:1")
    event = cal.walk("VEVENT")[0]
    assert (
        cal["METHOD"] == "CANCEL"
        and str(event["STATUS"]) == "CANCELLED"
        and int(event["SEQUENCE"]) == 1
    )
    tick.run_tick(runtime, D(2025, 10, 16), at(D(2025, 10, 16)))
    with runtime.sessions() as session:
        assert (
            session.scalar(
                select(Notification).where(Notification.key == "digest:2025-10-16:zs-sti")
            )
            is None
        )


def test_each_unit_has_a_feed_of_its_open_deadlines(runtime):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    feed = Calendar.from_ical((runtime.feeds / "zs-sti.ics").read_bytes())
    assert "METHOD" not in feed and [str(e["UID"]).split("@")[0] for e in feed.walk("VEVENT")] == [
        sti_code(runtime)
    ]
    steps.change_deadline(runtime, sti_code(runtime), at(D(2025, 9, 25)), waive=True)
    tick.run_tick(runtime, D(2025, 9, 25), at(D(2025, 9, 25)))
    assert Calendar.from_ical((runtime.feeds / "zs-sti.ics").read_bytes()).walk("VEVENT") == []


def test_a_tick_rewrites_only_the_feeds_whose_deadlines_changed(runtime):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    feeds = sorted(runtime.feeds.glob("*.ics"))
    assert len(feeds) > 30
    for feed in feeds:  # mark every file, so a rewrite shows
        os.utime(feed, (1, 1))
    tick.run_tick(runtime, D(2025, 9, 25), at(D(2025, 9, 25)))
    assert [f.name for f in feeds if f.stat().st_mtime != 1] == []
    steps.change_deadline(runtime, sti_code(runtime), at(D(2025, 9, 26)), new_due=D(2025, 10, 20))
    tick.run_tick(runtime, D(2025, 9, 26), at(D(2025, 9, 26)))
    assert [f.name for f in feeds if f.stat().st_mtime != 1] == ["zs-sti.ics"]
    event = Calendar.from_ical((runtime.feeds / "zs-sti.ics").read_bytes()).walk("VEVENT")[0]
    assert event.decoded("DTSTART").date() == D(2025, 10, 20)
    (runtime.feeds / "zs-drc.ics").unlink()  # a feed that went missing is written again
    tick.run_tick(runtime, D(2025, 9, 29), at(D(2025, 9, 29)))
    assert (runtime.feeds / "zs-drc.ics").exists()


@pytest.fixture
def radicale(tmp_path):
    port = free_port()
    config = tmp_path / "radicale.cfg"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n"
        "[rights]\ntype = authenticated\n[logging]\nlevel = warning\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://office:calendar-secret@127.0.0.1:{port}"  # auth "none" accepts any password
    for _ in range(100):
        try:
            requests.get(base, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    calendar = f"{base}/office/deadlines/"
    assert requests.request("MKCALENDAR", calendar, timeout=5).status_code == 201
    yield calendar
    proc.terminate()
    proc.wait(timeout=10)


def test_open_deadlines_are_published_to_caldav_and_withdrawn_when_closed(runtime, radicale):
    rt = Runtime(
        runtime.sessions,
        runtime.var_dir,
        runtime.calendar,
        runtime.channel,
        runtime.messages,
        caldav_url=radicale,
    )
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    code = sti_code(rt)
    r = requests.get(f"{radicale}{code}.ics", timeout=5)
    assert r.status_code == 200
    event = Calendar.from_ical(r.content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{code}@duban.invalid" and event["DTSTART"].dt.date() == D(
        2025, 10, 14
    )
    steps.change_deadline(rt, code, at(D(2025, 9, 25)), waive=True)
    tick.run_tick(rt, D(2025, 9, 25), at(D(2025, 9, 25)))
    assert requests.get(f"{radicale}{code}.ics", timeout=5).status_code == 404


def second_reader(text: str) -> list[object]:
    """Read a calendar as another client would: `ics` (an independent parser) must find the
    same events, times and alarms as icalendar."""
    import ics

    return sorted(ics.Calendar(text).events, key=lambda e: e.uid)


def test_every_invite_and_feed_loads_in_a_second_reader(runtime):
    tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    code = sti_code(runtime)
    feed = (runtime.feeds / "zs-sti.ics").read_text(encoding="utf-8")
    (event,) = second_reader(feed)
    assert event.uid.startswith(code) and event.begin.isoformat() == "2025-10-14T17:00:00+08:00"
    assert code in event.name
    steps.change_deadline(runtime, code, at(D(2025, 9, 25)), new_due=D(2025, 10, 17))
    steps.dispatch_outbox(runtime, lambda: at(D(2025, 9, 25)))
    moved = sent_invite(runtime, f"invite:{code}:1").to_ical().decode()
    (event,) = second_reader(moved)
    assert event.begin.date() == D(2025, 10, 17)
    (alarm,) = event.alarms
    assert alarm.trigger.isoformat() == "2025-10-16T01:00:00+00:00"  # 09:00 the working day before
