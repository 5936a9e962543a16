"""延期申请 and 办结/退回 through the portal (issue 19): a unit asks for more time from its page
(refused beside the field for a day off, a date not after the deadline, no reason); the office
sees it on the dashboard and approves it (the deadline, invite and link follow) or refuses it
with a reason; the unit is told either way. On the office's unit page a task reported 已完成 is
returned with a reason or closed. Every office action CSRF-checked and audited."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from db.models import AuditLog, ExtensionRequest, Notification, Request, TaskClosure
from notifications.dispatch import compose
from notifications.mail import plain_text
from reporting.task_board import task_states

from ..conftest import at
from .test_office_dashboard import submit_form, unit_table
from .test_portal import csrf_of, link, office_login, portal  # noqa: F401  (the fixture)

D = dt.date


def said(rt, key: str) -> str:
    with rt.sessions() as session:
        row = session.scalars(select(Notification).where(Notification.key == key)).one()
        out = compose(session, row, rt.messages, at(D(2025, 10, 9), 10))
    assert out is not None
    return out.subject + "\n" + plain_text(out.email)


def ask(client, url: str, due: str, reason: str = "数据需待统计局年报发布后核实"):
    page = client.get(url).text
    return client.post(url + "/extension", data={"csrf": csrf_of(page), "ext_reason": reason,
                                                 "ext_due": due}, follow_redirects=False)  # fmt: skip


def sign_in_again(client) -> None:
    """The office session of the day before has expired: sign in again (the user exists)."""
    page = client.get("/office/login").text
    client.post("/office/login", data={"username": "bgs", "password": "correct horse battery",
                                       "csrf": csrf_of(page)})  # fmt: skip


def audit_actions(rt) -> list[str]:
    with rt.sessions() as session:
        return [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_a_unit_asks_for_more_time_and_the_office_approves(portal):  # noqa: F811
    rt, client, requests, clock = portal
    amr = requests["zs-amr"]
    url = link(rt, amr)
    page = client.get(url).text
    assert "提交延期申请" in page and 'min="2025-10-15"' in page  # due 2025-10-14
    forged = client.post(url + "/extension", data={"csrf": "0" * 64, "ext_reason": "x",
                                                   "ext_due": "2025-10-24"})  # fmt: skip
    assert forged.status_code == 403
    for due, reason, field, words in [
        ("2025-10-18", "原因", "ext_due", "2025-10-18 不是工作日，最近的工作日是 2025年10月20日"),
        ("2025-10-13", "原因", "ext_due", "不晚于原截止日期"),
        ("2025-10-24", "  ", "ext_reason", "请填写申请延期的原因"),
        ("10月24日", "原因", "ext_due", "请按“2025-10-20”的格式填写"),
    ]:
        r = ask(client, url, due, reason)
        assert r.status_code == 422 and words in r.text, (due, r.text[:300])
        assert f'href="#{field}"' in r.text and f'value="{due}"' in r.text
    with rt.sessions() as session:
        assert session.scalar(select(ExtensionRequest)) is None
    assert ask(client, url, "2025-10-24").status_code == 303
    page = client.get(url).text
    assert "待审核" in page and "提交延期申请" not in page and "数据需待统计局年报" in page
    assert "已有一份待审核的延期申请" in ask(client, url, "2025-10-27").text

    office_login(rt, client)
    dash = client.get("/office").text
    assert "待审核的延期申请（1）" in dash and 'href="/office/units/zs-amr#extensions"' in dash
    unit_page = client.get("/office/units/zs-amr").text
    row_id = re.search(r"/office/extensions/(\d+)/approve", unit_page).group(1)
    assert 'value="2025-10-24"' in unit_page and "数据需待统计局年报" in unit_page
    bad = client.post(f"/office/extensions/{row_id}/approve", data={"csrf": "bad"})
    assert bad.status_code == 403
    saturday = client.post(f"/office/extensions/{row_id}/approve",
                           data={"csrf": csrf_of(unit_page), "due": "2025-10-25"})  # fmt: skip
    assert (
        saturday.status_code == 422 and "不是工作日，最近的工作日是 2025年10月27日" in saturday.text
    )
    with rt.sessions() as session:
        assert session.get(ExtensionRequest, int(row_id)).status == "pending"
    r = client.post(f"/office/extensions/{row_id}/approve",
                    data={"csrf": csrf_of(unit_page), "due": "2025-10-24"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/office/units/zs-amr#extensions"
    with rt.sessions() as session:
        req = session.get(Request, amr.id)
        assert (req.due_on, req.sequence) == (D(2025, 10, 24), 1)
        row = session.get(ExtensionRequest, int(row_id))
        assert (row.status, row.granted_due, row.decided_by) == ("approved", D(2025, 10, 24), "bgs")
        assert session.scalar(
            select(Notification).where(Notification.key == f"invite:{amr.code}:1")
        )
    assert audit_actions(rt)[-1] == "extension-approve"
    told = said(rt, f"extension:{row_id}:approved")
    assert "延期申请已同意" in told and "报送截止日期调整为 2025年10月24日" in told
    again = client.post(f"/office/extensions/{row_id}/approve", data={"csrf": csrf_of(unit_page)})
    assert again.status_code == 422 and "已于" in again.text
    # after the old deadline the dashboard still shows 待报, and the unit's page the new date
    clock["now"] = at(D(2025, 10, 16), 10)
    sign_in_again(client)
    assert unit_table(client.get("/office").text)["市市场监管局"] == "待报送"
    page = client.get(url).text
    assert (
        "截止日期 <strong>2025-10-24</strong>" in page
        and "已同意，截止日期调整为 2025-10-24" in page
    )
    assert "待审核的延期申请" not in client.get("/office").text


def test_the_office_refuses_with_a_reason_and_the_unit_may_ask_again(portal):  # noqa: F811
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-sti"])
    assert ask(client, url, "2025-10-21").status_code == 303
    office_login(rt, client)
    unit_page = client.get("/office/units/zs-sti").text
    row_id = re.search(r"/office/extensions/(\d+)/refuse", unit_page).group(1)
    csrf = csrf_of(unit_page)
    r = client.post(f"/office/extensions/{row_id}/refuse", data={"csrf": csrf, "answer": " "})
    assert r.status_code == 422 and "不同意延期须写明原因" in r.text
    r = client.post(f"/office/extensions/{row_id}/refuse",
                    data={"csrf": csrf, "answer": "季度数据已可取得"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    with rt.sessions() as session:
        assert session.get(Request, requests["zs-sti"].id).due_on == D(2025, 10, 14)
        assert session.get(ExtensionRequest, int(row_id)).status == "refused"
    assert audit_actions(rt)[-1] == "extension-refuse"
    told = said(rt, f"extension:{row_id}:refused")
    assert "延期申请未获同意" in told and "原因：季度数据已可取得" in told
    assert "请按原截止日期 2025年10月14日 报送" in told
    page = client.get(url).text
    assert "不同意（季度数据已可取得）" in page and "提交延期申请" in page


def test_the_office_returns_then_closes_a_task_reported_done(portal):  # noqa: F811
    rt, client, requests, clock = portal
    url = link(rt, requests["zs-amr"])
    submit_form(client, url, text="实施方案已印发。", status="已完成")
    office_login(rt, client)
    unit_page = client.get("/office/units/zs-amr").text
    task = re.search(r"/office/units/zs-amr/tasks/(\d+)/close", unit_page).group(1)
    assert "待确认办结的任务" in unit_page and "实施方案已印发。" in unit_page
    csrf = csrf_of(unit_page)
    base = f"/office/units/zs-amr/tasks/{task}"
    assert client.post(base + "/close", data={"csrf": "bad"}).status_code == 403
    r = client.post(base + "/return", data={"csrf": csrf, "reason": ""})
    assert r.status_code == 422 and "退回须写明原因" in r.text and "--reason" not in r.text
    r = client.post(base + "/return", data={"csrf": csrf, "reason": "请补充印发文件"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "没有待确认办结的任务" in client.get("/office/units/zs-amr").text
    with rt.sessions() as session:
        returned = session.scalars(select(TaskClosure)).one()
        assert (returned.action, returned.actor) == ("returned", "bgs")
    told = said(rt, f"closure:{returned.id}")
    assert "任务退回通知" in told and "原因：请补充印发文件" in told
    clock["now"] = at(D(2025, 10, 10), 10)  # the unit reports 已完成 again
    submit_form(client, url, text="实施方案已印发，文号附后。", status="已完成")
    sign_in_again(client)
    unit_page = client.get("/office/units/zs-amr").text
    csrf = csrf_of(unit_page)
    assert "此前曾退回：请补充印发文件" in unit_page
    r = client.post(base + "/close", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.post(base + "/close", data={"csrf": csrf}).status_code == 422  # already 办结
    assert [a for a in audit_actions(rt) if a.startswith("task-")] == [
        "task-returned",
        "task-closed",
    ]
    with rt.sessions() as session:
        closed = session.scalars(select(TaskClosure).order_by(TaskClosure.id.desc())).first()
        states = task_states(session, rt.calendar, D(2025, 10, 10), None, "zs-amr")
    assert "已办结" in said(rt, f"closure:{closed.id}")
    assert next(s for s in states if s.task_id == int(task)).light_word == "办结"
