"""The office's review of an imported document in real headless Chromium (Playwright): sign
in, open the plan, upload the corrected 任务分工表, 发布; the next tick sends only for it.
Screenshots go to var/screenshots/ (docs/使用说明.md shows them)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select

from db.models import Period, Plan, Request
from duban.bootstrap import build_runtime
from duban.portal.app import create_app
from duban.portal.security import add_user
from duban.settings import Settings
from tests.e2e.test_workspace import DOCUMENT, _edit, _use_test_database, office  # noqa: F401

from ..servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NOW = dt.datetime(2016, 12, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture
def served(office, tmp_path, monkeypatch):  # noqa: F811
    office("init", "office", "--jurisdiction", "kaifeng", "--name", "开封市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    office("catalog", "import", str(DOCUMENT), "--add-units", "--slug", "kaifeng-safety")
    office("catalog", "import", str(DOCUMENT), "--slug", "kaifeng-kept-draft")
    settings = Settings()
    rt = build_runtime(settings)
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, NOW)
    port = free_port()
    app = create_app(rt, "b" * 64, clock=lambda: NOW, catalog_dir=settings.catalog_path())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield rt, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_office_reviews_corrects_and_publishes_in_the_browser(served, office, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    rt, base = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/office/login")
        page.fill("input[name=username]", "bgs")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("text=政策文件与任务分工")
        assert page.locator("td.plan-draft").count() == 2
        page.screenshot(path=str(SHOTS / "office-catalog.png"), full_page=True)
        page.click('a[href="/office/catalog/kaifeng-safety"]')
        assert page.locator("mark").first.inner_text().startswith("市安全监管局牵头")
        page.screenshot(path=str(SHOTS / "catalog-review.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=下载任务分工表")
        sheet = tmp_path / "分工.xlsx"
        sheet.write_bytes(_edit(Path(download.value.path()).read_bytes(), "1", "市公安局", "2016年12月底前"))  # fmt: skip
        page.set_input_files("input[type=file]", str(sheet))
        page.click("text=上传并应用")
        assert page.locator("text=任务分工表已应用").count() == 1
        assert page.locator("text=牵头：市公安局").count() == 2  # tasks 1 and 2
        page.click("button:has-text('发布')")
        assert page.locator("text=bgs 于 2016-12-20 10:00 发布").count() == 1
        page.screenshot(path=str(SHOTS / "catalog-published.png"), full_page=True)
        browser.close()
    office("tick", "--as-of", "2016-12-26", "--no-dispatch")
    with rt.sessions() as session:
        per_plan = dict(
            session.execute(
                select(Plan.slug, func.count(Request.id))
                .join(Period, Period.plan_id == Plan.id)
                .join(Request, Request.period_id == Period.id)
                .group_by(Plan.slug)
            ).all()
        )
    assert per_plan == {"kaifeng-safety": 8}
