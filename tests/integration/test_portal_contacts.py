"""/office/contacts: the office sees and edits the 通讯录 (signed in, CSRF, audited); secrets are
masked on every page and kept when a form comes back with their mask."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import AuditLog, UnitContact
from tasks_catalog.contacts_sheet import import_contacts

from ..conftest import NOW
from .test_contacts import SECRET, STI, TOKEN, WECOM, workbook
from .test_portal import csrf_of, office_login, portal  # noqa: F401 (the fixture)


def test_the_contacts_page_needs_sign_in_and_masks_secrets(portal):  # noqa: F811
    rt, client, _, _ = portal
    with rt.sessions.begin() as session:
        import_contacts(session, workbook(STI), "通讯录.xlsx", NOW, "test")
    assert (
        client.get("/office/contacts", follow_redirects=False).headers["location"]
        == "/office/login"
    )
    office_login(rt, client)
    page = client.get("/office/contacts").text
    assert "王芳" in page and "市科技局" in page and "a...0" in page and "****" in page
    form = client.get("/office/contacts/zs-sti").text
    for secret in (TOKEN, SECRET, WECOM, TOKEN[1:-1], SECRET[3:]):
        assert secret not in page and secret not in form


def test_a_unit_s_contacts_are_edited_checked_and_audited(portal):  # noqa: F811
    rt, client, _, _ = portal
    with rt.sessions.begin() as session:
        import_contacts(session, workbook(STI), "通讯录.xlsx", NOW, "test")
    office_login(rt, client)
    form = client.get("/office/contacts/zs-sti").text
    values = {n: v for n, v in re.findall(r'name="(\w+)" value="([^"]*)"', form)}
    assert values["robot_token"] == "a...0" and values["robot_secret"] == "****"
    refused = client.post("/office/contacts/zs-sti", data=values | {"csrf": "bad"})
    assert refused.status_code == 403
    bad = client.post(
        "/office/contacts/zs-sti", data=values | {"liaison_mobile": "12", "robot_secret": "<b>x"}
    )
    assert bad.status_code == 422 and "请写 11 位手机号" in bad.text and "以 SEC 开头" in bad.text
    assert "<b>x" not in bad.text
    ok = client.post("/office/contacts/zs-sti", data=values | {"liaison_name": "孙丽", "wecom_key": ""},
                     follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    with rt.sessions() as session:
        row = session.get(UnitContact, "zs-sti")
        assert (row.liaison_name, row.robot_token, row.robot_secret, row.wecom_key) == (
            "孙丽",
            TOKEN,
            SECRET,
            None,
        )
        assert row.updated_by == "portal:bgs"
        assert "contacts" in [a.action for a in session.scalars(select(AuditLog))]
    office = client.post(
        "/office/contacts-office", data={"csrf": values["csrf"], "person": "陈静", "phone": "x"}
    )
    assert office.status_code == 422 and "联系电话" in office.text
    office = client.post("/office/contacts-office", data={"csrf": values["csrf"], "person": "陈静",
                         "phone": "0580-2280000"}, follow_redirects=False)  # fmt: skip
    assert office.status_code == 303
    assert "0580-2280000" in client.get("/office/contacts").text
