"""The web portal, route by route, with an in-process client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from db.models import AuditLog, Notification, Request, Submission
from duban.portal.app import create_app
from duban.portal.security import add_user
from flows import tick
from flows.runtime import Runtime
from notifications.dispatch import compose
from notifications.links import Links
from reporting.templates import ensure_template

from ..conftest import at, fill_template


def ensure(rt, request):
    with rt.sessions() as session:
        return ensure_template(session, session.get(type(request), request.id), rt.var_dir)


D = dt.date
SECRET = "test-secret-" + "x" * 20


@pytest.fixture
def portal(runtime):
    rt = Runtime(runtime.sessions, runtime.var_dir, runtime.calendar, runtime.channel, runtime.messages,
                 links=Links(SECRET, "http://testserver"))  # fmt: skip
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    clock = {"now": at(D(2025, 10, 9), 10)}
    app = create_app(rt, SECRET, max_upload_bytes=200_000, clock=lambda: clock["now"])
    with rt.sessions() as session:
        requests = {r.unit_id: r for r in session.scalars(select(Request))}
    return rt, TestClient(app), requests, clock


def link(rt, request) -> str:
    return "/u/" + rt.links.token(request.id, request.unit_id, "2025Q3", request.due_on)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_the_unit_page_lists_tasks_targets_and_has_strict_headers(portal):
    rt, client, requests, _ = portal
    r = client.get(link(rt, requests["zs-amr"]))
    assert r.status_code == 200
    assert (
        "二(七)1" in r.text
        and "舟山市地方标准平均制定周期" in r.text
        and "webcal://testserver/u/" in r.text
    )
    assert (
        r.headers["x-frame-options"] == "DENY"
        and "default-src 'none'" in r.headers["content-security-policy"]
    )
    assert (
        r.headers["referrer-policy"] == "no-referrer" and r.headers["cache-control"] == "no-store"
    )


def test_tampered_expired_and_other_units_tokens_are_refused(portal):
    rt, client, requests, clock = portal
    good = link(rt, requests["zs-sti"])
    assert client.get(good[:-3] + "abc").status_code == 403
    borrowed = "/u/" + rt.links.token(
        requests["zs-amr"].id, "zs-sti", "2025Q3", requests["zs-amr"].due_on
    )
    assert client.get(borrowed).status_code == 403  # zs-sti's claim on zs-amr's request
    clock["now"] = at(D(2025, 11, 14), 10)  # due 10-14 + 30 days of grace
    r = client.get(good)
    assert r.status_code == 410 and "过期" in r.text


def test_a_form_submission_goes_through_the_same_intake_and_sends_a_receipt(portal):
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-amr"])
    page = client.get(url).text
    task_ids = re.findall(r'name="status_(\d+)"', page)
    target_ids = re.findall(r'name="value_(\d+)"', page)
    form = {"csrf": csrf_of(page), f"status_{task_ids[0]}": "推进中", f"text_{task_ids[0]}": "已完成年度标准研制计划。",
            f"value_{target_ids[0]}": "12"}  # fmt: skip
    # every task and target answered: only then is it 报送成功 (a partial one is a 暂存)
    form |= {f"status_{t}": "推进中" for t in task_ids[1:]} | {
        f"no_news_{t}": "1" for t in task_ids[1:]
    }
    form |= {f"reason_{t}": "年度数据，年底统计" for t in target_ids[1:]}
    r = client.post(url, data=form)
    assert r.status_code == 200 and "报送成功" in r.text and requests["zs-amr"].code in r.text
    with rt.sessions() as session:
        sub = session.scalar(select(Submission))
        assert sub.channel == "web" and not sub.late
        assert session.get(Request, requests["zs-amr"].id).status == "submitted"
        receipt = session.scalar(select(Notification).where(Notification.kind == "receipt"))
        assert receipt.channel == "zs-amr"
    assert "已完成年度标准研制计划" in client.get(url).text  # history and answers shown


def test_errors_are_shown_beside_their_field(portal):
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-amr"])
    page = client.get(url).text
    target_id = re.findall(r'name="value_(\d+)"', page)[0]
    task_id = re.findall(r'name="status_(\d+)"', page)[0]
    r = client.post(
        url, data={"csrf": csrf_of(page), f"value_{target_id}": "十二", f"text_{task_id}": "有进展"}
    )
    assert r.status_code == 422
    block = r.text[r.text.index(f'id="value_{target_id}"') :][:400]
    assert "请填写数字" in block
    assert "请同时选择状态" in r.text
    with rt.sessions() as session:
        assert session.scalar(select(Submission)) is None


def test_a_forged_form_without_csrf_is_refused(portal):
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-amr"])
    assert client.post(url, data={"csrf": "0" * 64}).status_code == 403
    assert client.post(url, data={}).status_code == 403


def test_uploads_are_limited_checked_and_use_the_excel_intake(portal, tmp_path):
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-sti"])
    token = csrf_of(client.get(url).text)
    big = {"file": ("big.xlsx", b"PK" + b"0" * 300_000, "application/octet-stream")}
    assert client.post(url + "/upload", data={"csrf": token}, files=big).status_code == 413
    text = {"file": ("notes.txt", b"hello", "text/plain")}
    assert client.post(url + "/upload", data={"csrf": token}, files=text).status_code == 415
    other = fill_template(ensure(rt, requests["zs-amr"]))
    r = client.post(
        url + "/upload",
        data={"csrf": token},
        files={"file": ("amr.xlsx", other, "application/octet-stream")},
    )
    assert r.status_code == 422 and "file for another request" in r.text
    with rt.sessions() as session:  # the unit is told by message too, with its link back
        (refused,) = session.scalars(
            select(Notification).where(Notification.key.like("rejected:zs-sti:%"))
        )
        sent = compose(session, refused, rt.messages, at(D(2025, 10, 9), 10))
    assert "报送文件未被接受：amr.xlsx" in sent.subject and url in sent.markdown
    mine = fill_template(ensure(rt, requests["zs-sti"]))
    r = client.post(
        url + "/upload",
        data={"csrf": token},
        files={"file": ("sti.xlsx", mine, "application/octet-stream")},
    )
    assert r.status_code == 200 and "报送成功" in r.text
    with rt.sessions() as session:  # and the unit is told by message, as for every channel
        told = session.scalars(select(Notification.key).where(Notification.kind == "receipt"))
        assert any(key.startswith(f"receipt:{requests['zs-sti'].code}:") for key in told)
    assert client.get(url + "/template.xlsx").content[:2] == b"PK"
    feed = client.get(url + "/feed.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")


def office_login(rt, client, password="correct horse battery"):
    with rt.sessions.begin() as session:
        add_user(session, "bgs", password, at(D(2025, 10, 1)))
    page = client.get("/office/login").text
    return client.post(
        "/office/login",
        data={"username": "bgs", "password": password, "csrf": csrf_of(page)},
        follow_redirects=False,
    )


def test_office_sign_in_is_required_hashed_and_rate_limited(portal):
    rt, client, _, _ = portal
    assert client.get("/office", follow_redirects=False).headers["location"] == "/office/login"
    r = office_login(rt, client)
    assert (
        r.status_code == 303
        and "duban_office" in r.headers["set-cookie"]
        and "HttpOnly" in r.headers["set-cookie"]
    )
    with rt.sessions() as session:
        from db.models import OfficeUser

        assert session.scalar(select(OfficeUser.password_hash)).startswith("$argon2")
    fresh = TestClient(client.app)
    page = fresh.get("/office/login").text
    codes = [
        fresh.post(
            "/office/login", data={"username": "bgs", "password": "wrong", "csrf": csrf_of(page)}
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert (
        fresh.post(
            "/office/login", data={"username": "bgs", "password": "x", "csrf": "bad"}
        ).status_code
        == 403
    )


def test_dashboard_and_office_actions_with_audit(portal):
    rt, client, requests, _ = portal
    office_login(rt, client)
    dash = client.get("/office")
    assert (
        dash.status_code == 200
        and "报送总览" in dash.text
        and "市科技局" in dash.text
        and "<svg" in dash.text
    )
    token = csrf_of(dash.text)
    code = requests["zs-sti"].code
    r = client.post(
        f"/office/requests/{code}/extend",
        data={"csrf": token, "due": "2025-10-24"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (
        client.post(
            f"/office/requests/{code}/extend", data={"csrf": "bad", "due": "2025-10-27"}
        ).status_code
        == 403
    )
    r = client.post(
        f"/office/requests/{requests['zs-eit'].code}/waive",
        data={"csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with rt.sessions() as session:
        failed = session.scalar(select(Notification).where(Notification.channel == "zs-amr"))
        failed.status = "failed"
        session.commit()
        failed_id = failed.id
    assert (
        client.post(
            f"/office/outbox/{failed_id}/resend", data={"csrf": token}, follow_redirects=False
        ).status_code
        == 303
    )
    assert (
        client.post("/office/assess", data={"csrf": token}, follow_redirects=False).status_code
        == 303
    )
    with rt.sessions() as session:
        actions = [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]
        assert actions == ["login", "extend", "waive", "resend", "assess"]
        assert session.get(Request, requests["zs-sti"].id).sequence == 1
        assert session.get(Notification, failed_id).status == "pending"
    dash = client.get("/office").text
    report = re.search(r'href="/office/reports/([^"]+\.html)"', dash).group(1)
    assert client.get(f"/office/reports/{report}").status_code == 200
    assert client.get("/office/reports/..%2F..%2Fduban.db").status_code == 404
    assert (
        TestClient(client.app).get(f"/office/reports/{report}", follow_redirects=False).status_code
        == 303
    )


def test_root_redirects_to_the_office_and_logout_ends_the_session(portal):
    rt, client, _, _ = portal
    assert client.get("/", follow_redirects=False).headers["location"] == "/office"
    office_login(rt, client)
    token = csrf_of(client.get("/office").text)
    r = client.post("/office/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/login"
    assert client.get("/office", follow_redirects=False).headers["location"] == "/office/login"
