"""End to end in real headless Chromium (Debian's package, driven by Playwright): a unit opens
the link from the reminder the SMTP server received, fills the form and submits; the office
signs in and sees the submission. Screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from db.models import Request
from duban.portal.app import create_app
from duban.portal.security import add_user
from flows import steps, tick
from flows.runtime import Runtime
from notifications.delivery import AppriseChannel
from notifications.links import Links

from ..conftest import at
from ..servers import SmtpServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
D = dt.date

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture
def served(runtime, tmp_path):
    port = free_port()
    smtp = SmtpServer().start()
    config = tmp_path / "apprise.txt"
    config.write_text(
        f"zs-sti=mailto://127.0.0.1:{smtp.port}?from=office@duban.test&to=liaison@kj.duban.test\n"
    )
    rt = Runtime(runtime.sessions, runtime.var_dir, runtime.calendar, AppriseChannel.from_config(config, clock=lambda: at(D(2025, 9, 24), 10)), runtime.messages,
                 links=Links("e2e-secret-" + "y" * 20, f"http://127.0.0.1:{port}"))  # fmt: skip
    app = create_app(rt, "e2e-secret-" + "y" * 20, clock=lambda: at(D(2025, 10, 9), 10))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield rt, smtp, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    smtp.stop()


def test_a_unit_answers_from_its_reminder_and_the_office_sees_it(served):
    from playwright.sync_api import sync_playwright

    rt, smtp, base = served
    tick.run_tick(rt, D(2025, 9, 24), at(D(2025, 9, 24)))
    steps.dispatch_outbox(rt, lambda: at(D(2025, 9, 24), 10))
    mail = next(m for m in smtp.inbox.messages if "liaison@kj.duban.test" in m["To"])
    link = re.search(r"在线填报：(\S+)", mail.get_body(("plain",)).get_content()).group(1)
    assert link.startswith(base + "/u/")
    with rt.sessions.begin() as session:
        add_user(session, "bgs", "correct horse battery", at(D(2025, 10, 1)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, device_scale_factor=2
        )  # a liaison's phone
        phone.goto(link)
        phone.select_option("select >> nth=0", "推进中")
        phone.fill(
            "textarea >> nth=0", "本季度组织召开标准化与科技创新融合推进会，完成两项团体标准立项。"
        )
        phone.screenshot(path=str(SHOTS / "unit-form.png"), full_page=True)
        phone.click("#submit")  # one task of several: kept as 暂存, the banner says what is missing
        phone.wait_for_selector("#banner")
        assert "已暂存，尚未计为报送" in phone.inner_text("#banner")
        assert phone.locator("#banner").bounding_box()["y"] < 400  # at the top, seen on a phone
        phone.screenshot(path=str(SHOTS / "unit-draft.png"), full_page=False)
        last = phone.locator("#banner a").last  # the last missing field, at the bottom of the form
        last.click()
        target = phone.locator(last.get_attribute("href"))
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < 844  # the link brought the field into view
        for field in phone.locator("select[name^=status_]").all():
            if not field.input_value():
                field.select_option("推进中")
        for box_ in phone.locator("input[name^=no_news_]").all()[1:]:
            box_.check()
        for reason in phone.locator("input[name^=reason_]").all():
            reason.fill("年度数据，年底统计")
        phone.fill("#filler", "李四")
        phone.click("#submit")
        phone.wait_for_selector("text=报送成功")
        phone.screenshot(path=str(SHOTS / "unit-receipt.png"), full_page=True)
        office = browser.new_page(viewport={"width": 1280, "height": 900})
        office.goto(base + "/office")
        office.fill("#username", "bgs")
        office.fill("#password", "correct horse battery")
        office.click("button[type=submit]")
        office.wait_for_selector("text=报送总览")
        row = office.locator("tr", has_text="市科技局").first
        assert "按时报送" in row.inner_text()
        office.screenshot(path=str(SHOTS / "office-dashboard.png"), full_page=True)
        browser.close()
    with rt.sessions() as session:
        assert (
            session.scalar(select(Request.status).where(Request.unit_id == "zs-sti")) == "submitted"
        )
    for name in ("unit-form.png", "unit-draft.png", "unit-receipt.png", "office-dashboard.png"):
        assert (SHOTS / name).stat().st_size > 10_000
