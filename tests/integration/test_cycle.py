"""The unattended cycle through the real steps: ticks, digests, the outbox, reports."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from db.models import Flag, LadderStep, Notification, Request, TickRun
from flows import steps, tick
from notifications.dispatch import ICS_NAME
from reporting.templates import ensure_template

from ..conftest import at, fill_template


def runtime_targets(rt):
    from db.models import Target

    with rt.sessions() as session:
        return list(session.scalars(select(Target.id).where(Target.retired_at.is_(None))))


def ensure(rt, request):
    with rt.sessions() as session:
        return ensure_template(session, session.get(type(request), request.id), rt.var_dir)


D = dt.date


def run_days(runtime, first: dt.date, last: dt.date):
    day = first
    while day <= last:
        if runtime.calendar.is_workday(day):
            tick.run_tick(runtime, day, at(day))
            steps.dispatch_outbox(runtime, lambda d=day: at(d, 10))
        day += dt.timedelta(days=1)


def rows(runtime, **where):
    with runtime.sessions() as session:
        query = select(Notification).order_by(Notification.id)
        for key, value in where.items():
            query = query.where(getattr(Notification, key) == value)
        return list(session.scalars(query))


def test_opening_day_sends_one_request_per_unit_with_template_and_invite(runtime):
    run_days(runtime, D(2025, 9, 24), D(2025, 9, 24))
    sent = rows(runtime, kind="request")
    with runtime.sessions() as session:
        units = set(session.scalars(select(Request.unit_id)))
        code = session.scalar(select(Request.code).where(Request.unit_id == "zs-sti"))
    assert code.startswith("2025Q3-zs-sti-P")  # period, unit, plan
    assert {n.channel for n in sent} == units and all(n.status == "sent" for n in sent)
    eml = runtime.var_dir / "outbox" / "2025-09-24" / "digest_2025-09-24_zs-sti.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "【标准强市建设】关于报送2025年第三季度工作进展的通知"
    body = msg.get_body(("plain",)).get_content()
    assert (
        "2025年10月14日（星期二）" in body
        and code in body
        and "二(一)1 推动标准化与科技创新互动发展（牵头）" in body
    )
    assert msg.get_body(("html",)) is not None
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert f"2025年第三季度工作进展报送表（{code}）.xlsx" in parts  # a name the unit files it by
    cal = Calendar.from_ical(parts[ICS_NAME].get_content())
    assert cal["METHOD"] == "REQUEST"
    event = next(c for c in cal.walk("VEVENT"))
    assert str(event["UID"]) == f"{code}@duban.invalid" and int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].dt.isoformat() == "2025-10-14T17:00:00+08:00"
    assert (
        runtime.var_dir / "outbox" / "2025-09-24" / "digest_2025-09-24_zs-sti.dingtalk.md"
    ).exists()


def test_replaying_days_sends_nothing_twice(runtime):
    run_days(runtime, D(2025, 9, 24), D(2025, 10, 22))
    before = len(rows(runtime))
    run_days(runtime, D(2025, 9, 24), D(2025, 10, 22))
    assert len(rows(runtime)) == before
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TickRun)) == len(
            {r.as_of for r in session.scalars(select(TickRun))}
        )


def test_a_unit_that_submitted_gets_nothing_more_even_if_already_queued(runtime, tmp_path):
    run_days(runtime, D(2025, 9, 24), D(2025, 10, 9))
    with runtime.sessions() as session:
        request = session.scalar(select(Request).where(Request.unit_id == "zs-sti"))
    # The reminder of 10-10 is enqueued but not yet sent when the unit's file arrives.
    tick.run_tick(runtime, D(2025, 10, 10), at(D(2025, 10, 10)))
    queued = rows(runtime, key="digest:2025-10-10:zs-sti")
    assert queued and queued[0].status == "pending"
    path = tmp_path / "f.xlsx"
    path.write_bytes(fill_template(ensure(runtime, request)))
    from reporting.intake import submit_file

    with runtime.sessions.begin() as session:
        submit_file(session, path, now=at(D(2025, 10, 10), 9), store_dir=runtime.var_dir / "s")
    steps.dispatch_outbox(runtime, lambda: at(D(2025, 10, 10), 10))
    assert (
        rows(runtime, key="digest:2025-10-10:zs-sti")[0].status == "cancelled"
    )  # re-checked at sending
    run_days(runtime, D(2025, 10, 11), D(2025, 10, 28))
    assert [
        n.key for n in rows(runtime, channel="zs-sti") if n.created_at > at(D(2025, 10, 10), 12)
    ] == []
    assert rows(runtime, channel="zs-sti:leader") == []


def test_escalations_reach_the_leader_and_the_office(runtime):
    run_days(runtime, D(2025, 9, 24), D(2025, 10, 21))
    leader = rows(runtime, key="digest:2025-10-17:zs-sti:leader")
    assert leader and leader[0].kind == "escalation" and leader[0].status == "sent"
    office = rows(runtime, key="digest:2025-10-21:office")
    assert office and len(office[0].payload["items"]) == len(rows(runtime, kind="request"))
    report = rows(runtime, key="report:zhoushan-standards-2023:2025Q3")
    assert report and report[0].status == "sent"


def test_digests_decided_in_small_batches_are_the_digests_decided_at_once(runtime):
    """Streaming by unit (a nation's requests in batches) changes no digest, including the
    office's, which gathers escalations from every batch."""
    from reporting import reminders

    steps.open_and_request(runtime, D(2025, 9, 24), at(D(2025, 9, 24)))
    with runtime.sessions() as session:
        for day in (D(2025, 9, 24), D(2025, 10, 21)):
            whole = reminders.decide(session, day, runtime.calendar, runtime.var_dir)
            batches = list(
                reminders.decide_batches(session, day, runtime.calendar, runtime.var_dir, batch=1)
            )
            assert len(batches) > 10
            assert sorted(
                (d.key, d.kind, [i["code"] for i in d.items], d.steps, d.folded)
                for batch in batches
                for d in batch
            ) == sorted(
                (d.key, d.kind, [i["code"] for i in d.items], d.steps, d.folded) for d in whole
            )
            assert all(d.recipient != "office" for batch in batches[:-1] for d in batch)
            assert ("office" in [d.recipient for d in batches[-1]]) == (day.day == 21)


def test_a_missed_day_is_caught_up_with_one_notice_and_named_in_the_report(runtime):
    run_days(runtime, D(2025, 9, 24), D(2025, 10, 9))
    # No tick on 10-10 (before-3) or 10-11 (a make-up Saturday); 10-13 catches up.
    summary = tick.run_tick(runtime, D(2025, 10, 13), at(D(2025, 10, 13)))
    assert summary.missed_days == ["2025-10-10", "2025-10-11"]
    assert any("2025年10月10日" in note for note in summary.notes)
    with runtime.sessions() as session:
        stages = {
            s.stage: s.notification_key
            for s in session.scalars(
                select(LadderStep).join(Request).where(Request.unit_id == "zs-sti")
            )
        }
    assert stages["before-1"] == "digest:2025-10-13:zs-sti"
    assert stages["before-3"] is None  # folded: the unit gets one current notice, not two


def test_a_failed_tick_alerts_the_admin_channel_and_the_next_run_recovers(runtime):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        tick.run_tick(runtime, D(2025, 9, 24), at(D(2025, 9, 24)), tick.TickSteps(remind=broken))
    alert = rows(runtime, channel="admin")
    assert alert and "disk full" in alert[0].payload["facts"]["error"]
    with runtime.sessions() as session:
        assert session.scalar(select(TickRun.status)) == "failed"
    tick.run_tick(runtime, D(2025, 9, 25), at(D(2025, 9, 25)))
    assert rows(runtime, kind="request")  # the request of 9-24 goes out on the next run


def test_assessment_flags_missing_late_blocked_and_copied_progress(runtime, tmp_path):
    from reporting.intake import submit_file

    run_days(runtime, D(2025, 6, 23), D(2025, 6, 24))  # 2025Q2 opens
    with runtime.sessions() as session:
        q2 = session.scalar(
            select(Request).where(Request.unit_id == "zs-sti", Request.code.like("2025Q2%"))
        )
    path = tmp_path / "q2.xlsx"
    path.write_bytes(
        fill_template(
            ensure(runtime, q2),
            text="组织召开专题推进会，协调解决重点难点问题",
        )
    )
    with runtime.sessions.begin() as session:
        submit_file(session, path, now=at(D(2025, 7, 1)), store_dir=runtime.var_dir / "s")
    run_days(runtime, D(2025, 9, 24), D(2025, 9, 24))  # 2025Q3 opens, last answers shown
    with runtime.sessions() as session:
        q3 = session.scalar(
            select(Request).where(Request.unit_id == "zs-sti", Request.code.like("2025Q3%"))
        )
    path.write_bytes(
        fill_template(
            ensure(runtime, q3),
            status="受阻",
            text="组织召开专题推进会，协调解决重点难点问题",
        )
    )
    with runtime.sessions.begin() as session:
        submit_file(session, path, now=at(D(2025, 10, 9)), store_dir=runtime.var_dir / "s")
    written = steps.assess_and_report(runtime, D(2025, 10, 14), at(D(2025, 10, 14)), [], force=True)
    with runtime.sessions() as session:
        kinds = {
            (f.subject, f.kind)
            for f in session.scalars(select(Flag).where(Flag.assessed_on == D(2025, 10, 14)))
        }
    assert (
        ("request", "missing") in kinds
        and ("task", "copied") in kinds
        and ("task", "blocked") in kinds
    )
    html = next(p for p in written if p.suffix == ".html" and "2025Q3" in p.name).read_text(
        encoding="utf-8"
    )
    assert "<svg" in html and "与上期雷同" in html and "报送率" in html
    from openpyxl import load_workbook

    xlsx = next(p for p in written if p.suffix == ".xlsx" and "2025Q3" in p.name)
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["报送情况", "任务进展", "指标进度"]
    units = wb["报送情况"]
    assert units["A1"].value.startswith("《") and units["A2"].value.startswith("截止日期")
    assert [c.value for c in units[3]][:2] == ["应报", "已报"]
    header = next(r for r in units.iter_rows(min_row=4) if r[0].value == "序号")
    assert [c.value for c in header][:5] == ["序号", "单位", "报送情况", "首次报送时间", "是否按时"]
    # widths from content: the 单位 column as wide as its longest name (CJK counted double)
    longest = max(len(r[1].value) for r in units.iter_rows(min_row=header[0].row + 1))
    assert all(c.font.bold for c in header)
    assert 2 * longest + 2 <= units.column_dimensions["B"].width < 2 * longest + 3.5
    body = list(units.iter_rows(min_row=header[0].row + 1))
    sti = next(r for r in body if r[1].value == "市科技局")
    assert sti[2].value == "按时报送" and sti[2].fill.fgColor.rgb.endswith("C6EFCE")
    assert sti[4].value == "是"
    missing = [r for r in body if r[2].value == "未报送"]
    assert missing and all(r[2].fill.fgColor.rgb.endswith("FFC7CE") for r in missing)
    tasks = wb["任务进展"]
    assert [c.value for c in tasks[2]][:4] == ["序号", "单位", "编号", "任务"]
    copied = [
        r for r in tasks.iter_rows(min_row=3) if r[1].value == "市科技局" and r[5].value == "受阻"
    ]
    assert copied and "与上期雷同" in copied[0][7].value and "自报受阻" in copied[0][7].value
    targets = wb["指标进度"]
    assert targets.max_row == 2 + len([t for t in runtime_targets(runtime)]) and targets[
        "H3"
    ].fill.fgColor.rgb[-6:] in {"C6EFCE", "FFEB9C", "FFC7CE", "EEEEEE"}


def test_assessment_counts_each_units_latest_submission_now_and_last_period(runtime, tmp_path):
    """A unit that reports twice is assessed on its second report: its progress text, status
    and indicator values; its first report's time stays the 报送时间; copy detection compares
    with the latest report of the period before."""
    from db.models import Period, Target
    from reporting.assess import assess_period
    from reporting.intake import submit_file

    def submit(code: str, day: dt.date, name: str, **fill) -> None:
        with runtime.sessions() as session:
            request = session.scalar(
                select(Request).where(Request.unit_id == "zs-amr", Request.code.like(f"{code}%"))
            )
        path = tmp_path / name
        path.write_bytes(fill_template(ensure(runtime, request), **fill))
        with runtime.sessions.begin() as session:
            submit_file(session, path, now=at(day), store_dir=runtime.var_dir / "s")

    run_days(runtime, D(2025, 6, 23), D(2025, 6, 24))  # 2025Q2 opens
    submit("2025Q2", D(2025, 7, 1), "q2a.xlsx", text="第二季度初稿进展情况说明")
    submit("2025Q2", D(2025, 7, 2), "q2b.xlsx", text="推进标准化试点项目建设工作")
    run_days(runtime, D(2025, 9, 24), D(2025, 9, 24))  # 2025Q3 opens
    submit(
        "2025Q3", D(2025, 10, 9), "q3a.xlsx", status="受阻", text="完全不同的初次报送内容", value=13
    )
    # running totals only grow: Q2 reported 10, so Q3's figures are above it (plausibility)
    submit("2025Q3", D(2025, 10, 10), "q3b.xlsx", text="推进标准化试点项目建设工作", value=17)
    with runtime.sessions() as session:
        period = session.scalar(
            select(Period).join(Request).where(Request.code.like("2025Q3-zs-amr%"))
        )
        owned = set(session.scalars(select(Target.id).where(Target.owner_unit_id == "zs-amr")))
        result = assess_period(session, period, D(2025, 10, 14))
    amr = next(u for u in result.units if u.unit_id == "zs-amr")
    assert amr.status == "submitted" and amr.received_at.startswith("2025-10-09")
    rows = [t for t in result.tasks if t.unit_name == "市市场监管局"]
    assert rows and all(t.status == "推进中" and t.text.startswith("推进标准化") for t in rows)
    assert all("blocked" not in t.flags and "copied" in t.flags for t in rows)
    points = [t.series[-1] for t in result.targets if t.target_id in owned]
    assert points and all(p == (period.end.isoformat(), 17.0) for p in points)


def test_a_second_tick_for_the_same_day_does_nothing_while_the_first_runs(runtime):
    from db.locks import try_exclusive

    engine = runtime.sessions.kw["bind"]
    day = D(2025, 9, 24)
    with try_exclusive(engine, f"duban-tick-{day.isoformat()}", runtime.var_dir / "locks") as held:
        assert held  # this test plays the first tick
        second = tick.run_tick(runtime, day, at(day))
    assert second.skipped and "正在另一进程中运行" in second.skipped
    assert not rows(runtime) and not tick_runs(runtime)  # nothing done, nothing recorded
    first = tick.run_tick(runtime, day, at(day))  # the lock is free again
    assert first.opened_requests > 30


def tick_runs(runtime):
    with runtime.sessions() as session:
        return list(session.scalars(select(TickRun)))
