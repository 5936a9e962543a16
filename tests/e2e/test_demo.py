"""`duban demo` lives in the present: the links of its latest messages open, and a second run
into the same folder sends nothing twice and takes no file before its day."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from sqlalchemy import select

from db.models import Notification, Submission
from duban.bootstrap import build_runtime
from duban.demo import demo_plans, run_demo
from duban.settings import Settings
from notifications.links import Links
from tasks_catalog.check import check_catalog
from tasks_catalog.directory import Directory
from tasks_catalog.loader import load_catalog

from ..conftest import SHANGHAI

NOW = dt.datetime(2026, 3, 3, 10, 30, tzinfo=SHANGHAI)  # "today" for this demo


def latest_links(outbox) -> list[str]:
    days = sorted(p for p in outbox.iterdir() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name))
    links = []
    for path in sorted(days[-1].glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        links += re.findall(r"https?://\S+/u/(\S+)", message.get_body(("plain",)).get_content())
    return links


def test_the_demo_ends_today_with_links_that_open_and_a_rerun_takes_no_file_early(tmp_path):
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'duban.db'}")
    rt = build_runtime(settings)
    plans, _ = check_catalog()
    with rt.sessions.begin() as session:
        start = NOW.replace(month=1, day=1)
        load_catalog(session, demo_plans(plans, 2026), Directory.load(), start)
    # First up to yesterday: the departments' files of yesterday are left in the inbox.
    yesterday = NOW.date() - dt.timedelta(days=1)
    run_demo(rt, dt.date(2026, 1, 1), yesterday, NOW)
    with rt.sessions() as session:
        first = set(session.execute(select(Submission.id, Submission.received_at)))
        keys = set(session.scalars(select(Notification.key)))
    waiting = [p for p in (tmp_path / "inbox").glob("*/*.xlsx") if p.parent.name != "rejected"]
    assert waiting, "yesterday's files wait in the inbox"

    # Then the demo again into the same folder, up to today.
    run_demo(rt, dt.date(2026, 1, 1), dt.date(2026, 12, 31), NOW)
    with rt.sessions() as session:
        added = set(session.execute(select(Submission.id, Submission.received_at))) - first
        new_keys = set(session.scalars(select(Notification.key))) - keys
    arrived = dt.datetime.combine(yesterday, dt.time(10), tzinfo=SHANGHAI)
    assert added and all(received >= arrived for _, received in added)  # not taken on 01-02
    digests = [key for key in new_keys if key.startswith("digest:")]
    assert all(key.split(":")[1] == NOW.date().isoformat() for key in digests)  # only today's

    tokens = latest_links(tmp_path / "outbox")
    assert tokens, "the latest messages carry personal links"
    links = Links(settings.secret(), settings.portal_url, settings.portal_grace_days)
    for token in tokens:
        assert links.read(token, NOW.date()).expires >= NOW.date()  # open today
