"""After the office extends a deadline the unit can report (issue 19): the old link opens
again (expiry is signed into it, the request's own due date now rules), the extension's
invite carries a link, the template shows the new 截止日期, and a past date is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import Notification
from flows import steps
from notifications.dispatch import compose
from notifications.mail import plain_text
from reporting.requests import ActionError

from ..conftest import at
from .test_portal import link, portal  # noqa: F401  (the fixture)

D = dt.date


def test_an_extension_reopens_the_old_link_and_the_template_shows_the_new_date(portal):  # noqa: F811
    rt, client, requests, clock = portal
    amr = requests["zs-amr"]
    url = link(rt, amr)  # signed to expire 30 days after 2025-10-14
    clock["now"] = at(D(2025, 11, 20), 10)
    assert client.get(url).status_code == 410
    steps.change_deadline(rt, amr.code, clock["now"], new_due=D(2025, 11, 28))
    page = client.get(url)
    assert page.status_code == 200 and "截止日期 <strong>2025-11-28</strong>" in page.text
    template = client.get(url + "/template.xlsx")
    assert template.status_code == 200
    path = rt.var_dir / "t.xlsx"
    path.write_bytes(template.content)
    assert load_workbook(path)["填报说明"]["B6"].value.startswith("2025-11-28")
    with rt.sessions() as session:
        invite = session.scalars(
            select(Notification).where(Notification.key == f"invite:{amr.code}:1")
        ).one()
    assert invite.payload["item"]["link"].startswith("http://testserver/u/")
    assert invite.payload["item"]["due_on"] == "2025-11-28"
    with rt.sessions() as session:
        sent = compose(session, session.get(Notification, invite.id), rt.messages, clock["now"])
    assert "在线填报或下载新的报送模板：http://testserver/u/" in plain_text(sent.email)
    assert "[在线填报或下载新的报送模板](http://testserver/u/" in sent.markdown
    # the new link works, and so does the old one, until the new date's grace runs out
    clock["now"] = at(D(2026, 1, 5), 10)
    assert client.get(url).status_code == 410


@pytest.mark.parametrize(
    ("new_due", "words"),
    [
        (D(2025, 10, 1), "已经过去，新的截止日期须晚于今天"),
        (D(2025, 10, 18), "不是工作日，最近的工作日是"),  # a Saturday
    ],
)
def test_an_extension_to_a_past_date_or_a_day_off_is_refused_in_chinese(portal, new_due, words):  # noqa: F811
    rt, _client, requests, clock = portal
    with pytest.raises(ActionError) as caught:
        steps.change_deadline(rt, requests["zs-amr"].code, clock["now"], new_due=new_due)
    assert words in str(caught.value) and "未能延期" in str(caught.value)
