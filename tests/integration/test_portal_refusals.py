"""What the portal's dependencies refuse with, route by route: a signed-out visitor is sent to
the login page, a stale office form gets the Chinese 403 page and changes nothing, a bad link
gets 403/410 (plain text for the calendar feed), unknown pages and methods the Chinese 404/405
page, a control character in the path 404 — all with the security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AuditLog

from .test_portal import link, office_login, portal  # noqa: F401  (the fixture)

OFFICE_POSTS = [
    ("/office/requests/X/extend", {"due": "2025-11-01"}),
    ("/office/requests/X/waive", {}),
    ("/office/outbox/1/resend", {}),
    ("/office/assess", {}),
    ("/office/contacts/zs-amr", {"liaison_name": "张三"}),
    ("/office/contacts-office", {"person": "李四", "phone": "0580-1234567"}),
    ("/office/logout", {}),
]
OFFICE_GETS = ["/office", "/office/units/zs-amr", "/office/contacts", "/office/contacts/zs-amr",
               "/office/reports/x.html"]  # fmt: skip


def audit_count(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditLog)) or 0


@pytest.mark.parametrize("path", OFFICE_GETS)
def test_office_pages_send_a_signed_out_visitor_to_the_login(portal, path):  # noqa: F811
    _, client, _, _ = portal
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/login"
    assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(("path", "data"), OFFICE_POSTS)
def test_office_forms_need_a_session_and_its_csrf_token(portal, path, data):  # noqa: F811
    rt, client, _, _ = portal
    r = client.post(path, data=data | {"csrf": "0" * 64}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/login"
    office_login(rt, client)
    before = audit_count(rt)
    r = client.post(path, data=data | {"csrf": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403 and "表单已失效" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert audit_count(rt) == before  # nothing done, nothing audited


def test_a_bad_link_is_refused_on_every_unit_route(portal):  # noqa: F811
    rt, client, requests, _ = portal
    bad = link(rt, requests["zs-amr"])[:-3] + "abc"
    for r in (client.get(bad), client.post(bad, data={"csrf": "x"}),
              client.get(bad + "/template.xlsx"),
              client.post(bad + "/upload", files={"file": ("a.xlsx", b"PK")})):  # fmt: skip
        assert r.status_code == 403 and "<html" in r.text and "无效" in r.text
    feed = client.get(bad + "/feed.ics")
    assert feed.status_code == 403 and "<html" not in feed.text


def test_unknown_pages_methods_and_control_characters(portal):  # noqa: F811
    rt, client, requests, _ = portal
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "没有这个页面" in r.text
    r = client.delete(link(rt, requests["zs-amr"]))
    assert r.status_code == 405 and "不支持这种访问方式" in r.text
    r = client.get("/office/reports/a%00b.html")
    assert r.status_code == 404 and "没有这个页面" in r.text
    assert r.headers["cache-control"] == "no-store"
    root = client.get("/", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == "/office"
